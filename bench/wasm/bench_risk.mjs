// Full risk report for all 66 stocks in WASM under Node (the risk module the package loads on
// demand), through the JSON entry point the package uses: whole price history + NASI per stock.
//   node bench/wasm/bench_risk.mjs [reps]
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadRiskModule, repoPath } from '../../tests/node/support.mjs';

const M = await loadRiskModule();
const reps = Number(process.argv[2] || 3);

function load(file) {
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  return { dates: rows.map((r) => r[0]), closes: rows.map((r) => +r[3]), volumes: rows.map((r) => (r[5] === '' ? null : +r[5])) };
}
const market = load(repoPath('models/data/nse/indices/NASI.csv'));
const dir = repoPath('models/data/nse/prices');
const requests = readdirSync(dir).filter((f) => f.endsWith('.csv')).map((f) => {
  const s = load(path.join(dir, f));
  const symbol = f.replace('.csv', '');
  return JSON.stringify({ symbol, dates: s.dates, closes: s.closes, volumes: s.volumes, market: { symbol: 'NASI', dates: market.dates, closes: market.closes } });
});

let fallbacks = 0, failures = 0;
const totals = [];
const perStock = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  for (const req of requests) {
    const s0 = performance.now();
    const out = JSON.parse(M.riskReportJson(req));
    perStock.push(performance.now() - s0);
    if (r === 0 && !out.ok) failures++;
    if (r === 0 && out.ok && out.report.volatility.method !== 'garch') fallbacks++;
  }
  totals.push(performance.now() - t0);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const p95 = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length * 0.95)];
console.log(`wasm risk report, ${requests.length} stocks (${Math.round(requests.reduce((a, q) => a + q.length, 0) / 1024)} KB of JSON requests)`);
console.log(`total per pass: median ${med(totals).toFixed(0)} ms (passes: ${totals.map((t) => t.toFixed(0)).join(' / ')})`);
console.log(`per stock: median ${med(perStock).toFixed(2)} ms, p95 ${p95(perStock).toFixed(2)} ms; EWMA fallbacks ${fallbacks}, errors ${failures}`);
