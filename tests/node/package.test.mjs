// The npm package (web/): its API against the real .wasm and a real HTTP server on 127.0.0.1
// serving the models (models/ when trained, else fixtures made from the golden model files).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { repoPath, loadModule } from './support.mjs';
import { headerOf, importPackage, modelsDir, packageDir } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';

let srv;
let pkg;
let models;
const rowsOf = (sym) => JSON.parse(readFileSync(repoPath(`models/history/${sym}.json`), 'utf8')).rows;

before(async () => {
  models = modelsDir();
  srv = await startServer(models.dir);
  pkg = await importPackage('node.js');
});
after(() => srv.close());

const create = (o = {}) => pkg.createStockcast({ baseUrl: srv.url, retryDelayMs: 5, ...o });
const specificSymbol = () => models.manifest.stocks.find((s) => s.model_type === 'stock_specific').symbol;
const generalSymbol = () => models.manifest.stocks.find((s) => s.model_type === 'general').symbol;

test('package layout: ESM, types first, no side effects, one static wasm URL, no Node code in the browser entry', async () => {
  const pj = JSON.parse(readFileSync(repoPath('web/package.json'), 'utf8'));
  assert.equal(pj.type, 'module');
  assert.equal(pj.sideEffects, false);
  for (const [k, v] of Object.entries(pj.exports)) {
    if (typeof v === 'object') assert.equal(Object.keys(v)[0], 'types', `exports["${k}"]: types must come first`);
    if (typeof v === 'object') assert.ok(existsSync(repoPath(path.join('web', v.types))), `${v.types} exists`);
  }
  const dist = await packageDir();
  // Every module of the package but the Node entry's own.
  const browserFiles = readdirSync(dist).filter((f) => f.endsWith('.js') && !['node.js', 'node-http.js'].includes(f));
  let urls = 0;
  for (const f of browserFiles) {
    const src = readFileSync(path.join(dist, f), 'utf8');
    assert.doesNotMatch(src, /from 'node:|require\(|process\./, `${f} has Node code`);
    urls += (src.match(/new URL\('\.\/stockcast\.wasm', import\.meta\.url\)/g) || []).length;
  }
  assert.equal(urls, 1, 'exactly one static new URL(./stockcast.wasm, import.meta.url) in the browser build');
  // Importing fetches and instantiates nothing (server-side rendering imports the module).
  const probe = `
    let calls = 0;
    globalThis.fetch = () => { calls++; throw new Error('fetch at import'); };
    for (const k of ['compile', 'instantiate', 'compileStreaming', 'instantiateStreaming']) WebAssembly[k] = () => { calls++; throw new Error(k); };
    const a = await import(${JSON.stringify(path.join(dist, 'index.js'))});
    const b = await import(${JSON.stringify(path.join(dist, 'node.js'))});
    await import(${JSON.stringify(path.join(dist, 'worker-client.js'))});
    if (calls) throw new Error('side effects at import: ' + calls);
    // The Node entry loads its HTTP client, zlib and crypto on first use (~5 ms each to import).
    const loaded = process.moduleLoadList.filter((m) => /^NativeModule (crypto|https?|zlib)$/.test(m));
    if (loaded.length) throw new Error('loaded at import: ' + loaded.join(', '));
    if (!/^[0-9a-f]{64}$/.test(a.WASM_SHA256) || a.VERSION !== b.VERSION) throw new Error('bad exports');
    console.log(a.VERSION, a.WASM_SHA256);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
  const [version, sha] = out.trim().split(' ');
  assert.equal(version, pj.version);
  const { createHash } = await import('node:crypto');
  assert.equal(sha, createHash('sha256').update(readFileSync(path.join(dist, 'stockcast.wasm'))).digest('hex'));
});

test('wasmBinary and wasmUrl overrides', async () => {
  const dist = await packageDir();
  const bytes = readFileSync(path.join(dist, 'stockcast.wasm'));
  const a = await create({ wasmBinary: bytes });
  const b = await create({ wasmUrl: new URL(`file://${path.join(dist, 'stockcast.wasm')}`) });
  assert.equal((await a.predict({ symbol: specificSymbol(), horizon: '1d' })).predictedPrice,
    (await b.predict({ symbol: specificSymbol(), horizon: '1d' })).predictedPrice);
  a.dispose();
  b.dispose();
  await assert.rejects(create({ wasmUrl: '/nonexistent/stockcast.wasm' }), { code: 'fetch_failed' });
  await assert.rejects(create({ wasmBinary: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) }), (e) => e instanceof pkg.StockcastError);
});

