'use client';
// The stock view: /?symbol=SCOM&horizon=10d&level=0.9. One predict per horizon the manifest
// declares (sc.available().horizons), all at once; the chart, the selected horizon's numbers,
// the test-year MAPE beside naive, then the risk report.
import { useEffect, useMemo, useState } from 'react';
import { usePathname, useSearchParams } from 'next/navigation';
import { loadHistory, setParams, useStockcast } from '../lib/stockcast';
import { fmtMape, fmtPct, fmtPrice, fmtSignedPct, signClass } from '../lib/format';
import ErrorMessage from './ErrorMessage';
import PriceChart from './PriceChart';
import RiskPanel from './RiskPanel';
import { EnsembleWeights, KindTable, KindToggles, kindColor, kindLabel } from './ModelKinds';

const DIRECTIONS = ['bearish', 'neutral', 'bullish'];

function MapeLine({ p }) {
  const ho = p.heldOut;
  if (!ho)
    return (
      <div className="metric mape">
        <span className="k">Test-year MAPE (model vs naive)</span>
        <span className="v" id="pred-mape">not measured</span>
        <span className="note">no held-out test for this routing ({p.modelType.replace(/_/g, ' ')})</span>
      </div>
    );
  const same = Math.abs(ho.mape - ho.naiveMape) < 1e-9;
  const better = ho.mape < ho.naiveMape;
  return (
    <div className="metric mape">
      <span className="k">Test-year MAPE (model vs naive)</span>
      <span className="v" id="pred-mape" data-mape={ho.mape} data-naive-mape={ho.naiveMape}>{`${fmtMape(ho.mape)} vs ${fmtMape(ho.naiveMape)}`}</span>
      <span className={`note ${same ? 'flat' : better ? 'good' : 'bad'}`}>
        {same ? 'same as naive (the model keeps “no change” at this horizon)' : better ? `beats naive by ${(ho.naiveMape - ho.mape).toFixed(2)} pts` : `worse than naive by ${(ho.mape - ho.naiveMape).toFixed(2)} pts`}
      </span>
    </div>
  );
}

