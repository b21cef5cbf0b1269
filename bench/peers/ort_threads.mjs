// onnxruntime-web with 2 threads (its own pthread pool over SharedArrayBuffer, which browsers allow
// only under cross-origin isolation) on batch 66 of the benchmark network: the peer of our batch
// 66 over 2 workers. A process of its own: ort fixes its thread count when it first initialises.
//   node bench/peers/ort_threads.mjs [threads]     prints "batch 66 over N threads MEDIAN P95 MIN"
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const threads = Number(process.argv[2] || 2);
const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = threads;
const session = await ort.InferenceSession.create(readFileSync(path.join(here, 'nn_stock_specific.onnx')), { executionProviders: ['wasm'] });
const x = new Float32Array(66 * 60).map((_, i) => 0.01 * (i % 17) - 0.08);
const run = () => session.run({ x: new ort.Tensor('float32', x, [66, 60, 1]) });
const warmEnd = performance.now() + 3000; // ort keeps compiling its wasm in the background at first
while (performance.now() < warmEnd) await run();
const ms = [];
for (let i = 0; i < 300; i++) {
  const t0 = performance.now();
  await run();
  ms.push(performance.now() - t0);
}
ms.sort((a, b) => a - b);
console.log(`batch 66 over ${threads} threads`, ms[ms.length >> 1].toFixed(4), ms[Math.floor(ms.length * 0.95)].toFixed(4), ms[0].toFixed(4));
process.exit(0); // ort's thread pool keeps the process alive
