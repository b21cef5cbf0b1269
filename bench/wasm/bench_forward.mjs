// Forward-pass benchmark, WASM under Node: same network and inputs as bench/native/bench_forward,
// on this thread, and batch 66 spread over 2 worker threads (33 windows each, one module instance
// per worker, no shared memory, so no cross-origin isolation is needed in a browser): the time from
// posting the two halves to having both answers.
//   node bench/wasm/bench_forward.mjs [MODEL.stkm]     (e.g. tests/golden/transformer.stkm)
//   STOCKCAST_KERNEL=int16: the integer kernel (default float32)
import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadModule, repoPath } from '../../tests/node/support.mjs';

const modelPath = (isMainThread ? process.argv[2] : workerData.modelPath) || repoPath('tests/golden/nn_stock_specific.stkm');
const Module = await loadModule();
const model = new Module.LoadedModel(readFileSync(modelPath), true);
const kernel = process.env.STOCKCAST_KERNEL || 'float32';
const err = model.error() || (kernel !== 'float32' && !model.useKernel(kernel).ok && { detail: 'kernel', message: `no ${kernel} kernel in this build` });
if (err) throw new Error(`${err.detail}: ${err.message}`);

// Window × features from the file (60 × 1 for the LSTM networks, 30 × 1 for the transformer).
const { architecture: arch } = JSON.parse(model.header());
const per = arch.window * arch.features;
const x = new Float32Array(66 * per).map((_, i) => 0.01 * (i % 17) - 0.08);
const ids = new Int32Array(66);

if (!isMainThread) {
  // A worker: forward the windows [from, from + batch) on request; answer with the outputs.
  const { from, batch } = workerData;
  const xs = x.subarray(from * per, (from + batch) * per);
  const is = ids.subarray(0, batch);
  parentPort.on('message', () => {
    const r = model.forward(xs, is, batch);
    parentPort.postMessage(r.ok ? r.y : r);
  });
} else {
  const summary = (ms) => {
    ms.sort((a, b) => a - b);
    return { median: ms[ms.length >> 1], p95: ms[Math.floor(ms.length * 0.95)], min: ms[0] };
  };
  async function time(fn, reps) {
    const warmEnd = performance.now() + 1000; // let V8 tier up before timing
    while (performance.now() < warmEnd) await fn();
    const ms = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await fn();
      ms.push(performance.now() - t0);
    }
    return summary(ms);
  }
  const row = (name, s, batch) =>
    console.log(name.padEnd(28), s.median.toFixed(4).padStart(9), s.p95.toFixed(4).padStart(9), s.min.toFixed(4).padStart(9), (s.median / batch).toFixed(4).padStart(10));

  console.log(`wasm forward (Node ${process.version})`.padEnd(28), 'median ms', '  p95 ms', '  min ms', ' ms/window');
  for (const batch of [1, 66]) {
    const xs = x.subarray(0, batch * per);
    const is = ids.subarray(0, batch);
    row(`batch ${batch}`, await time(() => model.forward(xs, is, batch), batch === 1 ? 3000 : 300), batch);
  }

  const workers = [0, 33].map((from) => new Worker(new URL(import.meta.url), { workerData: { from, batch: 33, modelPath } }));
  const ask = (w) => new Promise((resolve) => {
    w.once('message', resolve);
    w.postMessage(0);
  });
  // The halves must equal the single-thread batch bit for bit (batch == single is a core property).
  const [a, b] = await Promise.all(workers.map(ask));
  if (!(a instanceof Float32Array && b instanceof Float32Array)) throw new Error(`a worker failed: ${JSON.stringify([a, b])}`);
  const whole = model.forward(x, ids, 66).y;
  if (!whole.every((v, i) => v === (i < a.length ? a[i] : b[i - a.length]))) throw new Error('2-worker outputs differ from the single-thread batch');
  row('batch 66 over 2 workers', await time(() => Promise.all(workers.map(ask)), 300), 66);
  await Promise.all(workers.map((w) => w.terminate()));
  model.delete();
}
