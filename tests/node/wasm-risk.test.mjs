// The risk engine in WebAssembly (stockcast-risk.wasm, the module the package loads on demand)
// against references nobody here wrote: R fGarch fits and TTR indicators on real NSE series
// (tests/golden/risk/, made by scripts/golden_risk.R), through its Embind binding: typed arrays
// in (dates as yyyymmdd Int32Array), the report object out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadRiskModule, repoPath } from './support.mjs';

const M = await loadRiskModule();
const golden = (name) => JSON.parse(readFileSync(repoPath(`tests/golden/risk/${name}`), 'utf8'));
const rowsOf = (sym) => readFileSync(repoPath(`models/data/nse/prices/${sym}.csv`), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const events = readFileSync(repoPath('models/data/nse/events.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const rel = (a, b) => Math.abs(a - b) / Math.abs(b);

const dateNumbers = (dates) => Int32Array.from(dates, (d) => +d.replaceAll('-', ''));

function report(sym, rows, extra = {}) {
  const req = {
    symbol: sym, dates: dateNumbers(rows.map((r) => r[0])), closes: Float64Array.from(rows, (r) => +r[3]),
    volumes: Float64Array.from(rows, (r) => +r[5]), events: events.filter((e) => e[0] === sym).map((e) => e[1]), ...extra,
  };
  return M.riskReport(req);
}

test('GARCH(1,1) in WASM matches R fGarch on real NSE series', () => {
  const g = golden('garch.json');
  assert.ok(g.cases.length >= 3);
  for (const c of g.cases) {
    const out = report(c.symbol, rowsOf(c.symbol), { options: { window: c.n_returns } });
    assert.equal(out.ok, true, JSON.stringify(out.error));
    const v = out.report.volatility;
    assert.equal(out.report.window.first_date, c.first_return_date, c.symbol);
    assert.equal(v.method, 'garch', c.symbol);
    assert.ok(v.log_likelihood >= c.log_likelihood - 1e-6, `${c.symbol}: ll ${v.log_likelihood} < ${c.log_likelihood}`);
    assert.ok(Math.abs(v.params.alpha - c.alpha) < 2e-5 && Math.abs(v.params.beta - c.beta) < 2e-5, `${c.symbol}: ${JSON.stringify(v.params)}`);
    assert.ok(rel(v.params.omega, c.omega) < 2e-5, c.symbol);
    for (const f of v.forecasts) assert.ok(rel(f.daily, c.forecast_sd[f.horizon - 1]) < 2e-5, `${c.symbol} ${f.horizon}d`);
  }
});

test('RSI(14) and MACD(12,26,9) in WASM match R TTR', () => {
  const g = golden('indicators.json');
  for (const c of g.cases) {
    const rows = rowsOf(c.symbol);
    const last = rows.findIndex((r) => r[0] === c.last_date);
    const window = rows.slice(last + 1 - c.n_closes, last + 1);
    const out = report(c.symbol, window, { events: [] });
    assert.equal(out.ok, true, JSON.stringify(out.error));
    const ind = out.report.indicators;
    assert.ok(Math.abs(ind.rsi - c.rsi.at(-1)) < 1e-9, `${c.symbol}: rsi ${ind.rsi} vs ${c.rsi.at(-1)}`);
    assert.ok(Math.abs(ind.macd - c.macd.at(-1)) < 1e-9 * Math.max(1, Math.abs(+window.at(-1)[3])), `${c.symbol}: macd`);
    assert.ok(Math.abs(ind.signal - c.signal.at(-1)) < 1e-9 * Math.max(1, Math.abs(+window.at(-1)[3])), `${c.symbol}: signal`);
  }
});

test('bad risk input is a typed error in WASM, never NaN or a crash', () => {
  const rows = rowsOf('SCOM').slice(-300);
  const bad = rows.map((r) => [...r]);
  bad[7][3] = '-1';
  const out = report('SCOM', bad);
  assert.equal(out.ok, false);
  assert.equal(out.code, 'invalid_input');
  assert.match(out.message, /^closes\[7\]/);
  const short = report('SCOM', rows.slice(-5));
  assert.equal(short.ok, false);
  assert.equal(short.code, 'insufficient_history');
  // Not an object, a date number that is no date, a bad option: the JSON API's checks and codes.
  assert.equal(M.riskReport(42).code, 'invalid_input');
  const dates = dateNumbers(rows.map((r) => r[0]));
  dates[3] = 20211345;
  const bd = M.riskReport({ symbol: 'SCOM', dates, closes: Float64Array.from(rows, (r) => +r[3]) });
  assert.equal(bd.code, 'invalid_input');
  assert.match(bd.message, /2021-13-45/);
  const win = report('SCOM', rows, { options: { window: 5 } });
  assert.equal(win.code, 'invalid_input');
  assert.match(win.message, /options\.window: expected an integer in \[60, 200000\], got 5$/);
  const single = M.optimizePortfolio({ assets: [] });
  assert.equal(single.ok, false);
  assert.equal(single.code, 'invalid_input');
  const good = JSON.stringify(report('SCOM', rows));
  assert.ok(!/NaN|null,"score"/.test(good));
});

test('risk calls leave no Embind handle or heap growth behind (reports, errors, portfolios)', () => {
  const rows = rowsOf('SCOM').slice(-400);
  const asset = (sym) => ({ symbol: sym, dates: dateNumbers(rowsOf(sym).slice(-300).map((r) => r[0])), closes: Float64Array.from(rowsOf(sym).slice(-300), (r) => +r[3]) });
  const portfolio = { assets: [asset('SCOM'), asset('EQTY'), asset('KCB')], methods: ['min_variance', 'max_sharpe'] };
  const round = () => {
    assert.equal(report('SCOM', rows).ok, true);
    assert.equal(report('SCOM', rows.slice(0, 10)).ok, false); // insufficient_history: an error value
    assert.equal(M.optimizePortfolio(portfolio).ok, true);
  };
  for (let i = 0; i < 5; i++) round(); // warm-up: the heap settles
  const handles = M.objects().handles;
  const heap = M.heapBytes();
  for (let i = 0; i < 50; i++) round();
  assert.equal(M.objects().handles, handles, 'live emscripten::val handles');
  assert.equal(M.heapBytes(), heap, 'WASM heap');
});
