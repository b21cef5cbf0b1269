// The engines of the warm benchmark (bench/browser/warm.mjs), the same code on a page's main
// thread and in a dedicated worker (warm-worker.js). Each engine answers run(n): n calls in a
// row, timed as one round (Chromium coarsens performance.now() to 0.1 ms without cross-origin
// isolation, so single calls are never timed). Served paths: /pkg (web/dist; /pkg0 a baseline build), /models,
// /golden (tests/golden), /ort, /tfjs, /tfjs-wasm, /peers, /tfjs-model (bench/browser/warm.mjs).
const WINDOW = 60;
// bench/native's and bench/wasm's input: x[i] = 0.01·(i mod 17) − 0.08.
export const benchX = (batch) => new Float32Array(batch * WINDOW).map((_, i) => 0.01 * (i % 17) - 0.08);

let seq = 0; // every history ever handed to predict() differs from all others
async function scomRows() {
  const text = await (await fetch('/models/data/nse/prices/SCOM.csv')).text();
  const lines = text.trim().split('\n');
  const head = lines[0].split(',');
  const [d, c, v] = ['date', 'close', 'volume'].map((n) => head.indexOf(n));
  return lines.slice(1).map((l) => l.split(',')).filter((r) => r[c] !== '' && Number(r[c]) > 0).slice(-300)
    .map((r) => ({ date: r[d], close: Number(r[c]), ...(r[v] !== '' ? { volume: Number(r[v]) } : {}) }));
}
// n never-seen histories (the last close moved by a different tiny amount each), made before the clock starts.
function freshHistories(rows, n) {
  return Array.from({ length: n }, () => {
    const h = rows.slice();
    const last = h[h.length - 1];
    h[h.length - 1] = { ...last, close: last.close * (1 + ++seq * 1e-9) };
    return h;
  });
}

async function timed(n, call) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await call(i);
  return (performance.now() - t0) / n;
}

async function evalScript(src) {
  // tf.min.js and its wasm backend are UMD scripts: evaluated globally (pages and module workers alike).
  (0, eval)(await (await fetch(src)).text());
}

let tfjsLoaded;
async function loadTfjs() {
  await evalScript('/tfjs/tf.min.js');
  await evalScript('/tfjs-wasm/tf-backend-wasm.min.js');
  const tf = globalThis.tf;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tf.wasm.setWasmPaths('/tfjs-wasm/');
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
  return { tf, model: await tf.loadLayersModel('/tfjs-model/model.json') };
}

const engines = {
  // The package's full predict({symbol, horizon, history}) (browser entry, default options:
  // prediction cache on, so every call computes its key), a never-seen history per call.
  async 'ours-predict'({ kernel, sync, pkg = '/pkg' } = {}) {
    const { createStockcast } = await import(`${pkg}/index.js`);
    const sc = await createStockcast({ baseUrl: '/models/', ...(kernel ? { kernel } : {}) });
    const rows = await scomRows();
    const req = (history) => ({ symbol: 'SCOM', horizon: '10d', history });
    const first = await sc.predict(req(rows));
    if (sync && typeof sc.predictSync !== 'function') throw new Error('this package has no predictSync');
    return {
      check: [first.predictedPrice],
      async run(n) {
        const hs = freshHistories(rows, n);
        return sync ? timed(n, (i) => sc.predictSync(req(hs[i]))) : timed(n, (i) => sc.predict(req(hs[i])));
      },
    };
  },
  // The package in its own worker through stockcast/worker-client (what the frontend does): the
  // page's call, the history posted to the worker, predict() there, the answer posted back.
  async 'ours-worker-client'({ kernel } = {}) {
    const { createStockcastWorker } = await import('/pkg/worker-client.js');
    const sc = await createStockcastWorker({ baseUrl: '/models/', ...(kernel ? { kernel } : {}) });
    const rows = await scomRows();
    const req = (history) => ({ symbol: 'SCOM', horizon: '10d', history });
    const first = await sc.predict(req(rows));
    return {
      check: [first.predictedPrice],
      async run(n) {
        const hs = freshHistories(rows, n);
        return timed(n, (i) => sc.predict(req(hs[i])));
      },
    };
  },
  // Our module's raw forward (LoadedModel.forward) on the benchmark network (golden weights).
  async 'ours-forward'({ batch = 1, kernel, pkg = '/pkg' } = {}) {
    const { instantiateCore } = await import(`${pkg}/wasm.js`);
    const M = await instantiateCore(WebAssembly.compileStreaming(fetch(`${pkg}/stockcast.wasm`)));
    const bytes = new Uint8Array(await (await fetch('/golden/nn_stock_specific.stkm')).arrayBuffer());
    const model = new M.LoadedModel(bytes, true);
    const err = model.error() || (kernel && !model.useKernel(kernel).ok && { message: `no ${kernel} kernel` });
    if (err) throw new Error(`ours: ${err.message}`);
    const x = benchX(batch);
    const ids = new Int32Array(batch);
    const forward = () => {
      const r = model.forward(x, ids, batch);
      if (!r.ok) throw new Error(`ours: ${r.message}`);
      return r.y;
    };
    return { check: Array.from(forward().slice(0, 4)), run: (n) => timed(n, forward) };
  },
  // onnxruntime-web (wasm EP) session.run on the same network exported to ONNX.
  async ort({ batch = 1, threads = 1 } = {}) {
    const ort = await import('/ort/ort.wasm.min.mjs');
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.wasmPaths = '/ort/';
    const session = await ort.InferenceSession.create('/peers/nn_stock_specific.onnx', { executionProviders: ['wasm'] });
    const feeds = { x: new ort.Tensor('float32', benchX(batch), [batch, WINDOW, 1]) };
    const y = (await session.run(feeds)).y.data;
    return { check: Array.from(y.slice(0, 4)), threads: ort.env.wasm.numThreads, run: (n) => timed(n, () => session.run(feeds)) };
  },
  // TensorFlow.js layers model with the wasm backend, one thread.
  async tfjs({ batch = 1 } = {}) {
    const { tf, model } = await (tfjsLoaded ||= loadTfjs()); // one library and model per realm, any batch
    const x = tf.tensor3d(benchX(batch), [batch, WINDOW, 1]);
    const call = () => tf.tidy(() => model.predict(x, { batchSize: batch }).dataSync());
    return { check: Array.from(call().slice(0, 4)), run: (n) => timed(n, call) };
  },
};

export async function makeEngine(kind, opts) {
  if (!engines[kind]) throw new Error(`unknown engine ${kind}`);
  return engines[kind](opts);
}
