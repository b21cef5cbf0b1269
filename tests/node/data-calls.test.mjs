// The data calls and the prediction's answer fields: history(), pastMonthReturn(), riskBatch()
// (reports cached per symbol and data date), modelInfo's version and training date,
// confidenceScore / generatedAt / expiresAt / explanation / indicators; bad arguments typed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importPackage, modelsDir } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';

let pkg;
let models;
let srv;
let sc;
let symbols;
const rowsOf = (sym) => JSON.parse(readFileSync(path.join(models.dir, 'history', `${sym}.json`), 'utf8')).rows;

before(async () => {
  models = modelsDir();
  pkg = await importPackage('node.js');
  srv = await startServer(models.dir);
  sc = await pkg.createStockcast({ baseUrl: srv.url, retryDelayMs: 1, retries: 0, predictionTtlMs: 60_000 });
  symbols = models.manifest.stocks.map((s) => s.symbol);
});
after(async () => {
  sc.dispose();
  await srv.close();
});

test('prediction answer fields: confidenceScore in [0, 1] from the core, generatedAt / expiresAt, a one-sentence explanation', async () => {
  for (const symbol of symbols.slice(0, 8)) {
    const p = await sc.predict({ symbol, horizon: '10d' });
    assert.ok(p.confidenceScore >= 0 && p.confidenceScore <= 1, String(p.confidenceScore));
    // The documented definition, checked here against the core's number.
    const pMax = Math.max(p.probabilities.bearish, p.probabilities.neutral, p.probabilities.bullish);
    const d = Math.min(1, Math.max(0, (pMax - 1 / 3) / (2 / 3)));
    const t = 1 / (1 + (p.interval.upper - p.interval.lower) / p.predictedPrice);
    assert.ok(Math.abs(p.confidenceScore - (d + t) / 2) < 1e-12);
    assert.equal(Date.parse(p.expiresAt) - Date.parse(p.generatedAt), 60_000);
    assert.equal(typeof p.explanation, 'string');
    assert.ok(p.explanation.startsWith(`${symbol} is forecast to `));
    assert.ok(p.explanation.endsWith('.') && !/\.\s+[A-Z]/.test(p.explanation), 'one sentence');
    assert.ok(p.explanation.includes(p.direction));
    assert.equal(p.indicators, undefined, 'indicators only on request');
  }
  const again = await sc.predict({ symbol: symbols[0], horizon: '10d' });
  assert.equal(again.cached, true);
  const first = await sc.predict({ symbol: symbols[0], horizon: '10d' });
  assert.equal(again.generatedAt, first.generatedAt, 'a cached answer keeps its generation time');
});

test('predict({ indicators: true }): RSI, MACD and volume trend', async () => {
  const p = await sc.predict({ symbol: symbols[0], horizon: '5d', indicators: true });
  assert.ok(p.indicators.rsi >= 0 && p.indicators.rsi <= 100);
  assert.equal(typeof p.indicators.macd, 'number');
  assert.ok(['bullish', 'bearish', 'neutral'].includes(p.indicators.macdLabel));
  assert.equal(typeof p.indicators.volumeTrend.label, 'string');
  const q = await sc.predict({ symbol: 'CUSTOMX', horizon: '5d', history: rowsOf(symbols[0]), indicators: true });
  assert.equal(q.indicators.rsi, p.indicators.rsi, 'the same rows give the same indicators');
  await assert.rejects(sc.predict({ symbol: symbols[0], horizon: '5d', indicators: 'yes' }), { code: 'invalid_input', field: 'indicators' });
});

test('history(symbols): the rows the package uses; a missing symbol is its own error', async () => {
  const r = await sc.history([symbols[1], 'NOSUCH']);
  assert.equal(r.summary.total, 2);
  assert.equal(r.summary.successful, 1);
  const rows = rowsOf(symbols[1]);
  assert.equal(r.results[0].rows.length, rows.length);
  const { date, close, volume } = rows.at(-1); // what the package predicts from (the files also carry low/high)
  assert.deepEqual(r.results[0].rows.at(-1), { date, close, volume });
  assert.equal(r.results[0].dataDate, rows.at(-1).date);
  assert.equal(r.results[0].stale, false);
  assert.equal(r.results[1].ok, false);
  assert.equal(r.results[1].error.code, 'fetch_failed');
  const one = await sc.history({ symbols: symbols[1] });
  assert.equal(one.results.length, 1);
  await assert.rejects(sc.history({ symbols: 5 }), { code: 'invalid_input', field: 'symbols' });
  await assert.rejects(sc.history(), { code: 'invalid_input', field: 'symbols' });
  const bad = await sc.history([5]);
  assert.equal(bad.results[0].error.code, 'invalid_input');
});

