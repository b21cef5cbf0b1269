// The shipped Transformer (models/transformer.stkm, transformer_v1) through the package's own
// objects: the forecasting module as the package instantiates it (wasm.js) and the registry's
// ModelHandle, the object predict() calls. Same file, same forecast path as the LSTM models; the
// module is the on-demand stockcast-ensemble.wasm, whose LoadedModel holds the Transformer's forward
// pass (stockcast.wasm, on every page's predict path, serves the LSTM networks only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadEnsembleModule, repoPath } from './support.mjs';
import { packageDir } from './helpers/fixtures.mjs';

const Module = await loadEnsembleModule();
const { ModelHandle } = await import(path.join(await packageDir(), 'registry.js'));
const shipped = repoPath('models/transformer.stkm');

test('the package loads models/transformer.stkm and forecasts every horizon from a real history', { skip: !existsSync(shipped) }, () => {
  const handle = new ModelHandle(Module, readFileSync(shipped), true);
  try {
    assert.equal(handle.summary.kind, 'transformer');
    assert.equal(handle.summary.name, 'transformer');
    const rows = JSON.parse(readFileSync(repoPath('models/history/SCOM.json'), 'utf8')).rows;
    const closes = new Float64Array(rows.map((r) => r.close));
    const volumes = new Float64Array(rows.map((r) => r.volume ?? 0));
    // stock id -1: the transformer has no embedding and serves any symbol
    const f = handle.predict(closes, volumes, -1, 0.9);
    assert.equal(f.ok, true, f.message);
    assert.deepEqual(f.horizons.map((h) => h.horizon), [1, 5, 10, 30]);
    const last = closes[closes.length - 1];
    for (const h of f.horizons) {
      assert.ok(Number.isFinite(h.price) && h.price > 0);
      assert.ok(h.lower <= h.price && h.price <= h.upper, `${h.horizon}d interval holds the forecast`);
      assert.ok(h.upper < last * 2 && h.lower > last / 2, `${h.horizon}d interval is plausible`);
      assert.ok(Math.abs(h.pBearish + h.pNeutral + h.pBullish - 1) < 1e-6);
    }
    // A history shorter than the 30-close window is a typed error, not a crash.
    const short = handle.predict(closes.subarray(0, 10), volumes.subarray(0, 10), -1, 0.9);
    assert.equal(short.ok, false);
    assert.ok([short.code, short.detail].includes('insufficient_history'), JSON.stringify(short));
  } finally {
    handle.dispose();
  }
});

test('transformer golden model through the package ModelHandle: predictBatch equals predict one window at a time', () => {
  const handle = new ModelHandle(Module, readFileSync(repoPath('tests/golden/transformer.stkm')), true);
  try {
    assert.equal(handle.summary.kind, 'transformer');
    const rows = JSON.parse(readFileSync(repoPath('models/history/EQTY.json'), 'utf8')).rows.slice(-120);
    const closes = rows.map((r) => r.close);
    const histories = [closes.slice(0, 40), closes.slice(0, 80), closes];
    const offsets = [0];
    for (const h of histories) offsets.push(offsets[offsets.length - 1] + h.length);
    const flat = new Float64Array(histories.flat());
    const batch = handle.predictBatch(flat, new Float64Array(flat.length), new Int32Array(offsets), new Int32Array([-1, -1, -1]), 0.9);
    assert.equal(batch.ok, true, batch.message);
    histories.forEach((h, i) => {
      const one = handle.predict(new Float64Array(h), new Float64Array(h.length), -1, 0.9);
      assert.deepEqual(one.horizons.map((x) => x.price), batch.results[i].horizons.map((x) => x.price));
    });
  } finally {
    handle.dispose();
  }
});
