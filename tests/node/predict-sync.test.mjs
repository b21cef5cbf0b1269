// The package's kernel option (int16 by default, float32 the reference) and predictSync(), the
// synchronous path for a resident model, against the real .wasm over HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { repoPath } from './support.mjs';
import { importPackage, modelsDir } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';

let srv, pkg, models;
before(async () => {
  models = modelsDir();
  srv = await startServer(models.dir);
  pkg = await importPackage('node.js');
});
after(() => srv.close());

const create = (o = {}) => pkg.createStockcast({ baseUrl: srv.url, retryDelayMs: 5, ...o });
const rowsOf = (sym) => JSON.parse(readFileSync(repoPath(`models/history/${sym}.json`), 'utf8')).rows;
const specific = () => models.manifest.stocks.find((s) => s.model_type === 'stock_specific').symbol;
const general = () => models.manifest.stocks.find((s) => s.model_type === 'general').symbol;

test('kernel: int16 by default, within 1e-3 of float32 in every log-return, and an unknown kernel is invalid_input', async () => {
  const q = await create({ predictionTtlMs: 0 });
  const f = await create({ predictionTtlMs: 0, kernel: 'float32' });
  try {
    for (const sym of [specific(), general()]) {
      const history = rowsOf(sym);
      const a = await q.predictHorizons({ symbol: sym, history });
      const b = await f.predictHorizons({ symbol: sym, history });
      const served = q.health().models;
      assert.equal(served.kernel, 'int16');
      assert.ok(Object.values(served.kernels).length > 0 && Object.values(served.kernels).every((k) => k === 'int16'), JSON.stringify(served.kernels));
      assert.ok(Object.values(f.health().models.kernels).every((k) => k === 'float32'));
      for (let i = 0; i < a.length; i++) {
        // log return = output scale × network output: the network's budget (1e-3) times a scale <= 1.
        assert.ok(Math.abs(a[i].logReturn - b[i].logReturn) <= 1e-3, `${sym} ${a[i].horizon}: ${a[i].logReturn} vs ${b[i].logReturn}`);
        assert.equal(a[i].currentPrice, b[i].currentPrice);
      }
    }
  } finally {
    q.dispose();
    f.dispose();
  }
  await assert.rejects(create({ kernel: 'int8' }), (e) => e.code === 'invalid_input' && e.field === 'kernel' && /float32/.test(e.message));
  await assert.rejects(create({ kernel: 16 }), (e) => e.code === 'invalid_input' && e.field === 'kernel');
});

test('predictSync: not_ready until the manifest and model are loaded, then the same answer as predict()', async () => {
  const sc = await create({ predictionTtlMs: 0 });
  try {
    const symbol = specific();
    const history = rowsOf(symbol);
    assert.throws(() => sc.predictSync({ symbol, horizon: '10d', history }), (e) => e.code === 'not_ready');
    const p = await sc.predict({ symbol, horizon: '10d', history });
    const s = sc.predictSync({ symbol, horizon: '10d', history });
    assert.ok(!(s instanceof Promise));
    for (const k of ['predictedPrice', 'interval', 'probabilities', 'direction', 'modelType', 'confidence', 'heldOut', 'modelVersion', 'dataDate'])
      assert.deepEqual(s[k], p[k], k);
    // Another symbol whose model is not resident: not_ready, nothing fetched.
    const other = models.manifest.stocks.find((x) => x.model_type === 'stock_specific' && x.symbol !== symbol);
    if (other) assert.throws(() => sc.predictSync({ symbol: other.symbol, horizon: '10d', history: rowsOf(other.symbol) }), (e) => e.code === 'not_ready' && /not resident/.test(e.message));
    // Bad input is the same typed error as predict()'s.
    assert.throws(() => sc.predictSync({ symbol, horizon: '7d', history }), (e) => e.code === 'invalid_input');
    assert.throws(() => sc.predictSync({ symbol, horizon: '10d', history: [1, 2, 3] }), (e) => e.code === 'insufficient_history');
    assert.equal(sc.stats().operations.predictSync.count, 4 + (other ? 1 : 0));
  } finally {
    sc.dispose();
  }
  assert.throws(() => sc.predictSync({ symbol: 'SCOM', history: [1] }), (e) => e.code === 'disposed');
});

test('predictSync: a history predict() fetched serves without history, and cached answers come back as copies', async () => {
  const sc = await create();
  try {
    const symbol = specific();
    const p = await sc.predict({ symbol, horizon: '5d' });
    const s = sc.predictSync({ symbol, horizon: '5d' });
    assert.equal(s.cached, true);
    assert.equal(s.predictedPrice, p.predictedPrice);
    s.interval.lower = -1;
    assert.notEqual(sc.predictSync({ symbol, horizon: '5d' }).interval.lower, -1);
  } finally {
    sc.dispose();
  }
});
