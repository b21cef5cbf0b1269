// The Transformer predictor (transformer_v1: 30 steps × 1 input → Dense(64) + positional encoding →
// 2 × TransformerEncoderLayer(d 64, 4 heads, ff 64, post-norm) → mean over time → Dense(4)) in our
// WASM core against onnxruntime-web (wasm EP, 1 thread) and TensorFlow.js (wasm backend), identical
// weights (tests/golden/transformer.json) and inputs, one Node process.
//   node bench/peers/transformer.mjs [--rounds N] [--quick]
// Needs build-wasm/ (scripts/build.sh wasm), bench/peers/node_modules (npm ci --prefix bench/peers)
// and bench/peers/transformer.onnx (/usr/bin/python3 scripts/export_onnx_transformer.py).
// tfjs has no encoder layer in its layers API: the same network is written with tfjs ops (matMul,
// softmax, moments), as an app would, and run inside tf.tidy.
// 1. parity: all three against the PyTorch golden outputs (max |Δ| ≤ 1e-5 for ours and ort; tfjs
//    reported), 2. warm forward, batch 1 and 66: ≥ 2 s warm-up, then N interleaved rounds; medians.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const at = (p) => path.resolve(root, p);
const nm = (p) => path.join(here, 'node_modules', p);
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ROUNDS = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : QUICK ? 1 : 3);
const WARM_MS = QUICK ? 500 : 2000;
const REPS = { 1: QUICK ? 100 : 500, 66: QUICK ? 10 : 50 };

for (const [p, how] of [['build-wasm/stockcast.wasm', 'bash scripts/build.sh wasm'], ['bench/peers/node_modules/onnxruntime-web', 'npm ci --prefix bench/peers'],
  ['bench/peers/transformer.onnx', '/usr/bin/python3 scripts/export_onnx_transformer.py']])
  if (!existsSync(at(p))) {
    console.error(`transformer.mjs: ${p} is missing; run ${how}`);
    process.exit(2);
  }

const golden = JSON.parse(readFileSync(at('tests/golden/transformer.json'), 'utf8'));
const A = golden.architecture;
const T = A.window, D = A.d_model, HEADS = A.heads, DH = D / HEADS;
const goldenX = Float32Array.from(golden.x.flat());
const goldenY = golden.y.flat();
const benchX = new Float32Array(66 * T).map((_, i) => 0.01 * (i % 17) - 0.08);

// ------------------------------------------------------------------ engines
async function loadOurs() {
  const { loadModule } = await import(at('tests/node/support.mjs'));
  const M = await loadModule();
  const model = new M.LoadedModel(readFileSync(at('tests/golden/transformer.stkm')), true);
  if (model.error()) throw new Error(`ours: ${model.error().message}`);
  const ids = new Int32Array(66);
  return {
    forward(x, batch) {
      const r = model.forward(x, ids.subarray(0, batch), batch);
      if (!r.ok) throw new Error(`ours: ${r.message}`);
      return r.y;
    },
  };
}

async function loadOrt() {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmBinary = readFileSync(nm('onnxruntime-web/dist/ort-wasm-simd-threaded.wasm'));
  const session = await ort.InferenceSession.create(readFileSync(path.join(here, 'transformer.onnx')), { executionProviders: ['wasm'] });
  return {
    async forward(x, batch) {
      const out = await session.run({ x: new ort.Tensor('float32', x, [batch, T, 1]) });
      return out.y.data;
    },
  };
}

