// The integer kernel in the real .wasm (i32x4.dot_i16x8_s): the golden networks within 1e-3 of
// PyTorch (the float kernel's 1e-5 test is wasm-core.test.mjs), a batch bit for bit equal to its
// windows one at a time, and the kernel chosen per model through LoadedModel.useKernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModule, repoPath } from './support.mjs';

const Module = await loadModule();

function load(name, kernel) {
  const m = new Module.LoadedModel(readFileSync(repoPath(`tests/golden/${name}.stkm`)), true);
  assert.equal(m.error(), null);
  const k = m.useKernel(kernel);
  assert.equal(k.ok, true, k.message);
  assert.equal(k.kernel, kernel);
  return m;
}

test('the module offers the float32 and int16 kernels', () => {
  assert.deepEqual(Module.kernelNames, ['float32', 'int16']);
});

test('int16 kernel: golden outputs within 1e-3 of PyTorch, and not the float path', () => {
  for (const name of ['nn_stock_specific', 'nn_general']) {
    const g = JSON.parse(readFileSync(repoPath(`tests/golden/${name}.json`), 'utf8'));
    const x = new Float32Array(g.x.flat());
    const ids = new Int32Array(g.stock_ids);
    const m = load(name, 'int16');
    const f = load(name, 'float32');
    try {
      const y = m.forward(x, ids, g.x.length).y;
      const yf = f.forward(x, ids, g.x.length).y;
      const want = g.y.flat();
      let worst = 0, fromFloat = 0;
      for (let i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(y[i] - want[i]));
        fromFloat = Math.max(fromFloat, Math.abs(y[i] - yf[i]));
      }
      assert.ok(worst <= 1e-3, `${name}: max |diff| ${worst}`);
      assert.ok(fromFloat > 1e-7, `${name}: int16 equals float32 (${fromFloat}): not the integer path`);
      // A batch gives each window's outputs bit for bit (integer sums are exact in any order).
      const per = g.architecture.window * (g.architecture.features || 1), H = want.length / g.x.length;
      for (let b = 0; b < g.x.length; b++) {
        const one = m.forward(x.subarray(b * per, (b + 1) * per), ids.subarray(b, b + 1), 1).y;
        assert.deepEqual(Array.from(one), Array.from(y.subarray(b * H, (b + 1) * H)));
      }
    } finally {
      m.delete();
      f.delete();
    }
  }
});

test('useKernel rejects an unknown kernel with invalid_input and keeps the model usable', () => {
  const m = new Module.LoadedModel(readFileSync(repoPath('tests/golden/nn_stock_specific.stkm')), true);
  try {
    const r = m.useKernel('int8');
    assert.equal(r.ok, false);
    assert.equal(r.code, 'invalid_input');
    assert.match(r.message, /float32 or int16/);
    assert.equal(m.forward(new Float32Array(60), null, 1).ok, true);
  } finally {
    m.delete();
  }
});
