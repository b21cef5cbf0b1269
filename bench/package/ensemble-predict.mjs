// predict({ model: 'ensemble' }) through the package (Node entry, one thread), beside the peer in
// the same run: predict() of the routed LSTM ('auto') on the same history. Three cases:
//   adaptation computed — the caller's history (rows with high/low): the core caches nothing for a
//                         caller's history, so every call runs every member at the 50 adaptation
//                         origins and the latest one;
//   core-cached         — the shipped history: the members' errors come from the Ensemble's cache
//                         (the package's prediction cache is off, predictionTtlMs 0);
//   peer                — predict({ symbol, horizon, history }) with the routed LSTM.
// Usage: node bench/package/ensemble-predict.mjs [--calls 50] [--symbol SCOM] [--horizon 10d]
// Needs web/dist (scripts/build-web.sh) with stockcast-ensemble.wasm and models/ with an ensemble entry.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tests/node/helpers/server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const calls = Number(opt('--calls', 50));
const symbol = opt('--symbol', 'SCOM');
const horizon = opt('--horizon', '10d');

const { createStockcast } = await import(path.join(ROOT, 'web/dist/node.js'));
const srv = await startServer(path.join(ROOT, 'models'));
const sc = await createStockcast({ baseUrl: srv.url, predictionTtlMs: 0 });
const rows = JSON.parse(readFileSync(path.join(ROOT, 'models/history', `${symbol}.json`), 'utf8')).rows;
const time = async (f) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};
const first = await time(() => sc.predict({ symbol, horizon, model: 'ensemble' }));
const runs = { adaptation: [], cached: [], peer: [] };
for (let i = 0; i < calls; i++) {
  // Interleaved, so load on the machine falls on all three alike.
  runs.adaptation.push(await time(() => sc.predict({ symbol, horizon, model: 'ensemble', history: rows })));
  runs.cached.push(await time(() => sc.predict({ symbol, horizon, model: 'ensemble' })));
  runs.peer.push(await time(() => sc.predict({ symbol, horizon, history: rows })));
}
const q = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
const peer = q(runs.peer, 0.5);
console.log(`${symbol} ${horizon}, ${calls} interleaved calls each; first ensemble call (module, member files, Ensemble): ${first.toFixed(1)} ms`);
for (const [k, a] of Object.entries(runs))
  console.log(`${k.padEnd(11)} p50 ${q(a, 0.5).toFixed(3)} ms  p95 ${q(a, 0.95).toFixed(3)} ms  ÷ peer p50 ${(q(a, 0.5) / peer).toFixed(2)}`);
sc.dispose();
await srv.close();
