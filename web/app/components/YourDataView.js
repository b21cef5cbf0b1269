'use client';
// "Your data": fine-tune the general model on a CSV the user picks (date,close[,volume]), in
// the browser (the trainer, stockcast-train.wasm, is fetched on the first run). A progress bar and
// live loss curves per epoch, Cancel (an AbortSignal, seen within one epoch), then the forecast
// with its interval, the held-out error beside the naive "no change" forecast, and the model
// file to download. The data never leaves the browser.
//
// It runs in the app's Web Worker (the shared instance of lib/stockcast.js): the page never
// blocks, onProgress crosses postMessage each epoch, and the fine-tuned name is then served by
// every view (e.g. /?symbol=NAME) and kept in the worker's Cache Storage store.
import { useEffect, useRef, useState } from 'react';
import { useStockcast } from '../lib/stockcast';
import { describe } from './ErrorMessage';
import { fmtPrice } from '../lib/format';

export function parseCsv(text) {
  const lines = text.trim().split(/\r?\n/);
  const head = lines[0].split(',').map((h) => h.trim().toLowerCase());
  const di = head.indexOf('date');
  const ci = head.indexOf('close');
  const vi = head.indexOf('volume');
  if (di < 0 || ci < 0) throw Object.assign(new Error("the CSV header needs 'date' and 'close' columns"), { code: 'invalid_input', field: 'csv' });
  return lines.slice(1).filter((l) => l.trim()).map((l) => {
    const c = l.split(',');
    const row = { date: c[di].trim(), close: c[ci].trim() === '' ? NaN : Number(c[ci]) };
    if (vi >= 0 && c[vi] && c[vi].trim() !== '') row.volume = Number(c[vi]);
    return row;
  });
}

function Curves({ points }) {
  const W = 320;
  const H = 120;
  const all = points.flatMap((p) => [p.trainLoss, p.valLoss]).filter(Number.isFinite);
  if (!points.length || !all.length) return null;
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const n = Math.max(points.length, 2);
  const x = (i) => 4 + (i * (W - 8)) / (n - 1);
  const y = (v) => H - 4 - ((v - lo) / (hi - lo || 1)) * (H - 8);
  const line = (k) => points.map((p, i) => `${x(i)},${y(p[k])}`).join(' ');
  return (
    <figure className="curves">
      <svg id="loss-curves" width={W} height={H} role="img" aria-label={`Loss per epoch: ${points.length} epochs`}>
        <polyline points={line('trainLoss')} fill="none" stroke="currentColor" strokeWidth="1.5" opacity="0.5" />
        <polyline points={line('valLoss')} fill="none" stroke="#c0392b" strokeWidth="2" />
      </svg>
      <figcaption className="fine">grey: training loss · red: held-out loss (the most recent windows; early stopping keeps the best epoch)</figcaption>
    </figure>
  );
}

