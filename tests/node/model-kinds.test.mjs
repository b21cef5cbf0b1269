// Model kinds (issue 15): predict({ model }), predictHorizons({ model }), predictModels(),
// modelInfo(symbol).models, on the Node entry and through the worker client.
//   - the shipped manifest: 'auto' answers are today's (the routed LSTM, the core's own numbers)
//     plus `model: 'lstm'`; 'lstm' answers equal them; a kind the manifest lacks is invalid_input
//     naming the available kinds.
//   - the 'transformer' network kind (the shipped models/transformer.stkm, or in the fixtures a copy
//     of the general model's file renamed: both are served by the same LoadedModel path) with
//     per-kind test metrics (made-up numbers where the manifest has none, to check they reach the
//     answers): its answers equal the core's forecast of that file, its metrics and cache entries
//     are its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { headerOf, importPackage, modelsDir, packageDir, withTransformer } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';
import { loadEnsembleModule, loadModule, repoPath } from './support.mjs';

let pkg;
let models; // the shipped models (or the fixtures)
let kinds; // {dir, manifest}: the same plus a 'transformer' network kind and kind_metrics
let srv;
let srvKinds;
let Module;
let EnsembleModule; // its LoadedModel also runs the Transformer (stockcast.wasm: the LSTM networks only)
let KERNEL; // the package's default kernel
const rowsOf = (sym) => JSON.parse(readFileSync(path.join(models.dir, 'history', `${sym}.json`), 'utf8')).rows;
const VOLATILE = ['latencyMs', 'cached', 'generatedAt', 'expiresAt'];
const stable = (p) => Object.fromEntries(Object.entries(p).filter(([k]) => !VOLATILE.includes(k)));
// Today's prediction fields (docs/package.md), before model kinds.
const TODAY = ['symbol', 'name', 'sector', 'horizon', 'horizonDays', 'currentPrice', 'predictedPrice', 'interval', 'expectedReturn', 'logReturn',
  'direction', 'probabilities', 'heldOut', 'modelType', 'confidence', 'modelVersion', 'modelFile', 'trainedAt', 'dataDate', 'stale', 'dataSource',
  'historyLength', 'confidenceScore', 'generatedAt', 'expiresAt', 'explanation', 'latencyMs', 'cached', 'warnings'];

before(async () => {
  models = modelsDir();
  kinds = withTransformer(models);
  pkg = await importPackage('node.js');
  srv = await startServer(models.dir);
  srvKinds = await startServer(kinds.dir);
  Module = await loadModule();
  EnsembleModule = await loadEnsembleModule();
  KERNEL = (await import(path.join(await packageDir(), 'checks.js'))).DEFAULT_KERNEL ?? 'float32';
});
after(async () => {
  await srv.close();
  await srvKinds.close();
  kinds.cleanup();
});

// The kinds are the manifest's: the routed LSTM, every other network kind, the ensemble's members and itself.
function expectedKinds(m) {
  const out = ['lstm'];
  for (const k of m.models.map((x) => x.kind)) if (k !== 'stock_specific' && k !== 'general' && !out.includes(k)) out.push(k);
  if (m.ensemble) for (const k of [...m.ensemble.members.map((y) => (typeof y === 'string' ? y : y.name)), 'ensemble']) if (!out.includes(k)) out.push(k);
  return out;
}

const specific = () => models.manifest.stocks.find((s) => s.model_type === 'stock_specific').symbol;
const general = () => models.manifest.stocks.find((s) => s.model_type === 'general').symbol;

// The core's forecast of one model file for a history, without the package's routing or kinds,
// with the package's default arithmetic kernel (createStockcast({ kernel })).
// M: the module whose LoadedModel parses the file (the Transformer's: the ensemble module's).
function coreForecast(file, rows, symbol, M = Module, level = 0.9) {
  const bytes = readFileSync(file);
  const h = headerOf(bytes);
  const m = new M.LoadedModel(bytes, true);
  try {
    if (KERNEL !== 'float32') assert.ok(m.useKernel(KERNEL).ok);
    const stocks = h.meta.stocks || [];
    const id = stocks.indexOf(symbol);
    const volumes = h.input.features.some((f) => f.includes('volume')) ? Float64Array.from(rows, (r) => r.volume ?? NaN) : null;
    const r = m.predict(Float64Array.from(rows, (x) => x.close), volumes, id, level);
    assert.ok(r.ok, r.message);
    return r;
  } finally {
    m.delete();
  }
}

