// The real .wasm under Node: golden parity with PyTorch, and every hostile model file
// rejected with the same code as natively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadEnsembleModule, loadModule, repoPath } from './support.mjs';

// stockcast.wasm serves the LSTM networks; the Transformer's forward pass ships in the on-demand
// stockcast-ensemble.wasm (its LoadedModel class is the same binding), which holds every network.
const Module = await loadModule();
const Ensemble = await loadEnsembleModule();
const moduleFor = (name) => (name.startsWith('transformer') ? Ensemble : Module);

function fromGolden(name) {
  const doc = JSON.parse(readFileSync(repoPath(`tests/golden/${name}`), 'utf8'));
  return doc;
}

test('WASM forward matches PyTorch golden outputs within 1e-5', async () => {
  // transformer.json: scripts/golden_transformer.py (torch.nn.TransformerEncoderLayer, float64 reference).
  for (const name of ['nn_stock_specific.json', 'nn_general.json', 'transformer.json']) {
    const g = fromGolden(name);
    // The golden weights become a model file through the same writer the native tests check;
    // here we use the committed golden model files made from them.
    const bytes = readFileSync(repoPath(`tests/golden/${name.replace('.json', '.stkm')}`));
    const m = new (moduleFor(name).LoadedModel)(bytes, true);
    try {
      assert.equal(m.error(), null);
      const x = new Float32Array(g.x.flat());
      const r = m.forward(x, new Int32Array(g.stock_ids), g.x.length);
      assert.equal(r.ok, true, r.message);
      const want = g.y.flat();
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(r.y[i] - want[i]));
      assert.ok(worst <= 1e-5, `${name}: max |diff| ${worst}`);
    } finally {
      m.delete();
    }
  }
});

test('every hostile model file is rejected in WASM with its specific code', () => {
  // Factor-model rows (model: 'factor') are replayed through FactorModel in factors.test.mjs.
  const cases = JSON.parse(readFileSync(repoPath('tests/hostile/cases.json'), 'utf8')).filter((c) => c.model !== 'factor');
  assert.ok(cases.length >= 15);
  for (const { file, code } of cases) {
    const m = new (moduleFor(file).LoadedModel)(readFileSync(repoPath(`tests/hostile/${file}`)), true);
    try {
      const err = m.error();
      if (code === 'ok') {
        assert.equal(err, null, file);
        continue;
      }
      assert.ok(err, `${file} should be rejected`);
      assert.equal(err.detail, code, `${file}: ${err.message}`);
      assert.ok(['format_error', 'integrity_error'].includes(err.code), `${file}: category ${err.code}`);
      assert.ok(err.message.length > 0);
      // A rejected model holds nothing: using it gives the same error, never a crash.
      assert.equal(m.forward(new Float32Array(60), new Int32Array(1), 1).ok, false);
    } finally {
      m.delete();
    }
  }
});

test('bad forward arguments give typed errors, not crashes', () => {
  const m = new Module.LoadedModel(readFileSync(repoPath('tests/golden/nn_general.stkm')), true);
  try {
    assert.equal(m.forward(new Float32Array(59), new Int32Array(1), 1).code, 'invalid_input');
    assert.equal(m.forward(new Float32Array(60), new Int32Array([66]), 1).code, 'invalid_input');
    const x = new Float32Array(60);
    x[3] = NaN;
    assert.equal(m.forward(x, new Int32Array([0]), 1).code, 'invalid_input');
    assert.equal(m.forward(new Float32Array(60), new Int32Array([0]), 0).code, 'invalid_input');
  } finally {
    m.delete();
  }
});

test('WASM: a window gives bit-identical outputs alone and inside a batch', () => {
  for (const name of ['nn_stock_specific', 'nn_general', 'transformer']) {
    const g = fromGolden(`${name}.json`);
    const m = new (moduleFor(name).LoadedModel)(readFileSync(repoPath(`tests/golden/${name}.stkm`)), true);
    try {
      // The golden windows plus shifted copies: 11 windows, an odd batch (kernel tails).
      const windows = [...g.x, ...g.x.map((w) => w.flat().map((v) => v * 0.5 + 0.01)), g.x[0]].slice(0, 11);
      const ids = windows.map((_, i) => g.stock_ids[i % g.stock_ids.length] ?? 0);
      const all = m.forward(new Float32Array(windows.flat(2)), new Int32Array(ids), windows.length);
      assert.equal(windows.length, 11);
      assert.equal(all.ok, true, all.message);
      const per = all.y.length / windows.length;
      windows.forEach((w, i) => {
        const one = m.forward(new Float32Array(w.flat()), new Int32Array([ids[i]]), 1);
        assert.deepEqual(Array.from(one.y), Array.from(all.y.subarray(i * per, (i + 1) * per)), `${name} window ${i}`);
      });
    } finally {
      m.delete();
    }
  }
});

test('stockcast.wasm refuses a Transformer file with a typed error naming the module that serves it', () => {
  for (const file of ['tests/golden/transformer.stkm', 'models/transformer.stkm']) {
    const m = new Module.LoadedModel(readFileSync(repoPath(file)), true);
    try {
      const err = m.error();
      assert.equal(err?.detail, 'unsupported_version', file);
      assert.match(err.message, /stockcast-ensemble\.wasm/);
      assert.equal(m.forward(new Float32Array(30), new Int32Array(1), 1).ok, false);
    } finally {
      m.delete();
    }
  }
});