export default function YourDataView() {
  const { sc, call } = useStockcast();
  const ctl = useRef(null);
  const [rows, setRows] = useState(null);
  const [fileName, setFileName] = useState('');
  const [name, setName] = useState('MYSERIES');
  const [state, setState] = useState('idle'); // idle | training | done | error | cancelled
  const [points, setPoints] = useState([]);
  const [maxEpochs, setMaxEpochs] = useState(60);
  const [result, setResult] = useState(null);
  const [forecast, setForecast] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => () => ctl.current?.abort(), []);

  async function onFile(e) {
    const f = e.target.files && e.target.files[0];
    if (!f) return;
    setFileName(f.name);
    setError(null);
    try {
      setRows(parseCsv(await f.text()));
    } catch (err) {
      setRows(null);
      setError(err);
    }
  }

  async function run() {
    if (!rows) return;
    const c = new AbortController();
    ctl.current = c;
    setState('training');
    setPoints([]);
    setResult(null);
    setForecast(null);
    setError(null);
    try {
      const r = await call((s) => s.fineTune({
        history: rows, name, maxEpochs, signal: c.signal,
        onProgress: (p) => setPoints((old) => [...old, p]),
      }));
      setResult(r);
      setForecast(await call((s) => s.predictHorizons({ symbol: r.model.name })));
      setState('done');
    } catch (err) {
      setError(err);
      setState(err && err.code === 'aborted' ? 'cancelled' : 'error');
    }
  }

  function download() {
    const url = URL.createObjectURL(new Blob([result.model.bytes], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = result.model.file;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  const last = points[points.length - 1];
  const msg = error ? describe(error) : null;
  return (
    <section id="your-data" className="card" data-state={state} aria-labelledby="yd-title">
      <h2 id="yd-title">Your data</h2>
      <p className="fine">
        Fine-tune the general model on your own daily closes (a CSV with <code>date,close[,volume]</code>, oldest first, at least 247 rows),
        privately in this tab. Try the <a id="sample-csv" href="/sample-nasi.csv" download>sample CSV</a> (NSE All-Share index, not among the model's stocks).
      </p>
      <div className="row">
        <label>CSV file <input id="csv-file" type="file" accept=".csv,text/csv" onChange={onFile} /></label>
        <label>Name <input id="model-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={32} /></label>
        <label>Max epochs <input id="max-epochs" type="number" min="1" max="500" value={maxEpochs} onChange={(e) => setMaxEpochs(Number(e.target.value) || 1)} /></label>
        <button id="train" type="button" disabled={!sc || !rows || state === 'training'} onClick={run}>Fine-tune</button>
        <button id="cancel" type="button" disabled={state !== 'training'} onClick={() => ctl.current?.abort()}>Cancel</button>
      </div>
      {rows && <p className="fine" id="csv-summary">{fileName}: {rows.length} rows{rows.length ? `, ${rows[0].date} to ${rows[rows.length - 1].date}` : ''}</p>}
      {(state === 'training' || points.length > 0) && (
        <div>
          <progress id="train-progress" max={maxEpochs} value={last ? last.epoch : 0} />
          <span className="fine"> epoch {last ? last.epoch : 0} of at most {maxEpochs}{last ? ` · training loss ${last.trainLoss.toFixed(4)} · held-out loss ${last.valLoss.toFixed(4)}` : ''}</span>
          <Curves points={points} />
        </div>
      )}
      {msg && (
        <p id="yd-error" className="error" role="alert" data-code={msg.code}>
          {state === 'cancelled' ? 'Cancelled: nothing was registered.' : msg.text}
        </p>
      )}
      {result && forecast && (
        <div id="yd-result">
          <p id="yd-validation">
            Held-out ({result.metrics.holdoutWindows} most recent windows from {result.metrics.holdoutFrom}), mean over horizons:
            error <strong>{result.metrics.valMape.toFixed(2)} %</strong> vs naive “no change” {result.metrics.valNaiveMape.toFixed(2)} % ·
            90 % band coverage {(result.metrics.coverage90 * 100).toFixed(0)} % (cross-fitted) · {result.seconds.toFixed(1)} s, {result.metrics.epochs} epochs (best {result.metrics.bestEpoch}).
          </p>
          <table id="yd-forecast">
            <thead><tr><th>Horizon</th><th>Forecast</th><th>{Math.round(forecast[0].interval.level * 100)} % interval</th><th>Direction</th></tr></thead>
            <tbody>
              {forecast.map((p) => (
                <tr key={p.horizon}><td>{p.horizon}</td><td>{fmtPrice(p.predictedPrice)}</td><td>{fmtPrice(p.interval.lower)} – {fmtPrice(p.interval.upper)}</td><td>{p.direction}</td></tr>
              ))}
            </tbody>
          </table>
          <p className="fine">From the last close {fmtPrice(forecast[0].currentPrice)} on {forecast[0].dataDate}.</p>
          <button id="download-model" type="button" onClick={download}>Download {result.model.file} ({result.model.byteLength} bytes)</button>
        </div>
      )}
    </section>
  );
}
