// The factor models in WebAssembly: golden parity with scikit-learn (tests/golden/factors.json,
// the same rows and outputs the native test checks), every hostile factor file rejected with the
// native code, and the package's predictFactors() / models() / stats() against a real HTTP server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadFactorsModule, repoPath } from './support.mjs';
import { importPackage } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';

const F = await loadFactorsModule();
const golden = JSON.parse(readFileSync(repoPath('tests/golden/factors.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(repoPath('models/manifest.json'), 'utf8'));
const TREES = ['random_forest', 'extra_trees', 'gradient_boosting'];

test('WASM factor models equal scikit-learn on 1,000 held-out rows (trees exactly)', () => {
  assert.equal(golden.x.length, 1000);
  const report = [];
  for (const [name, g] of Object.entries(golden.models)) {
    const m = new F.FactorModel(readFileSync(repoPath(g.file)), true);
    try {
      assert.equal(m.error(), null, name);
      let maxRel = 0;
      let exact = 0;
      for (let r = 0; r < golden.x.length; r++) {
        const res = m.predict(Float64Array.from(golden.x[r]), true);
        assert.equal(res.ok, true, res.message);
        const want = g.y[r];
        maxRel = Math.max(maxRel, Math.abs(res.value - want) / Math.max(Math.abs(want), 1e-300));
        exact += res.value === want;
      }
      report.push(`${name} ${maxRel.toExponential(2)} ${exact}/1000`);
      if (TREES.includes(g.kind)) assert.equal(exact, 1000, `${name}: trees must match exactly`);
      assert.ok(maxRel <= 1e-6, `${name}: max relative difference ${maxRel}`);
    } finally {
      m.delete();
    }
  }
  assert.equal(report.length, 22);
  console.log(`# parity (max relative difference, exact rows): ${report.join('; ')}`);
});

test('every hostile factor file is rejected in WASM with its native code', () => {
  const cases = JSON.parse(readFileSync(repoPath('tests/hostile/cases.json'), 'utf8')).filter((c) => c.model === 'factor');
  assert.ok(cases.length >= 30);
  for (const { file, code } of cases) {
    const m = new F.FactorModel(readFileSync(repoPath(`tests/hostile/${file}`)), true);
    try {
      const err = m.error();
      if (code === 'ok') assert.equal(err, null, file);
      else {
        assert.notEqual(err, null, file);
        assert.equal(err.detail, code, `${file}: ${err.message}`);
        assert.ok(err.message.length > 0);
      }
    } finally {
      m.delete();
    }
  }
  assert.equal(F.FactorModel.live(), 0);
});

let srv;
let pkg;
before(async () => {
  srv = await startServer(repoPath('models'));
  pkg = await importPackage('node.js');
});
after(() => srv.close());

const linear = 'factor_range_linear';
const logistic = 'factor_highrange_logistic';
const entry = (name) => manifest.factor_models.find((m) => m.name === name);
const mid = (name) => entry(name).feature_ranges.map((f) => (f.min + f.max) / 2);

test('predictFactors: raw and named features, probabilities, metrics, latency', async () => {
  const sc = await pkg.createStockcast({ baseUrl: srv.url });
  try {
    const x = mid(linear);
    const a = await sc.predictFactors({ model: linear, features: x });
    assert.equal(a.kind, 'linear');
    assert.equal(a.target, 'next_range_rel');
    assert.equal(typeof a.prediction, 'number');
    assert.ok(a.metrics.test.model.r2 !== undefined);
    assert.ok(a.latencyMs >= 0);
    const named = Object.fromEntries(entry(linear).features.map((n, i) => [n, x[i]]));
    const b = await sc.predictFactors({ model: linear, features: named });
    assert.equal(b.prediction, a.prediction);
    const c = await sc.predictFactors({ model: logistic, features: mid(logistic) });
    assert.equal(c.kind, 'logistic');
    assert.ok(Math.abs(c.probabilities.normal_range + c.probabilities.high_range - 1) < 1e-12);
    assert.ok(['normal_range', 'high_range'].includes(c.label));
    for (const kind of ['random_forest', 'extra_trees', 'gradient_boosting', 'svr', 'mlp']) {
      const r = await sc.predictFactors({ model: `learner_${kind}_5d`, features: mid(`learner_${kind}_5d`) });
      assert.equal(r.kind, kind);
      assert.ok(Number.isFinite(r.prediction));
    }
    const s = sc.stats().factorLatency;
    assert.ok(s.linear.count >= 2 && s.linear.p95Ms >= s.linear.p50Ms && s.linear.p99Ms >= s.linear.p95Ms);
    assert.ok(s.mlp.count === 1);
  } finally {
    sc.dispose();
  }
});

test('predictFactors from a symbol or a history: the core computes the features from prices', async () => {
  const sc = await pkg.createStockcast({ baseUrl: srv.url });
  try {
    const r = await sc.predictFactors({ model: linear, symbol: 'SCOM', clamp: true });
    assert.equal(r.symbol, 'SCOM');
    assert.deepEqual(Object.keys(r.features), entry(linear).features);
    assert.match(r.dataDate, /^\d{4}-\d{2}-\d{2}$/);
    const rows = JSON.parse(readFileSync(repoPath('models/history/SCOM.json'), 'utf8')).rows;
    const h = await sc.predictFactors({ model: linear, history: rows, clamp: true });
    assert.equal(h.prediction, r.prediction);
    // The same features given raw give the same prediction.
    const raw = await sc.predictFactors({ model: linear, features: r.features, clamp: true });
    assert.equal(raw.prediction, r.prediction);
    await assert.rejects(sc.predictFactors({ model: linear, history: rows.slice(-10) }), { code: 'insufficient_history', required: 21, provided: 10 });
    await assert.rejects(sc.predictFactors({ model: linear, history: rows.map(({ low, high, ...rest }) => rest) }), { code: 'invalid_input', field: 'history', reason: 'high_low_required' });
  } finally {
    sc.dispose();
  }
});

test('predictFactors: bad input names its field; out_of_range carries value, min, max; clamp says so', async () => {
  const sc = await pkg.createStockcast({ baseUrl: srv.url });
  try {
    const x = mid(linear);
    await assert.rejects(sc.predictFactors({ model: linear, features: x.slice(1) }), { code: 'invalid_input', field: 'features', reason: 'wrong_length' });
    await assert.rejects(sc.predictFactors({ model: linear, features: ['a', ...x.slice(1)] }), { code: 'invalid_input', field: 'features.clv', reason: 'wrong_type' });
    await assert.rejects(sc.predictFactors({ model: linear, features: { clv: 0.5 } }), { code: 'invalid_input', reason: 'missing' });
    await assert.rejects(sc.predictFactors({ model: linear, features: 'x' }), { code: 'invalid_input', field: 'features' });
    await assert.rejects(sc.predictFactors({ model: linear, features: [NaN, ...x.slice(1)] }), { code: 'invalid_input', field: 'features.clv' });
    await assert.rejects(sc.predictFactors({ features: x }), { code: 'invalid_input', field: 'model' });
    const far = [...x];
    far[2] = 50; // range_rel
    const r = entry(linear).feature_ranges[2];
    await assert.rejects(sc.predictFactors({ model: linear, features: far }), { code: 'out_of_range', field: 'features.range_rel', value: 50, min: r.min, max: r.max });
    const clamped = await sc.predictFactors({ model: linear, features: far, clamp: true });
    assert.deepEqual(clamped.clamped, [{ field: 'features.range_rel', value: 50, min: r.min, max: r.max }]);
    const atMax = [...x];
    atMax[2] = r.max;
    assert.equal(clamped.prediction, (await sc.predictFactors({ model: linear, features: atMax })).prediction);
    const nf = await sc.predictFactors({ model: 'nope', features: x }).catch((e) => e);
    assert.equal(nf.code, 'model_not_found');
    assert.ok(nf.available.includes(linear) && nf.available.length === manifest.factor_models.length);
  } finally {
    sc.dispose();
  }
});

test('models(): every factor model of the manifest with kind, target, feature ranges and metrics', async () => {
  const sc = await pkg.createStockcast({ baseUrl: srv.url });
  try {
    const list = await sc.models();
    assert.equal(list.length, manifest.factor_models.length);
    for (const m of list) {
      assert.ok(m.kind && m.target && m.metrics.test);
      assert.ok(m.features.every((f) => typeof f.min === 'number' && f.min <= f.max));
    }
  } finally {
    sc.dispose();
  }
});

test('Web Worker client: predictFactors and models() over postMessage equal the instance (one worker and a pool)', async () => {
  const { Worker } = await import('node:worker_threads');
  const path = (await import('node:path')).default;
  const { packageDir } = await import('./helpers/fixtures.mjs');
  const dist = await packageDir();
  const { createStockcastWorker } = await import(path.join(dist, 'worker-client.js'));
  const hosts = [0, 1, 2].map(() => new Worker(repoPath('tests/node/helpers/worker-host.mjs'), { workerData: { dist } }));
  const sc = await pkg.createStockcast({ baseUrl: srv.url });
  const w = await createStockcastWorker({ worker: hosts[0], baseUrl: srv.url });
  const pool = await createStockcastWorker({ worker: hosts.slice(1), baseUrl: srv.url });
  try {
    for (const client of [w, pool]) {
      assert.deepEqual(await client.models(), await sc.models());
      const x = mid(logistic);
      const [a, b] = await Promise.all([client.predictFactors({ model: logistic, features: x }), sc.predictFactors({ model: logistic, features: x })]);
      assert.equal(a.prediction, b.prediction);
      assert.deepEqual(a.probabilities, b.probabilities);
      assert.equal(a.label, b.label);
      assert.deepEqual(a.metrics, b.metrics);
      assert.ok(a.latencyMs >= 0);
      const s = await client.predictFactors({ model: linear, symbol: 'scom', clamp: true });
      const t = await sc.predictFactors({ model: linear, symbol: 'SCOM', clamp: true });
      assert.equal(s.prediction, t.prediction);
      assert.deepEqual(s.features, t.features);
      assert.equal(s.symbol, 'SCOM');
      // Typed errors cross the worker boundary with their fields.
      const far = mid(linear);
      far[2] = 50;
      const r = entry(linear).feature_ranges[2];
      await assert.rejects(client.predictFactors({ model: linear, features: far }),
        (e) => e.name === 'StockcastError' && e.code === 'out_of_range' && e.field === 'features.range_rel' && e.value === 50 && e.min === r.min && e.max === r.max);
      await assert.rejects(client.predictFactors({ model: 'nope', features: far }), (e) => e.code === 'model_not_found' && e.available.includes(linear));
      const c = new AbortController();
      c.abort();
      await assert.rejects(client.predictFactors({ model: linear, features: mid(linear), signal: c.signal }), { code: 'aborted' });
      await assert.rejects(client.models({ signal: c.signal }), { code: 'aborted' });
    }
    const st = await w.stats();
    assert.ok(st.factorLatency.logistic.count >= 1);
    // The pool: counts summed over the workers, each percentile the largest of theirs.
    const ps = await pool.stats();
    const lin = ps.workers.map((x) => x.factorLatency.linear).filter(Boolean);
    assert.equal(ps.factorLatency.linear.count, lin.reduce((a, l) => a + l.count, 0));
    assert.equal(ps.factorLatency.linear.p95Ms, Math.max(...lin.map((l) => l.p95Ms)));
  } finally {
    await w.dispose();
    await pool.dispose();
    sc.dispose();
    await Promise.all(hosts.map((h) => h.terminate()));
  }
});

test('predictFactors with a persistent store: a later instance works with the model server gone; a bad stored copy is refetched', async () => {
  const own = await startServer(repoPath('models'));
  const store = pkg.createMemoryStore();
  const x = mid(logistic);
  const a = await pkg.createStockcast({ baseUrl: own.url, store, retryDelayMs: 1 });
  let want;
  try {
    want = await a.predictFactors({ model: logistic, features: x });
    await a.models();
  } finally {
    a.dispose();
  }
  const sha = entry(logistic).sha256;
  assert.ok(await store.get(sha), 'the factor file was kept under its SHA-256');
  await own.close();
  const b = await pkg.createStockcast({ baseUrl: own.url, store, retryDelayMs: 1, retries: 0 });
  try {
    const r = await b.predictFactors({ model: logistic, features: x });
    assert.equal(r.prediction, want.prediction);
    await assert.rejects(b.predictFactors({ model: linear, features: mid(linear) }), { code: 'fetch_failed' }); // never stored
  } finally {
    b.dispose();
  }
  // A stored copy that no longer matches the manifest is not used: fetched again (and stored again).
  const bytes = new Uint8Array(await store.get(sha));
  bytes[100] ^= 1;
  await store.put(sha, bytes);
  const c = await pkg.createStockcast({ baseUrl: srv.url, store, retryDelayMs: 1 });
  try {
    assert.equal((await c.predictFactors({ model: logistic, features: x })).prediction, want.prediction);
  } finally {
    c.dispose();
  }
  assert.equal(Buffer.compare(Buffer.from(await store.get(sha)), readFileSync(repoPath(`models/${entry(logistic).file}`))), 0);
});
