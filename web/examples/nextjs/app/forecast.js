'use client';
// Client component: the package is imported dynamically inside useEffect, so server rendering and
// `next build` never evaluate it (it needs WebAssembly, fetch and the page's URL).
import { useEffect, useRef, useState } from 'react';

export default function Forecast({ initialSymbol = 'SCOM' }) {
  const scRef = useRef(null);
  const [ready, setReady] = useState(false);
  const [stocks, setStocks] = useState([]);
  const [horizons, setHorizons] = useState([]); // the manifest's
  const [symbol, setSymbol] = useState(initialSymbol);
  const [horizon, setHorizon] = useState('10d');
  const [prediction, setPrediction] = useState(null);
  const [error, setError] = useState(null);

  // One stockcast instance for the component's lifetime.
  useEffect(() => {
    let live = true;
    let sc;
    (async () => {
      try {
        const { createStockcast } = await import('stockcast');
        sc = await createStockcast({ baseUrl: '/models/' });
        if (!live) return sc.dispose();
        scRef.current = sc;
        const info = await sc.available();
        if (!live) return;
        setStocks(info.stocks);
        setHorizons(info.horizons);
        setReady(true);
      } catch (e) {
        if (live) setError(e);
      }
    })();
    return () => {
      live = false;
      scRef.current = null;
      sc?.dispose();
    };
  }, []);

  useEffect(() => {
    const sc = scRef.current;
    if (!ready || !sc) return;
    let live = true;
    setError(null);
    sc.predict({ symbol, horizon }).then(
      (p) => live && setPrediction(p),
      (e) => live && (setPrediction(null), setError(e)),
    );
    return () => {
      live = false;
    };
  }, [ready, symbol, horizon]);

  return (
    <section>
      <p>
        <label>
          Stock{' '}
          <select id="symbol" value={symbol} onChange={(e) => setSymbol(e.target.value)} disabled={!ready}>
            {stocks.length === 0 && <option value={symbol}>{symbol}</option>}
            {stocks.map((s) => (
              <option key={s.symbol} value={s.symbol}>{`${s.symbol} — ${s.name} (${s.sector})`}</option>
            ))}
          </select>
        </label>{' '}
        <label>
          Horizon{' '}
          <select id="horizon" value={horizon} onChange={(e) => setHorizon(e.target.value)}>
            {horizons.map((h) => <option key={h}>{h}</option>)}
          </select>
        </label>
      </p>
      {error && (
        <p id="error" role="alert" data-code={error.code} style={{ color: '#8c1d14' }}>
          {error.code ? `${error.code}: ` : ''}{error.message}
        </p>
      )}
      {!prediction && !error && <p id="loading">Loading the model…</p>}
      {prediction && (
        <dl id="prediction" data-symbol={prediction.symbol} data-predicted-price={prediction.predictedPrice} data-horizon={prediction.horizon}>
          <dt>{prediction.symbol} — {prediction.name}</dt>
          <dd>Last close {prediction.currentPrice.toFixed(2)} on {prediction.dataDate}</dd>
          <dd id="predicted">Predicted in {prediction.horizonDays} trading days: <b>{prediction.predictedPrice.toFixed(2)}</b> ({Math.round(prediction.interval.level * 100)} % interval {prediction.interval.lower.toFixed(2)} – {prediction.interval.upper.toFixed(2)})</dd>
          <dd>Expected return {(prediction.expectedReturn * 100).toFixed(2)} %, {prediction.direction} (bullish {(prediction.probabilities.bullish * 100).toFixed(0)} %, bearish {(prediction.probabilities.bearish * 100).toFixed(0)} %)</dd>
          <dd>Model {prediction.modelType}, confidence {prediction.confidence}
            {prediction.heldOut && <>; test-year MAPE {prediction.heldOut.mape.toFixed(2)} % vs naive {prediction.heldOut.naiveMape.toFixed(2)} %</>}</dd>
        </dl>
      )}
    </section>
  );
}