test('available() and modelInfo()', async () => {
  const sc = await create();
  const a = await sc.available();
  const m = models.manifest;
  assert.equal(a.totalStocks, m.stocks.length);
  assert.equal(a.trainedCount, m.stocks.filter((s) => s.model_type === 'stock_specific').length);
  assert.equal(a.trainedCount + a.generalCount, a.totalStocks);
  assert.deepEqual(a.horizons, ['1d', '5d', '10d', '30d']);
  assert.equal(a.trainingDate, m.training_date);
  assert.equal(Object.values(a.bySector).reduce((x, s) => x + s.total, 0), a.totalStocks);
  const spec = await sc.modelInfo(specificSymbol().toLowerCase());
  assert.equal(spec.status, 'trained');
  assert.equal(spec.modelType, 'stock_specific');
  assert.match(spec.sha256, /^[0-9a-f]{64}$/);
  assert.equal((await sc.modelInfo(generalSymbol())).status, 'general');
  const none = await sc.modelInfo('ZZZQ');
  assert.equal(none.status, 'not_trained');
  assert.equal(none.modelType, 'general_unseen');
  sc.dispose();
});

test('routing is the core\'s one rule (routing.hpp): every manifest symbol, unknown ones with and without a history', async () => {
  const sc = await create();
  const m = models.manifest;
  const general = m.models.find((x) => x.kind === 'general').file;
  for (const s of m.stocks) {
    const info = await sc.modelInfo(s.symbol.toLowerCase());
    assert.equal(info.modelType, s.model_type, s.symbol);
    assert.equal(info.file, s.file, s.symbol);
    assert.equal(info.fallbackFile, s.model_type === 'stock_specific' ? (s.fallback ? s.fallback.file : general) : null, s.symbol);
    assert.equal(info.confidence, s.model_type === 'stock_specific' ? 'high' : 'medium');
  }
  const unknown = ['SCOMM', 'ZZZQ', 'KPLC-P5'];
  const none = await sc.predictBatch({ symbols: unknown, horizon: '1d' });
  for (const r of none.results) {
    assert.equal(r.error.code, 'model_not_found', r.symbol);
    assert.equal(r.error.suggestion, (await sc.modelInfo(r.symbol)).suggestion);
  }
  assert.equal(none.results[0].error.suggestion, 'SCOM');
  assert.equal(none.results[2].error.suggestion, 'KPLC-P4');
  const histories = Object.fromEntries(unknown.map((u) => [u, rowsOf('SCOM')]));
  const seen = await sc.predictBatch({ symbols: unknown, horizon: '1d', histories });
  for (const r of seen.results) assert.equal(r.prediction.modelType, 'general_unseen', r.symbol);
  sc.dispose();
});