test("shipped manifest: 'auto' is today's answer plus model 'lstm', equal to 'lstm' and to the core's forecast of the routed file", async () => {
  const sc = await pkg.createStockcast({ baseUrl: srv.url, retries: 0, predictionTtlMs: 60_000 });
  try {
    for (const symbol of [specific(), general()]) {
      const auto = await sc.predict({ symbol, horizon: '10d' });
      assert.deepEqual(Object.keys(auto).sort(), [...TODAY, 'model'].sort(), 'today\'s fields and `model`');
      assert.equal(auto.model, 'lstm');
      const explicit = await sc.predict({ symbol, horizon: '10d', model: 'auto' });
      const lstm = await sc.predict({ symbol, horizon: '10d', model: 'lstm' });
      assert.equal(lstm.cached, true, "'lstm' and 'auto' share the cache: the same model answers");
      assert.deepEqual(stable(explicit), stable(auto));
      assert.deepEqual(stable(lstm), stable(auto));
      const stock = models.manifest.stocks.find((s) => s.symbol === symbol);
      const f = coreForecast(path.join(models.dir, stock.file), rowsOf(symbol), symbol);
      const h = f.horizons.find((x) => x.horizon === 10);
      assert.equal(auto.predictedPrice, h.price);
      assert.equal(auto.interval.lower, h.lower);
      assert.equal(auto.interval.upper, h.upper);
      assert.equal(auto.logReturn, h.logReturn);
      assert.equal(auto.heldOut.mape, stock.test_metrics['10d'].mape, "the LSTM's test metrics");
    }
    const expected = expectedKinds(models.manifest);
    const info = await sc.modelInfo(specific());
    assert.deepEqual(info.models.map((k) => k.model), expected);
    assert.equal(info.models[0].file, info.file);
    assert.equal(info.models[0].metrics['5d'].naiveMape, info.testMetrics['5d'].naive_mape);
    await assert.rejects(sc.predict({ symbol: specific(), horizon: '10d', model: 'xgboost' }),
      (e) => e.code === 'invalid_input' && e.field === 'model' && e.reason === 'unknown_model' && e.availableModels.join() === ['auto', ...expected].join());
  } finally {
    sc.dispose();
  }
});

test("another network kind: 'transformer' answers are the core's forecast of its file, with its own metrics and cache entries", async () => {
  const sc = await pkg.createStockcast({ baseUrl: srvKinds.url, retries: 0, predictionTtlMs: 60_000 });
  try {
    for (const symbol of [specific(), general()]) {
      const stock = kinds.manifest.stocks.find((s) => s.symbol === symbol);
      const t = await sc.predict({ symbol, horizon: '5d', model: 'transformer' });
      assert.equal(t.model, 'transformer');
      assert.equal(t.modelFile, 'transformer.stkm');
      assert.match(t.modelVersion, /^transformer@/);
      assert.equal(t.modelType, 'general');
      const h = coreForecast(kinds.file, rowsOf(symbol), symbol, EnsembleModule).horizons.find((x) => x.horizon === 5);
      assert.equal(t.predictedPrice, h.price);
      assert.equal(t.interval.upper, h.upper);
      assert.equal(t.heldOut.mape, kinds.kindMetrics[stock.symbol].transformer['5d'].mape, "the transformer's own test metrics");
      assert.equal(t.heldOut.samples, kinds.kindMetrics[stock.symbol].transformer['5d'].n);
      // kind_metrics describe the member's interval and direction as the ensemble calibrates them, not this file's.
      assert.equal(t.heldOut.coverage90, null);
      assert.equal(t.heldOut.directionHitRate, null);
      const lstm = await sc.predict({ symbol, horizon: '5d' });
      assert.equal(lstm.model, 'lstm');
      assert.equal(lstm.cached, false, 'a different kind is a different cache entry');
      assert.equal(lstm.heldOut.mape, stock.test_metrics['5d'].mape);
      assert.equal((await sc.predict({ symbol, horizon: '5d', model: 'transformer' })).cached, true);
    }
    // A stock-specific symbol: the transformer (one network for every stock) differs from its own LSTM.
    const s = specific();
    const [a, b] = await Promise.all([sc.predict({ symbol: s, horizon: '30d', model: 'lstm' }), sc.predict({ symbol: s, horizon: '30d', model: 'transformer' })]);
    assert.notEqual(a.logReturn, b.logReturn);
    // Every horizon at once.
    const fan = await sc.predictHorizons({ symbol: s, model: 'transformer' });
    assert.deepEqual(fan.map((p) => p.horizon), kinds.manifest.horizon_names);
    assert.ok(fan.every((p) => p.model === 'transformer'));
    // A symbol the manifest lacks: needs its history, then served unseen (no embedding row), no metrics.
    await assert.rejects(sc.predict({ symbol: 'NEWCO', horizon: '1d', model: 'transformer' }), { code: 'model_not_found' });
    const u = await sc.predict({ symbol: 'NEWCO', horizon: '1d', model: 'transformer', history: rowsOf(s) });
    assert.equal(u.modelType, 'general_unseen');
    assert.equal(u.heldOut, null);
    assert.equal(u.predictedPrice, coreForecast(kinds.file, rowsOf(s), 'NEWCO', EnsembleModule).horizons.find((x) => x.horizon === 1).price);
    // Too short a history: the core's insufficient_history.
    await assert.rejects(sc.predict({ symbol: s, horizon: '1d', model: 'transformer', history: rowsOf(s).slice(-5) }),
      (e) => e.code === 'insufficient_history' && e.provided === 5 && e.required > 5);
    // Bad kinds.
    for (const [model, reason] of [['xgboost', 'unknown_model'], ['', 'unknown_model'], [7, 'wrong_type']])
      await assert.rejects(sc.predict({ symbol: s, horizon: '1d', model }),
        (e) => e.code === 'invalid_input' && e.field === 'model' && e.reason === reason && e.availableModels.join() === ['auto', ...expectedKinds(kinds.manifest)].join(), String(model));
    await assert.rejects(sc.predict({ symbol: s, horizon: '1d', model: 'transfomer' }), { suggestion: null, reason: 'unknown_model' });
    await assert.rejects(sc.predict({ symbol: s, horizon: '1d', model: 'trans' }), { suggestion: 'transformer' });
  } finally {
    sc.dispose();
  }
});

