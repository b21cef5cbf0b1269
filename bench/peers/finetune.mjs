// Fine-tuning (issue 17): our trainer (stockcast-train.wasm) against TensorFlow.js (wasm backend)
// training the same network for the same number of steps, in Node, one thread.
//   node bench/peers/finetune.mjs [--epochs N] [--rows N]
// Ours: fineTune on the last N rows of the NSE FNK25 index (general model, fixed epochs:
// patience > epochs). TensorFlow.js: the general model's stock-specific shape (60 x 1 ->
// LSTM 50 -> LSTM 40 -> Dense 25 relu -> Dense 4) with the LSTMs frozen (trainable: false, as
// ours), Adam, batch 32, Huber loss, the same training / held-out window counts, the held-out
// loss evaluated every epoch. Ours computes the frozen LSTMs' outputs once; tfjs runs the LSTM
// forward in every step (what a layers model does); a second tfjs run applies the same trick
// (LSTM outputs once, then a head-only model) to compare the arithmetic alone.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const arg = (n, d) => (process.argv.includes(n) ? Number(process.argv[process.argv.indexOf(n) + 1]) : d);
const epochs = arg('--epochs', 20);
const rowsN = arg('--rows', 1000);

const wasmDir = path.resolve(process.env.STOCKCAST_WASM_DIR || path.join(root, 'build-wasm'));
const { default: factory } = await import(path.join(wasmDir, 'stockcast-train.mjs'));
const M = await factory({ wasmBinary: readFileSync(path.join(wasmDir, 'stockcast-train.wasm')) });
const base = new Uint8Array(readFileSync(path.join(root, 'models/general.stkm')));
const lines = readFileSync(path.join(root, 'models/data/nse/indices/FNK25.csv'), 'utf8').trim().split('\n').slice(1).slice(-rowsN).map((l) => l.split(','));
const req = { name: 'B', dates: lines.map((c) => c[0]), closes: Float64Array.from(lines, (c) => +c[3]), options: { maxEpochs: epochs, patience: epochs + 1 } };

const ours = [];
let info;
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  info = M.fineTune(base, req, () => false);
  ours.push(performance.now() - t);
}
const nt = info.trainWindows, nv = info.holdoutWindows;
const steps = epochs * Math.ceil(nt / 32);

const tf = await import('@tensorflow/tfjs');
const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // tfjs-wasm threads cannot run under Node
wasmBackend.setWasmPaths(path.join(here, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'));
if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
await tf.ready();
const z = 'zeros';
const model = tf.sequential();
model.add(tf.layers.lstm({ units: 50, returnSequences: true, inputShape: [60, 1], recurrentActivation: 'sigmoid', kernelInitializer: z, recurrentInitializer: z, trainable: false }));
model.add(tf.layers.lstm({ units: 40, recurrentActivation: 'sigmoid', kernelInitializer: z, recurrentInitializer: z, trainable: false }));
model.add(tf.layers.dropout({ rate: 0.2 }));
model.add(tf.layers.dense({ units: 25, activation: 'relu' }));
model.add(tf.layers.dropout({ rate: 0.2 }));
model.add(tf.layers.dense({ units: 4 }));
model.compile({ optimizer: tf.train.adam(2e-3), loss: tf.losses.huberLoss });
const rnd = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const x = tf.tensor3d(rnd(nt * 60), [nt, 60, 1]), y = tf.tensor2d(rnd(nt * 4), [nt, 4]);
const xv = tf.tensor3d(rnd(nv * 60), [nv, 60, 1]), yv = tf.tensor2d(rnd(nv * 4), [nv, 4]);
await model.fit(x, y, { epochs: 1, batchSize: 32, validationData: [xv, yv], verbose: 0 }); // warm-up
const t = performance.now();
await model.fit(x, y, { epochs, batchSize: 32, shuffle: true, validationData: [xv, yv], verbose: 0 });
const tfMs = performance.now() - t;
// The same trick in tfjs: the frozen LSTMs' outputs once (predict), then a head-only model.
const t2 = performance.now();
const lstmOnly = tf.model({ inputs: model.inputs, outputs: model.layers[1].output });
const [h, hv] = [lstmOnly.predict(x, { batchSize: 256 }), lstmOnly.predict(xv, { batchSize: 256 })];
const head = tf.sequential();
head.add(tf.layers.dropout({ rate: 0.2, inputShape: [40] }));
head.add(tf.layers.dense({ units: 25, activation: 'relu' }));
head.add(tf.layers.dropout({ rate: 0.2 }));
head.add(tf.layers.dense({ units: 4 }));
head.compile({ optimizer: tf.train.adam(2e-3), loss: tf.losses.huberLoss });
await head.fit(h, y, { epochs, batchSize: 32, shuffle: true, validationData: [hv, yv], verbose: 0 });
const tfHeadMs = performance.now() - t2;
const best = Math.min(...ours);
console.log(JSON.stringify({ rows: rowsN, trainWindows: nt, holdoutWindows: nv, epochs, steps, oursMs: ours.map((v) => +v.toFixed(0)),
  oursBestMs: +best.toFixed(0), tfjsWasmMs: +tfMs.toFixed(0), ratio: +(tfMs / best).toFixed(1),
  tfjsWasmCachedLstmMs: +tfHeadMs.toFixed(0), ratioCachedLstm: +(tfHeadMs / best).toFixed(1) }));