async function loadTfjs() {
  const tf = await import('@tensorflow/tfjs');
  const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasmBackend.setWasmPaths(nm('@tensorflow/tfjs-backend-wasm/dist/'));
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
  await tf.ready();
  const w = Object.fromEntries(Object.entries(golden.weights).map(([k, v]) => [k, tf.tensor(v.values, v.shape, 'float32')]));
  const pe = w.positional_encoding; // [T, D], from the file like every other weight
  const layerNorm = (x, g, b) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).div(variance.add(1e-5).sqrt()).mul(g).add(b);
  };
  const dense = (x, k, b) => tf.add(tf.matMul(x.reshape([-1, x.shape[x.shape.length - 1]]), k), b).reshape([...x.shape.slice(0, -1), k.shape[1]]);
  function net(x, batch) {
    let h = dense(x, w['input_proj.kernel'], w['input_proj.bias']).add(pe); // [B, T, D]
    for (let l = 0; l < A.encoder_layers; l++) {
      const p = (n) => w[`layers.${l}.${n}`];
      const qkv = dense(h, p('self_attn.in_proj.kernel'), p('self_attn.in_proj.bias')); // [B, T, 3D]
      const heads = (i) => qkv.slice([0, 0, i * D], [batch, T, D]).reshape([batch, T, HEADS, DH]).transpose([0, 2, 1, 3]);
      const [q, k, v] = [heads(0), heads(1), heads(2)];
      const att = tf.softmax(tf.matMul(q, k, false, true).mul(1 / Math.sqrt(DH)));
      const o = tf.matMul(att, v).transpose([0, 2, 1, 3]).reshape([batch, T, D]);
      h = layerNorm(h.add(dense(o, p('self_attn.out_proj.kernel'), p('self_attn.out_proj.bias'))), p('norm1.weight'), p('norm1.bias'));
      const ff = dense(dense(h, p('linear1.kernel'), p('linear1.bias')).relu(), p('linear2.kernel'), p('linear2.bias'));
      h = layerNorm(h.add(ff), p('norm2.weight'), p('norm2.bias'));
    }
    return dense(h.mean(1), w['head.kernel'], w['head.bias']);
  }
  return {
    backend: tf.getBackend(),
    forward(x, batch) {
      return tf.tidy(() => net(tf.tensor3d(x, [batch, T, 1]), batch).dataSync());
    },
  };
}

// ------------------------------------------------------------------ timing
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const maxDiff = (a, b) => a.reduce((d, v, i) => Math.max(d, Math.abs(v - b[i])), 0);
async function time(fn, n) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = fn();
    if (r && r.then) await r;
    ms.push(performance.now() - t0);
  }
  return ms;
}
async function warm(fn) {
  const end = performance.now() + WARM_MS;
  while (performance.now() < end) {
    const r = fn();
    if (r && r.then) await r;
  }
}

const engines = { ours: await loadOurs(), ort: await loadOrt(), tfjs: await loadTfjs() };
const parity = {};
for (const [name, e] of Object.entries(engines)) parity[name] = maxDiff(Array.from(await e.forward(goldenX, golden.x.length)), goldenY);
console.log('parity (max |Δ| vs PyTorch):', Object.entries(parity).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', '));
if (parity.ours > 1e-5 || parity.ort > 1e-5) {
  console.error('transformer.mjs: parity failed');
  process.exit(1);
}

const results = {};
for (const batch of [1, 66]) {
  const x = benchX.subarray(0, batch * T);
  for (const e of Object.values(engines)) await warm(() => e.forward(x, batch));
  const all = Object.fromEntries(Object.keys(engines).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++)
    for (const [name, e] of Object.entries(engines)) all[name].push(...(await time(() => e.forward(x, batch), REPS[batch])));
  results[batch] = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, median(v)]));
}
const uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
console.log(`\nTransformer forward, median ms (Node ${process.version}, ${ROUNDS} rounds, ${uptime})`);
console.log('| batch | ours (WASM) | onnxruntime-web | TensorFlow.js wasm | ort / ours (target ≥ 1.5) | tfjs / ours (target ≥ 20) |');
console.log('|---|---|---|---|---|---|');
for (const [batch, r] of Object.entries(results))
  console.log(`| ${batch} | ${r.ours.toFixed(3)} | ${r.ort.toFixed(3)} | ${r.tfjs.toFixed(3)} | ${(r.ort / r.ours).toFixed(2)}× | ${(r.tfjs / r.ours).toFixed(2)}× |`);