test('modelInfo(symbol).models: every kind with its test-year metrics from the manifest', async () => {
  const sc = await pkg.createStockcast({ baseUrl: srvKinds.url, retries: 0 });
  try {
    const s = specific();
    const stock = kinds.manifest.stocks.find((x) => x.symbol === s);
    const info = await sc.modelInfo(s);
    assert.deepEqual(info.models.map((k) => k.model), expectedKinds(kinds.manifest));
    assert.deepEqual(info.models.slice(0, 2).map((k) => [k.model, k.servedBy, k.file]), [['lstm', 'routed', stock.file], ['transformer', 'network', 'transformer.stkm']]);
    for (const h of kinds.manifest.horizon_names) {
      assert.equal(info.models[0].metrics[h].mape, stock.test_metrics[h].mape);
      assert.equal(info.models[1].metrics[h].mape, kinds.kindMetrics[stock.symbol].transformer[h].mape);
      assert.equal(info.models[1].metrics[h].naiveMape, kinds.kindMetrics[stock.symbol].transformer[h].naive_mape);
      assert.deepEqual(info.models[1].metrics[h].period, kinds.manifest.data.test);
    }
    const unseen = await sc.modelInfo('NEWCO');
    assert.equal(unseen.status, 'not_trained');
    assert.deepEqual(unseen.models.map((k) => k.metrics), expectedKinds(kinds.manifest).map(() => null));
  } finally {
    sc.dispose();
  }
});

test('predictModels: each kind answers or fails on its own, in request order; argument errors typed', async () => {
  const sc = await pkg.createStockcast({ baseUrl: srvKinds.url, retries: 0, predictionTtlMs: 0 });
  try {
    const s = specific();
    const r = await sc.predictModels({ symbol: s, horizon: '10d', models: ['auto', 'transformer', 'nope', 'lstm'] });
    assert.equal(r.symbol, s);
    assert.equal(r.horizon, '10d');
    assert.equal(r.level, 0.9);
    assert.deepEqual(r.results.map((x) => [x.model, x.ok]), [['auto', true], ['transformer', true], ['nope', false], ['lstm', true]]);
    assert.deepEqual(r.summary.total, 4);
    assert.equal(r.summary.successful, 3);
    assert.equal(r.summary.failed, 1);
    assert.ok(r.summary.totalTimeMs >= 0);
    assert.equal(r.results[0].prediction.model, 'lstm');
    assert.equal(r.results[2].error.code, 'invalid_input');
    assert.equal(r.results[2].error.field, 'models[2]');
    assert.ok(r.results[2].error instanceof pkg.StockcastError);
    assert.deepEqual(stable(r.results[1].prediction), stable(await sc.predict({ symbol: s, horizon: '10d', model: 'transformer' })));
    assert.deepEqual(stable(r.results[3].prediction), stable(await sc.predict({ symbol: s, horizon: '10d' })));
    // Default: every kind of the manifest.
    const all = await sc.predictModels({ symbol: s, horizon: '1d', level: 0.8 });
    assert.deepEqual(all.results.map((x) => x.model), expectedKinds(kinds.manifest));
    assert.ok(all.results.every((x) => x.ok && x.prediction.interval.level === 0.8));
    // Missing history: an unknown symbol fails for every kind (model_not_found); a short one too (insufficient_history).
    const missing = await sc.predictModels({ symbol: 'NEWCO', horizon: '1d', models: ['lstm', 'transformer'] });
    assert.deepEqual(missing.results.map((x) => x.error.code), ['model_not_found', 'model_not_found']);
    assert.equal(missing.summary.failed, 2);
    const short = await sc.predictModels({ symbol: s, horizon: '1d', models: ['lstm', 'transformer'], history: rowsOf(s).slice(-3) });
    assert.deepEqual(short.results.map((x) => x.error.code), ['insufficient_history', 'insufficient_history']);
    assert.ok((sc.stats().failures[s] || {}).insufficient_history >= 2, 'failures counted per symbol and code');
    // The call's own arguments.
    await assert.rejects(sc.predictModels({ symbol: s, horizon: '1d', models: 'lstm' }), { code: 'invalid_input', field: 'models', reason: 'wrong_type' });
    await assert.rejects(sc.predictModels({ symbol: s, horizon: '1d', models: [] }), { code: 'invalid_input', field: 'models', reason: 'empty' });
    await assert.rejects(sc.predictModels({ symbol: s, horizon: '2d' }), { code: 'invalid_input', field: 'horizon' });
    await assert.rejects(sc.predictModels({ horizon: '1d' }), { code: 'invalid_input', field: 'symbol' });
    await assert.rejects(sc.predictModels({ symbol: s, horizon: '1d', level: 0.5 }), { code: 'invalid_input', field: 'level' });
    // Calls that reached the manifest (as for predict: a malformed request is refused before it counts).
    assert.equal(sc.stats().operations.predictModels.count, 6);
    assert.equal(sc.stats().operations.predictModels.failures, 2);
  } finally {
    sc.dispose();
  }
});

