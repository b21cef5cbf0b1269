// Full risk report for all 66 stocks in WASM under Node (the risk module the package loads on
// demand), through the Embind entry point the package uses (typed arrays in, the report object
// out): whole price history + NASI per stock.
//   node bench/wasm/bench_risk.mjs [reps]
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadRiskModule, repoPath } from '../../tests/node/support.mjs';

const M = await loadRiskModule();
const reps = Number(process.argv[2] || 3);

function load(file) {
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  return {
    dates: Int32Array.from(rows, (r) => +r[0].replaceAll('-', '')), closes: Float64Array.from(rows, (r) => +r[3]),
    volumes: Float64Array.from(rows, (r) => (r[5] === '' ? NaN : +r[5])),
  };
}
const market = load(repoPath('models/data/nse/indices/NASI.csv'));
const dir = repoPath('models/data/nse/prices');
const requests = readdirSync(dir).filter((f) => f.endsWith('.csv')).map((f) => {
  const s = load(path.join(dir, f));
  const symbol = f.replace('.csv', '');
  return { symbol, dates: s.dates, closes: s.closes, volumes: s.volumes, market: { symbol: 'NASI', dates: market.dates, closes: market.closes } };
});

let fallbacks = 0, failures = 0;
const totals = [];
const perStock = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  for (const req of requests) {
    const s0 = performance.now();
    const out = M.riskReport(req);
    perStock.push(performance.now() - s0);
    if (r === 0 && !out.ok) failures++;
    if (r === 0 && out.ok && out.report.volatility.method !== 'garch') fallbacks++;
  }
  totals.push(performance.now() - t0);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const p95 = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length * 0.95)];
const bytes = requests.reduce((a, q) => a + q.dates.byteLength + q.closes.byteLength + q.volumes.byteLength + q.market.dates.byteLength + q.market.closes.byteLength, 0);
console.log(`wasm risk report, ${requests.length} stocks (${Math.round(bytes / 1024)} KB of typed arrays in requests)`);
console.log(`total per pass: median ${med(totals).toFixed(0)} ms (passes: ${totals.map((t) => t.toFixed(0)).join(' / ')})`);
console.log(`per stock: median ${med(perStock).toFixed(2)} ms, p95 ${p95(perStock).toFixed(2)} ms; EWMA fallbacks ${fallbacks}, errors ${failures}`);