test('a prediction carries every documented field; routing stock_specific → general → general_unseen → model_not_found', async () => {
  const sc = await create();
  const s = specificSymbol();
  const p = await sc.predict({ symbol: s, horizon: '10d' });
  const stock = models.manifest.stocks.find((x) => x.symbol === s);
  assert.equal(p.symbol, s);
  assert.equal(p.horizon, '10d');
  assert.equal(p.modelType, 'stock_specific');
  assert.equal(p.confidence, 'high');
  assert.equal(p.currentPrice, rowsOf(s).at(-1).close);
  assert.equal(p.dataDate, rowsOf(s).at(-1).date);
  for (const k of ['predictedPrice', 'expectedReturn', 'logReturn', 'latencyMs']) assert.equal(typeof p[k], 'number', k);
  assert.ok(p.interval.lower <= p.predictedPrice && p.predictedPrice <= p.interval.upper);
  assert.equal(p.interval.level, 0.9);
  assert.ok(['bearish', 'neutral', 'bullish'].includes(p.direction));
  const sum = p.probabilities.bearish + p.probabilities.neutral + p.probabilities.bullish;
  assert.ok(Math.abs(sum - 1) < 1e-9);
  assert.equal(typeof p.modelVersion, 'string');
  if (stock.test_metrics) {
    assert.equal(p.heldOut.mape, stock.test_metrics['10d'].mape);
    assert.equal(p.heldOut.naiveMape, stock.test_metrics['10d'].naive_mape);
  }
  const g = await sc.predict({ symbol: generalSymbol(), horizon: '1d', level: 0.8 });
  assert.equal(g.modelType, 'general');
  assert.equal(g.confidence, 'medium');
  assert.equal(g.interval.level, 0.8);
  const u = await sc.predict({ symbol: 'NEWCO', horizon: '5d', history: rowsOf('SCOM') });
  assert.equal(u.modelType, 'general_unseen');
  assert.equal(u.confidence, 'low');
  assert.equal(u.heldOut, null);
  await assert.rejects(sc.predict({ symbol: 'SCMO', horizon: '5d' }), (e) => {
    assert.equal(e.code, 'model_not_found');
    assert.ok(e instanceof pkg.StockcastError);
    assert.equal(e.availableStocks.length, models.manifest.stocks.length);
    assert.ok(['SCOM', 'SCAN'].includes(e.suggestion), e.suggestion);
    return true;
  });
  // Bare closes work too (no dates: dataDate null).
  const c = await sc.predict({ symbol: s, horizon: '1d', history: rowsOf(s).map((r) => r.close) });
  assert.equal(c.dataDate, null);
  assert.equal(c.predictedPrice, (await sc.predict({ symbol: s, horizon: '1d' })).predictedPrice);
  sc.dispose();
});

// The input window a model with these InputSpec features sees (the test's own reference).
function windowOf(header, closes) {
  const w = header.architecture.window;
  const feats = header.input.features;
  const scale = header.input.scale;
  const last = closes.at(-1);
  const x = [];
  for (let t = closes.length - w; t < closes.length; t++)
    for (let f = 0; f < feats.length; f++) {
      if (feats[f] === 'log_close_rel_last') x.push(Math.log(closes[t] / last) * scale[f]);
      else if (feats[f] === 'log_return') x.push(Math.log(closes[t] / closes[t - 1]) * scale[f]);
      else return null;
    }
  return x;
}

// log_return = scale[h] × y[h]; a general model may carry per-stock shrinkage, in which case a
// listed stock gets target_scale[h] × stock_shrink[symbol][h] × y[h] (core/include/stockcast/forecast.hpp).
function outputScale(header, id) {
  const mt = header.metrics || {};
  const sym = id >= 0 ? header.meta.stocks[id] : undefined;
  const a = sym !== undefined && mt.stock_shrink && mt.stock_shrink[sym];
  if (Array.isArray(a) && Array.isArray(mt.target_scale)) return a.map((x, h) => x * mt.target_scale[h]);
  return header.output.scale;
}

