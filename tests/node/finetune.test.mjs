// sc.fineTune() (issue 17): the package fine-tunes the general model on the caller's series in
// stockcast-train.wasm, registers the model under its name (routed by the core's one rule, as an
// extra stock-specific entry of the routing table), persists it in the store, and serves
// predict / predictHorizons / modelInfo / risk with it. Bad input and cancellation leave the
// instance and the store exactly as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { repoPath } from './support.mjs';
import { importPackage, modelsDir, packageDir } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';

let srv, pkg, models;
before(async () => {
  models = modelsDir();
  srv = await startServer(models.dir);
  pkg = await importPackage('node.js');
});
after(() => srv.close());
const create = (o = {}) => pkg.createStockcast({ baseUrl: srv.url, retryDelayMs: 5, ...o });

// {date, close} rows of an NSE index the general model never saw.
function rows(sym, n) {
  const lines = readFileSync(repoPath(`models/data/nse/indices/${sym}.csv`), 'utf8').trim().split('\n').slice(1).slice(-n);
  return lines.map((l) => l.split(',')).map((c) => ({ date: c[0], close: +c[3] }));
}
const real = () => (models.real ? false : 'needs the trained models/ (the fixture general model has no target scales)');

async function snapshot(sc, store) {
  const keys = [];
  for (const k of ['user-models', 'user:MYIDX']) if (await store.get(k)) keys.push(k);
  return { keys, size: store.size, info: await sc.modelInfo('MYIDX') };
}

test('fineTune: progress, a verified model, registered, persisted, usable by predict / modelInfo / risk', { skip: real() }, async () => {
  const store = pkg.createMemoryStore();
  const sc = await create({ store });
  try {
    const progress = [];
    const r = await sc.fineTune({ history: rows('FNK25', 1000), name: 'myidx', onProgress: (p) => progress.push(p) });
    assert.equal(r.model.name, 'MYIDX');
    assert.ok(r.model.bytes instanceof Uint8Array && r.model.bytes.length === r.model.byteLength);
    assert.match(r.model.sha256, /^[0-9a-f]{64}$/);
    assert.ok(progress.length >= 1 && progress.every((p, i) => p.epoch === i + 1 && Number.isFinite(p.trainLoss) && Number.isFinite(p.valLoss)));
    assert.ok(r.metrics.valMape > 0 && r.metrics.valNaiveMape > 0 && r.metrics.coverage90 > 0 && r.metrics.coverage90 <= 1);
    assert.ok(r.seconds > 0);
    const info = await sc.modelInfo('MYIDX');
    assert.equal(info.status, 'fine_tuned');
    assert.equal(info.sha256, r.model.sha256);
    const p = await sc.predict({ symbol: 'myidx', horizon: '5d' });
    assert.equal(p.symbol, 'MYIDX');
    assert.equal(p.modelType, 'stock_specific');
    assert.equal(p.modelFile, info.file);
    assert.ok(p.interval.lower < p.predictedPrice && p.predictedPrice < p.interval.upper);
    assert.equal(p.currentPrice, rows('FNK25', 1)[0].close);
    const rk = await sc.risk({ symbol: 'MYIDX' }).catch((e) => e);
    assert.ok(!(rk instanceof Error) || rk.code !== 'model_not_found', 'risk serves the fine-tuned name');
    // persisted: a new instance with the same store serves it
    assert.ok(await store.get(r.model.sha256));
    const sc2 = await create({ store });
    try {
      const p2 = await sc2.predict({ symbol: 'MYIDX', horizon: '5d' });
      assert.equal(p2.predictedPrice, p.predictedPrice);
    } finally {
      sc2.dispose();
    }
  } finally {
    sc.dispose();
  }
});

test('fineTune: bad input and cancellation are typed errors that leave registry and store as before', { skip: real() }, async () => {
  const store = pkg.createMemoryStore();
  const sc = await create({ store });
  try {
    assert.equal((await sc.modelInfo('MYIDX')).status, 'not_trained');
    const before = await snapshot(sc, store);
    const good = rows('NASI', 400);
    const cases = [
      [{ history: rows('NASI', 246), name: 'MYIDX' }, (e) => e.code === 'insufficient_history' && e.required === 247 && e.provided === 246],
      [{ history: good.map((r, i) => (i === 9 ? { ...r, close: NaN } : r)), name: 'MYIDX' }, (e) => e.code === 'invalid_input'],
      [{ history: good.map((r, i) => (i === 9 ? { ...r, close: 0 } : r)), name: 'MYIDX' }, (e) => e.code === 'invalid_input'],
      [{ history: good.map((r, i) => (i === 9 ? { ...r, date: good[8].date } : r)), name: 'MYIDX' }, (e) => e.code === 'invalid_input'],
      [{ history: [...good].reverse(), name: 'MYIDX' }, (e) => e.code === 'invalid_input'],
      [{ history: good, name: 'SCOM' }, (e) => e.code === 'invalid_input' && e.reason === 'clashes_with_shipped_symbol'],
      [{ history: good, name: 'MYIDX', options: { learningRate: 1e4 } }, (e) => e.code === 'numerical_error' && e.detail === 'diverged'],
    ];
    for (const [req, ok] of cases) {
      const e = await sc.fineTune(req).then(() => null, (x) => x);
      assert.ok(e instanceof pkg.StockcastError, `${JSON.stringify(req.name)}: expected an error`);
      assert.ok(ok(e), `${e.code} ${e.message}`);
      assert.deepEqual(await snapshot(sc, store), before);
    }
    const ac = new AbortController();
    const e = await sc.fineTune({ history: good, name: 'MYIDX', signal: ac.signal, onProgress: (p) => p.epoch === 2 && ac.abort() }).then(() => null, (x) => x);
    assert.equal(e && e.code, 'aborted');
    assert.deepEqual(await snapshot(sc, store), before);
  } finally {
    sc.dispose();
  }
});

test('fineTune through the worker client: progress crosses postMessage, abort works, predict serves the name', { skip: real() }, async () => {
  const dist = await packageDir();
  const worker = new Worker(repoPath('tests/node/helpers/worker-host.mjs'), { workerData: { dist } });
  const { createStockcastWorker } = await import(path.join(dist, 'worker-client.js'));
  const w = await createStockcastWorker({ worker, baseUrl: srv.url, retryDelayMs: 5, store: 'memory' });
  try {
    const progress = [];
    const r = await w.fineTune({ history: rows('NASI', 400), name: 'MYIDX', maxEpochs: 3, onProgress: (p) => progress.push(p) });
    assert.deepEqual(progress.map((p) => p.epoch), [1, 2, 3].slice(0, r.metrics.epochs));
    assert.ok(r.model.bytes instanceof Uint8Array);
    const p = await w.predict({ symbol: 'MYIDX', horizon: '1d' });
    assert.equal(p.modelType, 'stock_specific');
    assert.equal((await w.userModels()).map((m) => m.name).join(), 'MYIDX');
    const ac = new AbortController();
    const e = await w.fineTune({ history: rows('NASI', 400), name: 'OTHER', signal: ac.signal, onProgress: () => ac.abort() }).then(() => null, (x) => x);
    assert.equal(e && e.code, 'aborted');
    assert.equal((await w.userModels()).length, 1);
  } finally {
    await w.dispose();
    await worker.terminate();
  }
});