test('pastMonthReturn(symbol): 21 trading days, by the core', async () => {
  const sym = symbols[2];
  const rows = rowsOf(sym);
  const n = rows.length;
  const r = await sc.pastMonthReturn(sym);
  assert.equal(r.days, 21);
  assert.equal(r.toDate, rows[n - 1].date);
  assert.equal(r.fromDate, rows[n - 22].date);
  assert.ok(Math.abs(r.return - (rows[n - 1].close / rows[n - 22].close - 1)) < 1e-12);
  await assert.rejects(sc.pastMonthReturn(5), { code: 'invalid_input', field: 'symbol' });
  const short = await pkg.createStockcast({ baseUrl: srv.url, historySources: [() => rows.slice(0, 10)] });
  try {
    await assert.rejects(short.pastMonthReturn(sym), { code: 'insufficient_history', required: 22, provided: 10 });
  } finally {
    short.dispose();
  }
});

test('riskBatch({ symbols }): one report or error per symbol, predictBatch summary; reports cached per symbol and data date', async () => {
  const syms = [symbols[0], symbols[3], 'NOSUCH'];
  const a = await sc.riskBatch({ symbols: syms });
  assert.deepEqual(Object.keys(a.summary).sort(), ['failed', 'modelCalls', 'successful', 'total', 'totalTimeMs']);
  assert.equal(a.summary.total, 3);
  assert.equal(a.summary.successful, 2);
  assert.equal(a.results[2].ok, false);
  assert.equal(typeof a.results[0].report.risk_score.total, 'number');
  const b = await sc.riskBatch({ symbols: syms.slice(0, 2) });
  assert.equal(b.summary.modelCalls, 0, 'both reports from the cache');
  assert.ok(b.results.every((r) => r.report.cached));
  assert.deepEqual(b.results[0].report.risk_score, a.results[0].report.risk_score);
  sc.clearCache(symbols[0]);
  const c = await sc.riskBatch({ symbols: [symbols[0]] });
  assert.equal(c.summary.modelCalls, 1);
  await assert.rejects(sc.riskBatch({ symbols: 'SCOM' }), { code: 'invalid_input', field: 'symbols' });
  await assert.rejects(sc.riskBatch({ symbols: [symbols[0]], options: 3 }), { code: 'invalid_input', field: 'options' });
});

test("modelInfo: the model's version and training date", async () => {
  const sym = models.manifest.stocks.find((s) => s.model_type === 'stock_specific').symbol;
  const fresh = await pkg.createStockcast({ baseUrl: srv.url });
  try {
    const cold = await fresh.modelInfo(sym);
    assert.equal(cold.loaded, false);
    assert.equal(cold.version, null);
    assert.equal(cold.trainedAt, models.manifest.training_date ?? null);
    const warm = await fresh.modelInfo(sym, { load: true });
    assert.equal(warm.loaded, true);
    assert.notEqual(warm.version, null);
    assert.ok(warm.modelVersion.includes('@'));
    const p = await fresh.predict({ symbol: sym, horizon: '1d' });
    assert.equal(warm.modelVersion, p.modelVersion);
    assert.equal(warm.trainedAt, p.trainedAt);
    await assert.rejects(fresh.modelInfo(sym, { load: 'yes' }), { code: 'invalid_input', field: 'load' });
  } finally {
    fresh.dispose();
  }
});

test('the general model stays resident: pinned, outside cacheSize, never evicted', async () => {
  const general = models.manifest.models.find((m) => m.kind === 'general').file;
  const generalSym = models.manifest.stocks.find((s) => s.model_type === 'general').symbol;
  const specific = models.manifest.stocks.filter((s) => s.model_type === 'stock_specific').map((s) => s.symbol);
  const evicted = [];
  const one = await pkg.createStockcast({ baseUrl: srv.url, cacheSize: 1, onEvent: (e) => e.type === 'evict' && evicted.push(e.file) });
  try {
    await one.predict({ symbol: generalSym, horizon: '1d' });
    for (const s of specific.slice(0, 4)) await one.predict({ symbol: s, horizon: '1d' });
    const st = one.stats().models;
    assert.deepEqual(st.pinnedFiles, [general]);
    assert.ok(st.residentFiles.includes(general));
    assert.equal(st.resident, 2, 'the general model plus cacheSize (1) others');
    assert.equal(st.evictions, 3);
    assert.ok(!evicted.includes(general));
    await one.predict({ symbol: generalSym, horizon: '5d' });
    assert.equal(one.stats().models.loads, 5, 'the general model was not loaded again');
  } finally {
    one.dispose();
  }
});

test('expiresAt with predictionTtlMs 0 and Infinity', async () => {
  for (const [ttl, check] of [[0, (p) => assert.equal(p.expiresAt, p.generatedAt)], [Infinity, (p) => assert.equal(p.expiresAt, null)]]) {
    const x = await pkg.createStockcast({ baseUrl: srv.url, predictionTtlMs: ttl });
    try {
      check(await x.predict({ symbol: symbols[0], horizon: '1d' }));
    } finally {
      x.dispose();
    }
  }
});