test('predictions equal the native CLI raw outputs × output scale (≤ 1e-5)', async (t) => {
  const cli = repoPath('build/stockcast');
  const Module = existsSync(cli) ? null : await loadModule();
  // The float32 kernel: the one the CLI and the raw forward run (int16 is predict-sync.test.mjs's).
  const sc = await create({ predictionTtlMs: 0, kernel: 'float32' });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'stockcast-parity-'));
  const cases = [[specificSymbol(), specificSymbol()], [generalSymbol(), generalSymbol()], ['NEWCO', 'KCB']];
  let checked = 0;
  for (const [symbol, dataOf] of cases) {
    const rows = rowsOf(dataOf);
    const closes = rows.map((r) => r.close);
    const route = models.manifest.stocks.find((s) => s.symbol === symbol);
    const file = path.join(models.dir, route ? route.file : 'general.stkm');
    const header = headerOf(readFileSync(file));
    const x = windowOf(header, closes);
    if (!x) {
      t.diagnostic(`${symbol}: features ${header.input.features} not reproduced by this test; skipped`);
      continue;
    }
    const id = header.meta.kind === 'general' ? header.meta.stocks.indexOf(symbol) : -1;
    let y;
    if (Module) {
      const m = new Module.LoadedModel(readFileSync(file), true);
      y = Array.from(m.forward(new Float32Array(x), new Int32Array([id]), 1).y);
      m.delete();
    } else {
      const input = path.join(tmp, `${symbol}.json`);
      writeFileSync(input, JSON.stringify({ x: [x], stock_ids: [id] }));
      y = JSON.parse(execFileSync(cli, ['run', file, '--input', input], { encoding: 'utf8' })).y[0];
    }
    const scale = outputScale(header, id);
    for (const [k, days] of header.output.horizons.entries()) {
      const p = await sc.predict({ symbol, horizon: `${days}d`, history: rows });
      const want = scale[k] * y[k];
      assert.ok(Math.abs(p.logReturn - want) <= 1e-5, `${symbol} ${days}d: ${p.logReturn} vs ${want}`);
      checked++;
    }
  }
  assert.ok(checked >= 8);
  sc.dispose();
});

test('predictBatch: input order, partial failures, summary, one WASM call per model', async () => {
  const sc = await create({ predictionTtlMs: 0 });
  const a = await sc.available();
  const handles0 = sc.stats().wasmObjects.handles;
  const symbols = [...a.symbols.slice(0, 30), 'NOPE', 42, a.symbols[0]];
  const r = await sc.predictBatch({ symbols, horizon: '5d', histories: { NEWCO: rowsOf('KCB') } });
  // The batch's results (value objects, error values) leave no emscripten::val handle behind.
  assert.equal(sc.stats().wasmObjects.handles, handles0);
  assert.equal(sc.stats().wasmObjects.models, sc.stats().models.resident);
  assert.equal(r.results.length, symbols.length);
  assert.equal(r.summary.total, symbols.length);
  assert.equal(r.summary.failed, 2);
  assert.equal(r.summary.successful, symbols.length - 2);
  assert.equal(typeof r.summary.totalTimeMs, 'number');
  assert.equal(r.results[30].error.code, 'model_not_found');
  assert.equal(r.results[31].error.code, 'invalid_input');
  const files = new Set(symbols.slice(0, 30).map((s) => models.manifest.stocks.find((x) => x.symbol === s).file));
  assert.equal(r.summary.modelCalls, files.size);
  for (let i = 0; i < 30; i++) {
    assert.equal(r.results[i].symbol, symbols[i]);
    const single = await sc.predict({ symbol: symbols[i], horizon: '5d' });
    assert.equal(r.results[i].prediction.predictedPrice, single.predictedPrice, symbols[i]);
  }
  sc.dispose();
});

test('predictSector: trainedCount, totalCount, every stock of the sector', async () => {
  const sc = await create();
  const [sector, syms] = Object.entries(models.manifest.sectors).sort((x, y) => y[1].length - x[1].length)[0];
  const r = await sc.predictSector({ sector: sector.toUpperCase(), horizon: '30d' });
  assert.equal(r.sector, sector);
  assert.equal(r.totalCount, syms.length);
  assert.equal(r.trainedCount, syms.filter((s) => models.manifest.stocks.find((x) => x.symbol === s).model_type === 'stock_specific').length);
  assert.equal(r.results.length, syms.length);
  assert.equal(r.summary.successful + r.summary.failed, syms.length);
  await assert.rejects(sc.predictSector({ sector: 'Astrology', horizon: '1d' }), { code: 'invalid_input', field: 'sector', reason: 'unknown_sector' });
  sc.dispose();
});

