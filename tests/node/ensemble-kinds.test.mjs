// The ensemble kinds through the package (issue 15): predict({ model: 'ensemble' | a member }),
// predictModels over them, the worker client, the resident Ensemble objects. Runs on the shipped
// models when the manifest has an `ensemble` entry and the build has the ensemble module
// (skipped otherwise: the fixtures have no ensemble spec).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { importPackage, modelsDir, packageDir } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';
import { repoPath } from './support.mjs';

const models = modelsDir();
const ens = models.manifest.ensemble;
// The shipped per-stock, per-kind test metrics (models/kind-metrics.json, listed in the manifest).
const kindMetricsOf = (symbol) => JSON.parse(readFileSync(path.join(models.dir, models.manifest.kind_metrics.file), 'utf8')).stocks[symbol];
let skip = !ens && 'the manifest has no ensemble';
let pkg;
let srv;
let sc;
const members = ens ? ens.members.map((m) => (typeof m === 'string' ? m : m.name)) : [];
const rowsOf = (sym) => JSON.parse(readFileSync(path.join(models.dir, 'history', `${sym}.json`), 'utf8')).rows;
const VOLATILE = ['latencyMs', 'cached', 'generatedAt', 'expiresAt', 'adaptationCached'];
const stable = (p) => Object.fromEntries(Object.entries(p).filter(([k]) => !VOLATILE.includes(k)));

before(async () => {
  if (skip) return;
  const dist = await packageDir();
  if (statSync(path.join(dist, 'stockcast-ensemble.wasm')).size <= 8) {
    skip = 'this build has no ensemble module';
    return;
  }
  pkg = await importPackage('node.js');
  srv = await startServer(models.dir);
  sc = await pkg.createStockcast({ baseUrl: srv.url, retries: 0, predictionTtlMs: 60_000 });
});
after(async () => {
  sc?.dispose();
  await srv?.close();
});

const SYMBOL = 'SCOM';

test("predict({ model: 'ensemble' }): the members' weights, reasons and forecasts, the core's confidence, its own test metrics", async (t) => {
  if (skip) return t.skip(skip);
  const e = await sc.predict({ symbol: SYMBOL, horizon: '10d', model: 'ensemble' });
  assert.equal(e.model, 'ensemble');
  assert.equal(e.horizon, '10d');
  assert.ok(e.interval.lower <= e.predictedPrice && e.predictedPrice <= e.interval.upper);
  assert.ok(['no_skill', 'low', 'medium', 'high'].includes(e.confidence), e.confidence);
  for (const name of members) assert.ok(e.members.some((m) => m.name === name), `member ${name} in the answer`);
  const included = e.members.filter((m) => m.included);
  assert.ok(included.length >= 2, 'at least two members weighed');
  assert.ok(Math.abs(included.reduce((a, m) => a + m.weight, 0) - 1) < 1e-9, 'included weights sum to 1');
  for (const m of e.members) {
    if (m.included) {
      assert.equal(m.reason, null);
      assert.ok(m.forecast && m.forecast.lower <= m.forecast.price && m.forecast.price <= m.forecast.upper, m.name);
      assert.ok(m.recentError >= 0, m.name);
    } else {
      assert.equal(m.weight, 0);
      assert.equal(typeof m.reason, 'string', m.name);
    }
  }
  const km = kindMetricsOf(SYMBOL);
  assert.equal(e.heldOut.mape, km.ensemble['10d'].mape);
  // Again: from the prediction cache; one resident Ensemble for the symbol.
  assert.equal((await sc.predict({ symbol: SYMBOL, horizon: '10d', model: 'ensemble' })).cached, true);
  assert.equal(sc.stats().ensembleObjects, 1);
});

