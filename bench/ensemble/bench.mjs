// The ensemble's predict() through stockcast-ensemble.wasm in Node (one thread), with the shipped
// spec, the routed LSTM, the spec's further networks (the Transformer), the 20 learner files and a
// real history (models/history/SYM.json):
//   uncached: no key, so every call computes the adaptation (51 LSTM windows in one forward call,
//             5 learners x 51 rows, naive) — the "full ensemble predict with the adaptation";
//   cached:   the same key again (members' errors from the cache).
// Beside them, in the same run, the main module's single-LSTM LoadedModel.predict (one window, all
// four horizons) as the peer. Run: node bench/ensemble/bench.mjs [--calls 300] [--symbol SCOM]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnsembleModule, loadModule } from '../../tests/node/support.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const calls = Number(arg('--calls', 300));
const symbol = arg('--symbol', 'SCOM');
const file = (p) => readFileSync(path.join(root, p));
const manifest = JSON.parse(file('models/manifest.json'));
const entry = manifest.stocks.find((s) => s.symbol === symbol);
const rows = JSON.parse(file(`models/history/${symbol}.json`)).rows;
const col = (k) => Float64Array.from(rows, (r) => r[k]);
const h = { high: col('high'), low: col('low'), close: col('close'), volume: col('volume') };

const E = await loadEnsembleModule();
const ens = new E.Ensemble(file(`models/${manifest.ensemble.file}`));
const lstmBytes = file(`models/${entry.file}`);
const stockId = entry.model_type === 'general' ? JSON.parse(new (await loadModule()).LoadedModel(lstmBytes, true).header()).meta.stocks.indexOf(symbol) : -1;
ens.addNetwork('lstm', lstmBytes, stockId);
for (const [name, f] of Object.entries(manifest.ensemble.network_files ?? {})) ens.addNetwork(name, file(`models/${f}`), -1);
for (const l of manifest.factor_models.filter((f) => f.name.startsWith('learner_'))) ens.addLearner(l.kind, file(`models/${l.file}`));

const C = await loadModule();
const lstm = new C.LoadedModel(lstmBytes, true);

const q = (v, p) => v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)];
function time(n, fn) {
  for (let i = 0; i < Math.min(50, n); i++) fn(i);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn(i);
    t[i] = performance.now() - t0;
  }
  return t.sort();
}
const fmt = (t) => `p50 ${q(t, 0.5).toFixed(3)} ms, p95 ${q(t, 0.95).toFixed(3)} ms`;

const peer = time(calls * 4, () => lstm.predict(h.close, h.volume, stockId, 0.9));
console.log(`${symbol} (${entry.model_type}, ${rows.length} rows), ${calls} calls per horizon, Node ${process.version}`);
console.log(`peer: main module LoadedModel.predict (one LSTM window, 4 horizons): ${fmt(peer)}`);
for (const horizon of [1, 5, 10, 30]) {
  const a = ens.predict({ ...h, horizon });
  if (!a.ok) throw new Error(a.message);
  const included = a.members.filter((m) => m.included).length;
  const full = time(calls, () => ens.predict({ ...h, horizon, level: 0.9 }));
  ens.predict({ ...h, key: `${symbol}|bench`, horizon });
  const cached = time(calls * 10, () => ens.predict({ ...h, key: `${symbol}|bench`, horizon, level: 0.9 }));
  console.log(`${horizon}d (${included} members): adaptation computed ${fmt(full)} (${(q(full, 0.5) / q(peer, 0.5)).toFixed(1)}x the peer); ` +
    `cached ${fmt(cached)} (${(q(cached, 0.5) / q(peer, 0.5)).toFixed(2)}x the peer)`);
}
ens.delete();
lstm.delete();