test('prediction cache: hits within the TTL, keyed by data date, expires, clearCache', async () => {
  const sc = await create({ predictionTtlMs: 1000 });
  const s = specificSymbol();
  const p1 = await sc.predict({ symbol: s, horizon: '1d' });
  const p2 = await sc.predict({ symbol: s, horizon: '1d' });
  assert.equal(p1.cached, false);
  assert.equal(p2.cached, true);
  assert.equal(p2.predictedPrice, p1.predictedPrice);
  // A different last data date is a different key.
  const rows = rowsOf(s).slice(0, -1);
  const p3 = await sc.predict({ symbol: s, horizon: '1d', history: rows });
  assert.equal(p3.cached, false);
  assert.equal(p3.dataDate, rows.at(-1).date);
  assert.equal((await sc.predict({ symbol: s, horizon: '1d', level: 0.95 })).cached, false);
  let st = sc.stats();
  assert.equal(st.cacheHits, 1);
  assert.equal(st.cacheMisses, 3);
  assert.equal(st.hitRate, 0.25);
  assert.equal(st.latency[s].count, 4);
  assert.ok(st.models.loads >= 1 && st.models.loadTimeMs > 0);
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await sc.predict({ symbol: s, horizon: '1d' })).cached, false, 'expired after the TTL');
  assert.equal((await sc.predict({ symbol: s, horizon: '1d' })).cached, true);
  sc.clearCache(s);
  assert.equal((await sc.predict({ symbol: s, horizon: '1d' })).cached, false);
  sc.clearCache();
  st = sc.stats();
  assert.equal(st.models.resident, 0);
  assert.equal(st.cachedPredictions, 0);
  sc.dispose();
});

