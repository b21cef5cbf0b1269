'use client';
import { useStockcast } from '../lib/stockcast';
import { fmtBytes } from '../lib/format';

export default function CachePanel() {
  const { sc, stats: s, progress, call } = useStockcast();
  const rows = s
    ? [
        ['Resident models', `${s.models.resident} / ${s.models.maxCount}`],
        ['Resident bytes', fmtBytes(s.models.residentBytes)],
        ['Model hits', s.models.hits],
        ['Model misses', s.models.misses],
        ['From Cache Storage', s.models.storeHits],
        ['Evictions', s.models.evictions],
        ['Predictions', s.predictions],
        ['Prediction cache hits', `${s.cacheHits} / ${s.cacheHits + s.cacheMisses}`],
        ['Requests', s.network.requests],
        ['Bytes downloaded', fmtBytes(s.network.bytes)],
        ['Mean model load', `${s.models.meanLoadTimeMs.toFixed(1)} ms`],
        ['WASM heap', fmtBytes(s.wasmHeapBytes)],
      ]
    : [];
  const files = (s && s.models.residentFiles) || [];
  const pct = progress && progress.total ? Math.min(100, (100 * progress.loaded) / progress.total) : 0;
  return (
    <aside className="card cache" id="cache-panel" aria-labelledby="cache-title">
      <h2 id="cache-title" className="h3">Model cache</h2>
      {progress && (
        <div className="progress" id="progress" data-state={progress.done ? 'done' : 'loading'}>
          <progress max={100} value={pct} aria-label="Model download" />
          <span className="label">
            {progress.done ? `last download: ${progress.name} ${fmtBytes(progress.total)} ✓` : `${progress.name}: ${fmtBytes(progress.loaded)} / ${fmtBytes(progress.total)}`}
          </span>
        </div>
      )}
      <dl id="cache-stats" data-bytes={s ? s.network.bytes : undefined} data-resident={s ? s.models.resident : undefined}>
        {rows.map(([k, v]) => (
          <div key={k} className="kvrow">
            <dt>{k}</dt>
            <dd>{String(v)}</dd>
          </div>
        ))}
      </dl>
      <h3 className="h4">Resident models</h3>
      <ul id="cache-models" className="models">
        {files.length ? files.map((f) => <li key={String(f)}>{String(f)}</li>) : <li className="fine">none yet</li>}
      </ul>
      <button id="cache-clear" type="button" disabled={!sc} onClick={() => call((x) => x.clearCache())}>
        Clear resident models
      </button>
      <p className="fine" id="cache-store">
        Store: Cache Storage. Model files, the manifest and histories are kept there: after this visit the site predicts with the model server down.
      </p>
    </aside>
  );
}
