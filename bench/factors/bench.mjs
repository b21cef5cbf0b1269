// predictFactors() through the package (Node, the real .wasm, models over a local HTTP server),
// raw features, one call at a time: p50/p95/p99 per model, and all five learners of one stock and
// horizon together (five sequential calls). Run: node bench/factors/bench.mjs [--calls 2000]
// The scikit-learn peer (one-row predict) is bench/factors/sklearn_peer.py.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importPackage } from '../../tests/node/helpers/fixtures.mjs';
import { startServer } from '../../tests/node/helpers/server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const at = process.argv.indexOf('--calls');
const n = at > 0 ? Number(process.argv[at + 1]) : 2000;
const rows = JSON.parse(readFileSync(path.join(root, 'tests/golden/factors.json'), 'utf8')).x;
const srv = await startServer(path.join(root, 'models'));
const pkg = await importPackage('node.js');
const sc = await pkg.createStockcast({ baseUrl: srv.url });
const q = (v, p) => v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)];
const us = (ms) => (ms * 1000).toFixed(1);
const KINDS = ['random_forest', 'extra_trees', 'gradient_boosting', 'svr', 'mlp'];

async function timeCalls(fn) {
  for (let i = 0; i < 500; i++) await fn(i); // warm-up: JIT, first loads
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    t[i] = performance.now() - t0;
  }
  return t.sort();
}

const out = [];
const row = (name, t) => out.push([name, us(q(t, 0.5)), us(q(t, 0.95)), us(q(t, 0.99))]);
for (const model of ['factor_range_linear', 'factor_highrange_logistic'])
  row(model, await timeCalls((i) => sc.predictFactors({ model, features: rows[i % rows.length], clamp: true })));
for (const h of [1, 5, 10, 30]) {
  for (const kind of KINDS) {
    const model = `learner_${kind}_${h}d`;
    const t = await timeCalls((i) => sc.predictFactors({ model, features: rows[i % rows.length], clamp: true }));
    if (h === 5) row(model, t);
  }
  row(`all five learners ${h}d`, await timeCalls(async (i) => {
    for (const kind of KINDS) await sc.predictFactors({ model: `learner_${kind}_${h}d`, features: rows[i % rows.length], clamp: true });
  }));
}
console.log(`predictFactors, raw features, ${n} calls each (µs)\n| call | p50 | p95 | p99 |\n| --- | --- | --- | --- |`);
for (const r of out) console.log(`| ${r.join(' | ')} |`);
sc.dispose();
srv.close();