test('every bad argument yields its code', async () => {
  const sc = await create();
  const s = specificSymbol();
  const rows = rowsOf(s);
  const cases = [
    [{ horizon: '1d' }, 'invalid_input', 'symbol', 'required'],
    [{ symbol: 7, horizon: '1d' }, 'invalid_input', 'symbol', 'wrong_type'],
    [{ symbol: '  ', horizon: '1d' }, 'invalid_input', 'symbol', 'empty'],
    [{ symbol: s }, 'invalid_input', 'horizon', 'required'],
    [{ symbol: s, horizon: '2d' }, 'invalid_input', 'horizon', 'unknown_horizon'],
    [{ symbol: s, horizon: 10 }, 'invalid_input', 'horizon', 'unknown_horizon'],
    [{ symbol: s, horizon: '1d', level: 0.5 }, 'invalid_input', 'level', 'unknown_level'],
    [{ symbol: s, horizon: '1d', history: 'prices' }, 'invalid_input', 'history', 'wrong_type'],
    [{ symbol: s, horizon: '1d', history: [1, 2, NaN] }, 'invalid_input', 'history', 'nan'],
    [{ symbol: s, horizon: '1d', history: [1, 2, Infinity] }, 'invalid_input', 'history', 'not_finite'],
    [{ symbol: s, horizon: '1d', history: [1, 0, 2] }, 'invalid_input', 'history', 'not_positive'],
    [{ symbol: s, horizon: '1d', history: [1, -3, 2] }, 'invalid_input', 'history', 'not_positive'],
    [{ symbol: s, horizon: '1d', history: [1, '2', 3] }, 'invalid_input', 'history', 'wrong_type'],
    [{ symbol: s, horizon: '1d', history: [1, { date: '2021-01-01', close: 2 }] }, 'invalid_input', 'history', 'wrong_type'],
    [{ symbol: s, horizon: '1d', history: [rows[1], rows[0], ...rows.slice(2)] }, 'invalid_input', 'history', 'non_monotonic_dates'],
    [{ symbol: s, horizon: '1d', history: [rows[0], rows[0]] }, 'invalid_input', 'history', 'non_monotonic_dates'],
    [{ symbol: s, horizon: '1d', history: [{ date: '21/06/2021', close: 3 }] }, 'invalid_input', 'history', 'bad_date'],
    [{ symbol: s, horizon: '1d', history: [{ date: '2021-06-01', close: 3, volume: -1 }] }, 'invalid_input', 'history', 'bad_volume'],
    [{ symbol: s, horizon: '1d', history: [{ date: '2021-06-01', close: NaN }] }, 'invalid_input', 'history', 'nan'],
  ];
  for (const [req, code, field, reason] of cases) {
    await assert.rejects(sc.predict(req), (e) => {
      assert.ok(e instanceof pkg.StockcastError, JSON.stringify(req).slice(0, 80));
      assert.equal(e.code, code, `${JSON.stringify(req).slice(0, 80)}: ${e.message}`);
      assert.equal(e.field, field, e.message);
      assert.equal(e.reason, reason, e.message);
      return true;
    });
  }
  await assert.rejects(sc.predict('SCOM'), { code: 'invalid_input', field: 'request' });
  await assert.rejects(sc.predict({ symbol: s, horizon: '1d', history: rows.slice(-10) }), (e) => {
    assert.equal(e.code, 'insufficient_history');
    assert.equal(e.provided, 10);
    assert.ok(e.required > 10);
    return true;
  });
  await assert.rejects(sc.predict({ symbol: s, horizon: '1d', history: [] }), { code: 'insufficient_history', provided: 0 });
  await assert.rejects(sc.predictBatch({ horizon: '1d' }), { code: 'invalid_input', field: 'symbols' });
  await assert.rejects(sc.predictBatch({ symbols: 'SCOM', horizon: '1d' }), { code: 'invalid_input', field: 'symbols' });
  await assert.rejects(sc.predictBatch({ symbols: [s], horizon: '3d' }), { code: 'invalid_input', field: 'horizon' });
  await assert.rejects(sc.predictSector({ horizon: '1d' }), { code: 'invalid_input', field: 'sector' });
  await assert.rejects(sc.modelInfo(null), { code: 'invalid_input', field: 'symbol' });
  await assert.rejects(sc.optimizePortfolio({ symbols: [s] }), { code: 'invalid_input', field: 'symbols' });
  await assert.rejects(sc.optimizePortfolio({ symbols: [s, 'KCB'], method: 'yolo' }), { code: 'invalid_input', field: 'method', reason: 'unknown_method' });
  await assert.rejects(sc.risk({ history: [1, 2, 3] }), { code: 'invalid_input', field: 'history', reason: 'dates_required' });
  await assert.rejects(sc.predict({ symbol: s, horizon: '1d', signal: 'stop' }), { code: 'invalid_input', field: 'signal' });
  // Options.
  await assert.rejects(pkg.createStockcast({ baseUrl: 'relative/' }), { code: 'invalid_input', field: 'baseUrl' });
  await assert.rejects(pkg.createStockcast({ baseUrl: srv.url, cacheSize: 0 }), { code: 'invalid_input', field: 'cacheSize' });
  await assert.rejects(pkg.createStockcast({ baseUrl: srv.url, cacheSize: 2.5 }), { code: 'invalid_input', field: 'cacheSize' });
  await assert.rejects(pkg.createStockcast({ baseUrl: srv.url, maxCacheBytes: -1 }), { code: 'invalid_input', field: 'maxCacheBytes' });
  await assert.rejects(pkg.createStockcast({ baseUrl: srv.url, fetch: 'no' }), { code: 'invalid_input', field: 'fetch' });
  await assert.rejects(pkg.createStockcast({ baseUrl: srv.url, store: {} }), { code: 'invalid_input', field: 'store' });
  await assert.rejects(pkg.createStockcast({ baseUrl: srv.url, cachesize: 3 }), { code: 'invalid_input', field: 'cachesize', reason: 'unknown_option' });
  // Disposed: idempotent, then every call says so.
  sc.dispose();
  sc.dispose();
  await assert.rejects(sc.predict({ symbol: s, horizon: '1d' }), { code: 'disposed' });
  await assert.rejects(sc.available(), { code: 'disposed' });
  assert.throws(() => sc.clearCache(), { code: 'disposed' });
  assert.equal(sc.stats().disposed, true);
});