function Prediction({ p, fan, history, state, onHorizon, kinds }) {
  const ho = p.heldOut;
  const fine = [`model ${p.modelVersion}`, `trained ${p.trainedAt}`];
  if (ho) fine.push(`test year ${ho.period.join(' to ')} (${ho.samples} days), 90 % interval coverage ${fmtPct(ho.coverage90, 1)}, direction hit rate ${fmtPct(ho.directionHitRate, 1)}`);
  fine.push(`latency ${p.latencyMs.toFixed(1)} ms${p.cached ? ' (cached)' : ''}`);
  if (p.warnings && p.warnings.length) fine.push(`warnings: ${p.warnings.map((w) => (typeof w === 'string' ? w : w.message || w.code)).join('; ')}`);
  return (
    <section id="prediction" className="card prediction" data-state={state} data-symbol={p.symbol} data-horizon={p.horizon} aria-labelledby="pred-title">
      <div className="pred-head">
        <h2 id="pred-title">
          <span id="pred-symbol">{p.symbol}</span> <small id="pred-name">{p.name || ''}</small>
        </h2>
        <span className="pill">{p.sector || 'unknown sector'}</span>
        <span id="pred-model" className="pill" data-value={p.modelType}>model: {p.modelType}</span>
        <span id="pred-confidence" className={`pill ${p.confidence}`} data-value={p.confidence}>confidence: {p.confidence}</span>
        {p.stale && (
          <span id="pred-stale" className="pill low stale" title="Every history source failed: this forecast uses the last good copy of the prices kept in this browser." data-date={p.dataDate}>
            stale data · {p.dataDate}
          </span>
        )}
      </div>
      {kinds && kinds.list.length > 1 && <KindToggles kinds={kinds.list} shown={kinds.shown} states={kinds.states} onToggle={kinds.onToggle} />}
      <PriceChart fan={fan} history={history} selected={p.horizon} overlays={kinds ? kinds.overlays : undefined} />
      {kinds && <KindTable horizon={p.horizon} rows={[{ kind: p.model || 'lstm', color: kindColor(0), p }, ...kinds.overlays.map((o) => ({ kind: o.kind, color: o.color(1), p: o.fan.find((x) => x.horizon === p.horizon) })).filter((r) => r.p)]} />}
      {kinds && kinds.ensemble && <EnsembleWeights p={kinds.ensemble.find((x) => x.horizon === p.horizon) || kinds.ensemble[0]} />}
      <div className="metrics">
        <div className="metric"><span className="k">Last close ({p.dataDate})</span><span className="v" id="pred-current" data-value={p.currentPrice}>{fmtPrice(p.currentPrice)}</span></div>
        <div className="metric"><span className="k">Predicted, {p.horizonDays} trading day{p.horizonDays > 1 ? 's' : ''}</span><span className="v" id="pred-price" data-value={p.predictedPrice}>{fmtPrice(p.predictedPrice)}</span></div>
        <div className="metric"><span className="k">{Math.round(p.interval.level * 100)} % interval</span><span className="v" id="pred-interval" data-lower={p.interval.lower} data-upper={p.interval.upper}>{`${fmtPrice(p.interval.lower)} – ${fmtPrice(p.interval.upper)}`}</span></div>
        <div className="metric"><span className="k">Expected return</span><span className={`v ${signClass(p.expectedReturn)}`} id="pred-return" data-value={p.expectedReturn}>{fmtSignedPct(p.expectedReturn)}</span></div>
        <div className="metric"><span className="k">Direction</span><span className={`v ${p.direction}`} id="pred-direction" data-value={p.direction}>{p.direction}</span></div>
        <div className="metric"><span className="k">Model · confidence</span><span className="v">{`${p.modelType.replace(/_/g, ' ')} · ${p.confidence}`}</span></div>
        <MapeLine p={p} />
      </div>
      <div className="probs" id="pred-probs" aria-label="Direction probabilities">
        {DIRECTIONS.map((k) => (
          <div key={k} className={k} data-value={p.probabilities[k]} style={{ width: `${(p.probabilities[k] * 100).toFixed(2)}%` }} title={`${k} ${fmtPct(p.probabilities[k], 1)}`}>
            {`${k} ${fmtPct(p.probabilities[k], 1)}`}
          </div>
        ))}
      </div>
      <div className="scroll" tabIndex={0} role="region" aria-label="Forecast at every horizon">
        <table id="horizons-table">
          <caption className="fine">Every horizon from the same model and history ({Math.round(p.interval.level * 100)} % intervals; MAPE on the test year, naive beside it)</caption>
          <thead>
            <tr>
              <th scope="col">Horizon</th><th scope="col" className="num">Predicted</th><th scope="col" className="num">Interval</th>
              <th scope="col" className="num">Return</th><th scope="col">Direction</th><th scope="col" className="num">MAPE</th><th scope="col" className="num">Naive</th>
            </tr>
          </thead>
          <tbody>
            {fan.map((f) => (
              <tr key={f.horizon} data-horizon={f.horizon} aria-current={f.horizon === p.horizon ? 'true' : undefined}>
                <th scope="row">
                  <button type="button" className="linklike" onClick={() => onHorizon(f.horizon)} aria-pressed={f.horizon === p.horizon}>{f.horizon}</button>
                </th>
                <td className="num" data-value={f.predictedPrice}>{fmtPrice(f.predictedPrice)}</td>
                <td className="num">{`${fmtPrice(f.interval.lower)} – ${fmtPrice(f.interval.upper)}`}</td>
                <td className={`num ${signClass(f.expectedReturn)}`}>{fmtSignedPct(f.expectedReturn)}</td>
                <td className={f.direction}>{f.direction}</td>
                <td className="num">{f.heldOut ? fmtMape(f.heldOut.mape) : '—'}</td>
                <td className="num">{f.heldOut ? fmtMape(f.heldOut.naiveMape) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="fine" id="pred-fine">{fine.join(' · ')}</p>
    </section>
  );
}

export default function StockView() {
  const { sc, info, call, error: startError } = useStockcast();
  const path = usePathname();
  const q = useSearchParams();
  const horizons = info ? info.horizons : [];
  const levels = info ? info.intervalLevels : [];
  const symbol = (q.get('symbol') || 'SCOM').trim().toUpperCase();
  const wantH = q.get('horizon');
  // The horizon just picked shows at once; the URL (replaced asynchronously by the router) follows.
  const [picked, setPicked] = useState(null);
  useEffect(() => setPicked(null), [wantH]);
  const fromUrl = horizons.includes(wantH) ? wantH : horizons.includes('10d') ? '10d' : horizons[0];
  const horizon = picked && horizons.includes(picked) ? picked : fromUrl;
  const wantL = Number(q.get('level'));
  const level = levels.includes(wantL) ? wantL : levels.includes(0.9) ? 0.9 : levels[0];
  const [typed, setTyped] = useState('');
  const [shown, setShown] = useState(null); // the last forecast that succeeded: {symbol, level, fan, history}
  const [state, setState] = useState({ status: 'loading' });

  // Model kinds: the symbol's (modelInfo(symbol).models: the manifest's list), those toggled on
  // (URL `models=transformer,ensemble`, a deep link; set locally at once, the URL follows), and each
  // toggled kind's fan, fetched when first shown: `${symbol}|${level}|${kind}` -> {status, fan?, error?}.
  const [kindList, setKindList] = useState(null);
  const wantModels = q.get('models');
  const [toggled, setToggled] = useState(null);
  useEffect(() => setToggled(null), [wantModels]);
  const shownKinds = (toggled ?? (wantModels ? wantModels.split(',') : []))
    .filter((k) => kindList && kindList.some((x) => x.model === k && x.servedBy !== 'routed'));
  const shownKey = shownKinds.join(',');
  const [kindFans, setKindFans] = useState({});

  const go = (next, opts) => setParams(path, { symbol, horizon, level: level === 0.9 ? undefined : level, models: shownKey || undefined, ...next }, opts);
  const pickHorizon = (h) => {
    setPicked(h);
    go({ horizon: h }, { replace: true });
  };

  useEffect(() => {
    if (!sc || !info) return;
    let live = true;
    setState({ status: 'loading' });
    Promise.all([
      call((x) => x.predictHorizons({ symbol, level })), // every horizon from one network call
      info.symbols.includes(symbol) ? loadHistory(symbol) : Promise.resolve(null),
    ]).then(
      ([fan, history]) => {
        if (!live) return;
        setShown({ symbol, level, fan, history });
        setState({ status: 'ready' });
        if (!window.__firstForecast) {
          window.__firstForecast = performance.now();
          performance.mark('stockcast:first-forecast');
        }
      },
      (error) => live && setState({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [sc, info, symbol, level, call]);

  useEffect(() => {
    if (!sc) return;
    let live = true;
    call((x) => x.modelInfo(symbol)).then((i) => live && setKindList(i.models || null), () => live && setKindList(null));
    return () => {
      live = false;
    };
  }, [sc, symbol, call]);

  useEffect(() => {
    if (!sc || !shownKey) return;
    for (const kind of shownKey.split(',')) {
      const key = `${symbol}|${level}|${kind}`;
      if (kindFans[key] && kindFans[key].status !== 'error') continue;
      setKindFans((m) => ({ ...m, [key]: { status: 'loading' } }));
      call((x) => x.predictHorizons({ symbol, level, model: kind })).then(
        (fan) => setKindFans((m) => ({ ...m, [key]: { status: 'ready', fan } })),
        (error) => setKindFans((m) => ({ ...m, [key]: { status: 'error', error } })),
      );
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sc, symbol, level, shownKey, call]);

  const kinds = useMemo(() => {
    if (!kindList || !shown) return null;
    const onToggle = (kind, on) => {
      const next = on ? [...shownKinds, kind] : shownKinds.filter((k) => k !== kind);
      setToggled(next);
      go({ models: next.join(',') || undefined }, { replace: true });
    };
    const states = {};
    const overlays = [];
    let ensemble = null; // the fan whose answers carry member weights
    kindList.forEach((k, i) => {
      if (!shownKinds.includes(k.model)) return;
      const st = kindFans[`${shown.symbol}|${shown.level}|${k.model}`];
      if (!st) return;
      states[k.model] = st;
      if (st.status !== 'ready') return;
      overlays.push({ kind: k.model, label: kindLabel(k.model), fan: st.fan, color: (a) => kindColor(i, a) });
      if (st.fan.some((x) => Array.isArray(x.members))) ensemble = st.fan;
    });
    return { list: kindList, shown: shownKinds, states, overlays, ensemble, onToggle };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kindList, kindFans, shownKey, shown]);

  const p = shown && shown.fan.find((x) => x.horizon === horizon);
  const stockOk = info && info.symbols.includes(symbol);
  return (
    <>
      <h2 className="visually-hidden">Stock forecast</h2>
      <form
        id="stock-form"
        className="controls"
        autoComplete="off"
        onSubmit={(ev) => {
          ev.preventDefault();
          const s = typed.trim().toUpperCase();
          if (s) go({ symbol: s });
        }}
      >
        <label>
          Stock
          <select id="stock-select" value={stockOk ? symbol : ''} disabled={!info} onChange={(ev) => { setTyped(''); go({ symbol: ev.target.value }); }}>
            {!stockOk && <option value="">{info ? `(${symbol})` : 'Loading…'}</option>}
            {info && info.sectors.map((sector) => (
              <optgroup key={sector} label={`${sector} (${info.bySector[sector].total})`}>
                {info.stocks.filter((s) => s.sector === sector).map((s) => (
                  <option key={s.symbol} value={s.symbol}>{`${s.symbol} — ${s.name}${s.modelType === 'stock_specific' ? ' ★' : ''}`}</option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        <label>
          or type a symbol
          <input id="symbol-input" type="text" placeholder="e.g. SCOM" spellCheck={false} size={9} value={typed} onChange={(ev) => setTyped(ev.target.value)} />
        </label>
        <button id="symbol-go" type="submit" disabled={!info}>Forecast</button>
        <fieldset className="horizons">
          <legend>Horizon</legend>
          {horizons.map((h) => (
            <label key={h}>
              <input type="radio" name="horizon" value={h} checked={h === horizon} onChange={() => pickHorizon(h)} />
              {h}
            </label>
          ))}
        </fieldset>
        <label>
          Interval
          <select id="level-select" value={level ?? ''} disabled={!info} onChange={(ev) => go({ level: Number(ev.target.value) === 0.9 ? undefined : ev.target.value }, { replace: true })}>
            {levels.map((l) => <option key={l} value={l}>{Math.round(l * 100)} %</option>)}
          </select>
        </label>
      </form>
      <ErrorMessage id="message" error={startError} context="Starting stockcast" />
      {state.status === 'error' && (
        <ErrorMessage id="message" error={state.error} context={`Forecast for ${symbol}`} onSuggest={(s) => { setTyped(''); go({ symbol: s }); }} />
      )}
      {!p && state.status === 'loading' && !startError && <p className="fine" aria-live="polite">Loading the model…</p>}
      {p && <Prediction p={p} fan={shown.fan} history={shown.history} state={state.status === 'ready' ? 'ready' : state.status} onHorizon={pickHorizon} kinds={kinds} />}
      {p && state.status === 'ready' && <RiskPanel symbol={p.symbol} />}
    </>
  );
}