test('worker client: predict({ model }), predictModels and modelInfo over postMessage, errors typed', async () => {
  const dist = await packageDir();
  const hosts = [0, 1].map(() => new Worker(repoPath('tests/node/helpers/worker-host.mjs'), { workerData: { dist } }));
  const { createStockcastWorker } = await import(path.join(dist, 'worker-client.js'));
  const sc = await pkg.createStockcast({ baseUrl: srvKinds.url, retries: 0 });
  try {
    for (const worker of [hosts[0], hosts]) {
      const w = await createStockcastWorker({ worker, baseUrl: srvKinds.url, retries: 0 });
      const s = specific();
      const [a, b] = await Promise.all([w.predict({ symbol: s, horizon: '10d', model: 'transformer' }), sc.predict({ symbol: s, horizon: '10d', model: 'transformer' })]);
      assert.deepEqual(stable(a), stable(b));
      const r = await w.predictModels({ symbol: s, horizon: '10d', models: ['lstm', 'transformer', 'nope'] });
      assert.deepEqual(r.results.map((x) => x.ok), [true, true, false]);
      assert.equal(r.results[1].prediction.predictedPrice, b.predictedPrice);
      assert.equal(r.results[2].error.name, 'StockcastError');
      assert.equal(r.results[2].error.reason, 'unknown_model');
      assert.deepEqual((await w.modelInfo(s)).models.map((k) => k.model), expectedKinds(kinds.manifest));
      await assert.rejects(w.predict({ symbol: s, horizon: '10d', model: 'nope' }), (e) => e.name === 'StockcastError' && e.availableModels.join() === ['auto', ...expectedKinds(kinds.manifest)].join());
      const c = new AbortController();
      c.abort();
      await assert.rejects(w.predictModels({ symbol: s, horizon: '1d', signal: c.signal }), { code: 'aborted' });
      await w.dispose();
    }
  } finally {
    sc.dispose();
    await Promise.all(hosts.map((h) => h.terminate()));
  }
});

test('kind-metrics.json: not fetched by auto predictions; fetched once, SHA-256-checked, for modelInfo and other kinds', async () => {
  const file = `/${kinds.manifest.kind_metrics.file}`;
  const sc = await pkg.createStockcast({ baseUrl: srvKinds.url, retries: 0 });
  try {
    srvKinds.resetHits();
    const s = specific();
    await sc.predict({ symbol: s, horizon: '5d' });
    assert.equal(srvKinds.hits(file), 0, 'the first forecast waits for the manifest only');
    const info = await sc.modelInfo(s);
    await sc.predict({ symbol: s, horizon: '5d', model: 'transformer' });
    assert.equal(srvKinds.hits(file), 1);
    assert.equal(info.models[1].metrics['5d'].mape, kinds.kindMetrics[s].transformer['5d'].mape);
  } finally {
    sc.dispose();
  }
  // A file that does not match the manifest's SHA-256 is an integrity_error, and is not remembered.
  const bad = await pkg.createStockcast({ baseUrl: srvKinds.url, retries: 0 });
  try {
    srvKinds.fault(file, { flipByte: 10 });
    await assert.rejects(bad.modelInfo(specific()), (e) => e.code === 'integrity_error');
    assert.equal((await bad.modelInfo(specific())).models[1].metrics['5d'].mape, kinds.kindMetrics[specific()].transformer['5d'].mape);
  } finally {
    bad.dispose();
  }
});