test('errors are StockcastError with stable fields and survive JSON', async () => {
  const sc = await create();
  const e = await sc.predict({ symbol: 'SCMO', horizon: '1d' }).catch((x) => x);
  const j = JSON.parse(JSON.stringify(e));
  assert.equal(j.code, 'model_not_found');
  assert.equal(j.name, 'StockcastError');
  assert.ok(Array.isArray(j.availableStocks));
  assert.equal(pkg.StockcastError.fromJSON(j).suggestion, e.suggestion);
  sc.dispose();
});

test('risk() and optimizePortfolio() call the core risk engine', async () => {
  const sc = await create();
  const s = specificSymbol();
  const r = await sc.risk({ symbol: s });
  assert.equal(r.symbol, s);
  assert.equal(r.dataDate, rowsOf(s).at(-1).date);
  assert.ok(r.risk_score && typeof r.risk_score === 'object');
  // Caller-supplied rows give the same report as the fetched ones (same request).
  const r2 = await sc.risk({ symbol: s, history: rowsOf(s) });
  assert.deepEqual(r2.risk_score, r.risk_score);
  const p = await sc.optimizePortfolio({ symbols: ['SCOM', 'EQTY', 'KCB'], method: 'min_variance' });
  assert.deepEqual(p.symbols, ['SCOM', 'EQTY', 'KCB']);
  const w = JSON.stringify(p);
  assert.match(w, /min_variance/);
  sc.dispose();
});

test('Web Worker client: same API over postMessage (Node worker_threads host)', async () => {
  const dist = await packageDir();
  const worker = new Worker(repoPath('tests/node/helpers/worker-host.mjs'), { workerData: { dist } });
  const { createStockcastWorker } = await import(path.join(dist, 'worker-client.js'));
  const progress = [];
  const w = await createStockcastWorker({ worker, baseUrl: srv.url, retryDelayMs: 5, store: 'memory', onProgress: (p) => progress.push(p) });
  try {
    const sc = await create();
    const s = specificSymbol();
    const [a, b] = await Promise.all([w.predict({ symbol: s, horizon: '10d' }), sc.predict({ symbol: s, horizon: '10d' })]);
    assert.equal(a.predictedPrice, b.predictedPrice);
    assert.equal(a.modelType, 'stock_specific');
    assert.ok(progress.length > 0 && progress.at(-1).loaded === progress.at(-1).total);
    const batch = await w.predictBatch({ symbols: [s, 'NOPE'], horizon: '1d' });
    assert.equal(batch.results[1].error.code, 'model_not_found');
    assert.ok(batch.results[1].error instanceof pkg.StockcastError || batch.results[1].error.name === 'StockcastError');
    await assert.rejects(w.predict({ symbol: s, horizon: '2d' }), (e) => e.code === 'invalid_input' && e.field === 'horizon' && e.name === 'StockcastError');
    assert.equal((await w.available()).totalStocks, models.manifest.stocks.length);
    assert.equal((await w.modelInfo(s)).status, 'trained');
    assert.ok((await w.stats()).predictions >= 1);
    const c = new AbortController();
    c.abort();
    await assert.rejects(w.predict({ symbol: s, horizon: '1d', signal: c.signal }), { code: 'aborted' });
    await w.dispose();
    await w.dispose();
    await assert.rejects(w.predict({ symbol: s, horizon: '1d' }), { code: 'disposed' });
    sc.dispose();
  } finally {
    await worker.terminate();
  }
});

