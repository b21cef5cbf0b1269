// Forward-pass benchmark, WASM under Node: same network and inputs as bench/native/bench_forward.
//   node bench/wasm/bench_forward.mjs [MODEL.stkm]
import { readFileSync } from 'node:fs';
import { loadModule, repoPath } from '../../tests/node/support.mjs';

const Module = await loadModule();
const model = new Module.LoadedModel(readFileSync(process.argv[2] || repoPath('tests/golden/nn_stock_specific.stkm')), true);
const err = model.error();
if (err) throw new Error(`${err.detail}: ${err.message}`);

const x = new Float32Array(66 * 60).map((_, i) => 0.01 * (i % 17) - 0.08);
const ids = new Int32Array(66);

function time(fn, reps) {
  const warmEnd = performance.now() + 1000;  // let V8 tier up before timing
  while (performance.now() < warmEnd) fn();
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[ms.length >> 1], p95: ms[Math.floor(ms.length * 0.95)] };
}

console.log('wasm forward (Node ' + process.version + ')'.padEnd(12), 'median ms', '  p95 ms', ' ms/window');
for (const batch of [1, 66]) {
  const xs = x.subarray(0, batch * 60);
  const is = ids.subarray(0, batch);
  const s = time(() => model.forward(xs, is, batch), batch === 1 ? 3000 : 300);
  console.log(`batch ${batch}`.padEnd(28), s.median.toFixed(4).padStart(9), s.p95.toFixed(4).padStart(9), (s.median / batch).toFixed(4).padStart(10));
}
model.delete();
