'use client';
// sc.health() and sc.stats(): the .wasm, the manifest's age, the store, each history source
// (circuit breaker state, success rate, latency percentiles) and the latency of each operation.
import { useStockcast } from '../lib/stockcast';

const ms = (x) => (x === null || x === undefined ? '–' : `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`);
const pct = (x) => (x === null || x === undefined ? '–' : `${Math.round(x * 100)} %`);
const age = (x) => (x === null || x === undefined ? '–' : x < 60_000 ? `${Math.round(x / 1000)} s` : `${Math.round(x / 60_000)} min`);

export default function HealthPanel() {
  const { health: h, stats: s } = useStockcast();
  if (!h) return null;
  const ops = s && s.operations ? Object.entries(s.operations) : [];
  return (
    <aside className="card cache health" id="health-panel" aria-labelledby="health-title" data-status={h.status}>
      <h2 id="health-title" className="h3">
        Health <span className={`pill ${h.status === 'ok' ? 'high' : h.status === 'degraded' ? 'medium' : 'low'}`} id="health-status">{h.status}</span>
      </h2>
      <dl>
        <div className="kvrow"><dt>WebAssembly</dt><dd>{h.wasm.loaded ? `loaded${h.wasm.simd ? ', SIMD' : ''}` : 'not loaded'}</dd></div>
        <div className="kvrow"><dt>Manifest age</dt><dd>{age(h.manifest.ageMs)}</dd></div>
        <div className="kvrow"><dt>Store</dt><dd>{h.store.available ? h.store.kind : 'none'}</dd></div>
      </dl>
      <h3 className="h4">History sources</h3>
      <table id="health-sources" className="mini">
        <thead>
          <tr><th scope="col">source</th><th scope="col">breaker</th><th scope="col" className="num">ok</th><th scope="col" className="num">p50 / p95 / p99</th></tr>
        </thead>
        <tbody>
          {h.sources.map((x) => (
            <tr key={x.name} data-state={x.state}>
              <td title={x.name}>{x.name}</td>
              <td><span className={`pill ${x.state === 'closed' ? 'high' : x.state === 'half_open' ? 'medium' : 'low'}`}>{x.state.replace('_', '-')}</span></td>
              <td className="num">{pct(x.successRate)}</td>
              <td className="num">{`${ms(x.latencyMs.p50)} / ${ms(x.latencyMs.p95)} / ${ms(x.latencyMs.p99)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {ops.length > 0 && (
        <>
          <h3 className="h4">Latency per call</h3>
          <table id="health-ops" className="mini">
            <thead>
              <tr><th scope="col">call</th><th scope="col" className="num">n</th><th scope="col" className="num">p50 / p95 / p99</th></tr>
            </thead>
            <tbody>
              {ops.map(([k, o]) => (
                <tr key={k}><td>{k}</td><td className="num">{o.count}</td><td className="num">{`${ms(o.p50)} / ${ms(o.p95)} / ${ms(o.p99)}`}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </aside>
  );
}