test("each member kind answers with its own forecast from the same ensemble answer; 'naive' is no change", async (t) => {
  if (skip) return t.skip(skip);
  const e = await sc.predict({ symbol: SYMBOL, horizon: '5d', model: 'ensemble' });
  // The networks ('lstm', 'transformer') answer through their own model files (model-kinds.test.mjs).
  const networks = ['lstm', ...models.manifest.models.map((x) => x.kind)];
  for (const m of e.members) {
    if (networks.includes(m.name)) continue;
    if (!m.included) {
      await assert.rejects(sc.predict({ symbol: SYMBOL, horizon: '5d', model: m.name }), (err) => err.code === 'model_not_found' && err.reason === m.reason, m.name);
      continue;
    }
    const p = await sc.predict({ symbol: SYMBOL, horizon: '5d', model: m.name });
    assert.equal(p.model, m.name);
    assert.equal(p.predictedPrice, m.forecast.price, m.name);
    assert.equal(p.interval.lower, m.forecast.lower, m.name);
    assert.equal(p.interval.upper, m.forecast.upper, m.name);
    assert.equal(p.weight, m.weight);
    const km = kindMetricsOf(SYMBOL);
    if (m.name !== 'transformer') assert.deepEqual([p.heldOut.mape, p.heldOut.coverage90], [km[m.name]['5d'].mape, km[m.name]['5d'].coverage90], `${m.name}: its own test metrics`);
    assert.equal(p.members, undefined, 'members only on ensemble answers');
    if (m.name === 'naive') {
      assert.equal(p.logReturn, 0);
      assert.equal(p.predictedPrice, p.currentPrice);
    }
  }
  const all = await sc.predictModels({ symbol: SYMBOL, horizon: '5d' });
  assert.ok(all.results.find((r) => r.model === 'ensemble').ok);
  assert.equal(all.results.find((r) => r.model === 'ensemble').prediction.predictedPrice, e.predictedPrice);
  assert.equal(all.summary.total, all.results.length);
});

test('histories: closes only (learners excluded, named), an unknown symbol without history, a short history', async (t) => {
  if (skip) return t.skip(skip);
  const closes = rowsOf(SYMBOL).map((r) => r.close);
  const e = await sc.predict({ symbol: SYMBOL, horizon: '1d', model: 'ensemble', history: closes });
  const learners = e.members.filter((m) => !['lstm', 'naive', ...models.manifest.models.map((x) => x.kind)].includes(m.name));
  assert.ok(learners.length >= 1);
  for (const m of learners) {
    assert.equal(m.included, false, `${m.name} needs high/low`);
    assert.equal(typeof m.reason, 'string');
  }
  assert.ok(e.members.find((m) => m.name === 'naive').included);
  await assert.rejects(sc.predict({ symbol: SYMBOL, horizon: '1d', model: learners[0].name, history: closes }), { code: 'model_not_found' });
  await assert.rejects(sc.predict({ symbol: 'NEWCO', horizon: '1d', model: 'ensemble' }), { code: 'model_not_found' });
  await assert.rejects(sc.predict({ symbol: SYMBOL, horizon: '30d', model: 'ensemble', history: rowsOf(SYMBOL).slice(-20) }),
    (err) => err.name === 'StockcastError' && ['insufficient_history', 'model_not_found'].includes(err.code), 'a short history is a typed error');
});

test('resident Ensembles: at most 4, freed by clearCache()', async (t) => {
  if (skip) return t.skip(skip);
  const symbols = models.manifest.stocks.slice(0, 6).map((s) => s.symbol);
  for (const symbol of symbols) await sc.predict({ symbol, horizon: '1d', model: 'ensemble' });
  assert.ok(sc.stats().ensembleObjects <= 4, String(sc.stats().ensembleObjects));
  sc.clearCache();
  assert.equal(sc.stats().ensembleObjects, 0);
});

test('worker client: the ensemble answer equals the Node instance\'s', async (t) => {
  if (skip) return t.skip(skip);
  const dist = await packageDir();
  const worker = new Worker(repoPath('tests/node/helpers/worker-host.mjs'), { workerData: { dist } });
  const { createStockcastWorker } = await import(path.join(dist, 'worker-client.js'));
  try {
    const w = await createStockcastWorker({ worker, baseUrl: srv.url, retries: 0 });
    const [a, b] = await Promise.all([w.predict({ symbol: SYMBOL, horizon: '10d', model: 'ensemble' }), sc.predict({ symbol: SYMBOL, horizon: '10d', model: 'ensemble' })]);
    assert.deepEqual(stable(a), stable(b));
    const r = await w.predictModels({ symbol: SYMBOL, horizon: '10d', models: ['ensemble', 'naive'] });
    assert.ok(r.results.every((x) => x.ok));
    await w.dispose();
  } finally {
    await worker.terminate();
  }
});