test('worker pool: predictBatch split over 2 workers equals one instance, in input order', async () => {
  const dist = await packageDir();
  const hosts = [0, 1].map(() => new Worker(repoPath('tests/node/helpers/worker-host.mjs'), { workerData: { dist } }));
  const { createStockcastWorker } = await import(path.join(dist, 'worker-client.js'));
  const w = await createStockcastWorker({ worker: hosts, baseUrl: srv.url, retryDelayMs: 5 });
  const sc = await create();
  try {
    const symbols = [...models.manifest.stocks.map((s) => s.symbol), 'NOPE'];
    const [pooled, single] = await Promise.all([w.predictBatch({ symbols, horizon: '5d' }), sc.predictBatch({ symbols, horizon: '5d' })]);
    assert.equal(pooled.summary.workers, 2, 'both workers got symbols');
    assert.equal(pooled.summary.total, symbols.length);
    assert.equal(pooled.summary.successful, single.summary.successful);
    assert.equal(pooled.results.at(-1).error.code, 'model_not_found');
    pooled.results.forEach((r, i) => {
      assert.equal(r.symbol, symbols[i]);
      if (r.ok) assert.equal(r.prediction.predictedPrice, single.results[i].prediction.predictedPrice, r.symbol);
    });
    // A symbol is always served by the same worker: its second prediction is a cache hit there.
    const s = specificSymbol();
    await w.predict({ symbol: s, horizon: '10d' });
    await w.predict({ symbol: s, horizon: '10d' });
    const st = await w.stats();
    assert.equal(st.workers.length, 2);
    assert.equal(st.predictions, st.workers[0].predictions + st.workers[1].predictions);
    assert.ok(st.cacheHits >= 1);
    assert.equal(st.operations.predict.count, st.workers.reduce((a, x) => a + (x.operations.predict ? x.operations.predict.count : 0), 0));
    const h = await w.health();
    assert.equal(h.workers.length, 2);
    assert.equal(h.wasm.loaded, true);
    const pm = await w.pastMonthReturn(s);
    assert.equal(pm.days, 21);
    await assert.rejects(w.predictBatch({ symbols, horizon: '2d' }), { code: 'invalid_input' });
    await w.dispose();
    await assert.rejects(w.predict({ symbol: s, horizon: '1d' }), { code: 'disposed' });
    await assert.rejects(createStockcastWorker({ worker: hosts, workers: 0 }), { code: 'invalid_input', field: 'workers' });
  } finally {
    sc.dispose();
    await Promise.all(hosts.map((h) => h.terminate()));
  }
});

// The budget, checked on every test run: .wasm + the bundled, minified browser entry.
test('size budget: stockcast.wasm + browser JS (Emscripten glue included) within 110 KB gzip', async () => {
  const out = execFileSync(process.execPath, [repoPath('bench/package/size.mjs'), '--dist', await packageDir(), '--json', '--no-fail'], { encoding: 'utf8' });
  const r = JSON.parse(out);
  assert.deepEqual(r.files.map((f) => f.file), ['index.js (bundled, minified)', 'stockcast.wasm']);
  assert.ok(r.files.every((f) => f.gzip > 1000), 'both parts measured');
  assert.equal(r.glueMissing, false, 'the bundle measured holds the glue');
  assert.ok(r.glue.gzip > 1000 && r.files[0].gzip > r.glue.gzip + 10000, 'the glue is measured, inside the bundle');
  assert.ok(r.total.gzip <= 110 * 1024, `predict path is ${r.total.gzip} bytes gzip, over the 112,640-byte budget`);
});

test('predictHorizons: one prediction per manifest horizon from one network call, each equal to predict() at that horizon', async () => {
  const sc = await create({ predictionTtlMs: 0 });
  const s = specificSymbol();
  const before = sc.stats().predictions;
  const all = await sc.predictHorizons({ symbol: s, level: 0.8 });
  assert.deepEqual(all.map((p) => p.horizon), models.manifest.horizon_names);
  assert.equal(sc.stats().predictions - before, 1, 'one forecast for every horizon');
  for (const p of all) {
    const one = await sc.predict({ symbol: s, horizon: p.horizon, level: 0.8 });
    for (const k of ['predictedPrice', 'interval', 'direction', 'probabilities', 'heldOut', 'modelType', 'currentPrice', 'dataDate'])
      assert.deepEqual(p[k], one[k], `${p.horizon} ${k}`);
  }
  const u = await sc.predictHorizons({ symbol: 'NEWCO', history: rowsOf('SCOM') });
  assert.ok(u.every((p) => p.modelType === 'general_unseen'));
  await assert.rejects(sc.predictHorizons({ symbol: 'SCMO' }), (e) => e.code === 'model_not_found');
  await assert.rejects(sc.predictHorizons({ symbol: s, level: 0.5 }), (e) => e.code === 'invalid_input' && e.field === 'level');
  sc.dispose();
});
