// "Import to first prediction", one library per fresh process (forked by run.mjs; not meant to
// be run by hand). No static imports: the clock starts before the library's first import.
//   node first.mjs LIB BASE_URL INPUT_JSON
// LIB: ours | ours-package | tfjs | ort. The library's JavaScript is imported from disk (as a
// bundler or <script> would have it cached); its .wasm and the model are fetched from the
// run's HTTP server on 127.0.0.1 at BASE_URL. Reports {lib, importMs, firstMs, y} over IPC.
const t0 = performance.now();
const [lib, base, inputJson] = process.argv.slice(2);
const input = JSON.parse(inputJson); // {x: 60 numbers, history?: rows}

async function bytes(path) {
  const res = await fetch(base + path);
  if (!res.ok) throw new Error(`GET ${base + path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

const runners = {
  // The core module as bench/wasm uses it, through the package's wrapper (web/src/wasm.js): a
  // LoadedModel (SHA-256 and embedded test vector checked at load), forward on one window.
  async ours() {
    const { instantiateCore } = await import(new URL('../../web/src/wasm.js', import.meta.url));
    const tImport = performance.now();
    const [wasm, model] = await Promise.all([bytes('wasm/stockcast.wasm'), bytes('golden/nn_stock_specific.stkm')]);
    const tFetched = performance.now();
    // Synchronous compile, as the package's Node entry does (Node's async compile resolves late).
    const M = await instantiateCore(new WebAssembly.Module(wasm));
    const tInstantiated = performance.now();
    const m = new M.LoadedModel(model, true);
    const err = m.error();
    if (err) throw new Error(`${err.detail}: ${err.message}`);
    const tLoaded = performance.now();
    const r = m.forward(Float32Array.from(input.x), new Int32Array(1), 1);
    if (!r.ok) throw new Error(r.message);
    const tForward = performance.now();
    return { tImport, y: Array.from(r.y), phases: { fetch: tFetched - tImport, instantiate: tInstantiated - tFetched, loadVerified: tLoaded - tInstantiated, forward: tForward - tLoaded } };
  },
  // The npm package (web/dist, Node entry): manifest, model file (SHA-256 checked) and .wasm
  // fetched over HTTP, a full predict() with the caller's history (SCOM's trained model).
  async 'ours-package'() {
    const { createStockcast } = await import(new URL('../../web/dist/node.js', import.meta.url));
    const tImport = performance.now();
    const sc = await createStockcast({ baseUrl: base + 'models/', wasmUrl: base + 'webdist/stockcast.wasm' });
    const p = await sc.predict({ symbol: 'SCOM', horizon: '10d', history: input.history });
    sc.dispose();
    return { tImport, y: [p.predictedPrice] };
  },
  // TensorFlow.js layers model (model.json + weights.bin saved by run.mjs), wasm backend, one
  // thread, SIMD .wasm fetched with the platform fetch.
  async tfjs() {
    const tf = await import('@tensorflow/tfjs');
    const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
    const tImport = performance.now();
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasmBackend.setWasmPaths(base + 'tfjs-wasm/', true);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
    const model = await tf.loadLayersModel(base + 'tfjs-model/model.json');
    const x = tf.tensor3d(Float32Array.from(input.x), [1, 60, 1]);
    const y = model.predict(x);
    const out = Array.from(await y.data());
    return { tImport, y: out };
  },
  // onnxruntime-web (Node export of the package), wasm EP, one thread, .wasm bytes fetched.
  async ort() {
    const ort = await import('onnxruntime-web');
    const tImport = performance.now();
    ort.env.wasm.numThreads = 1;
    const [wasm, model] = await Promise.all([bytes('ort/ort-wasm-simd-threaded.wasm'), bytes('peers/nn_stock_specific.onnx')]);
    ort.env.wasm.wasmBinary = wasm;
    const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(input.x), [1, 60, 1]) });
    return { tImport, y: Array.from(out.y.data) };
  },
};

let msg;
try {
  if (!runners[lib]) throw new Error(`unknown library ${lib}`);
  const r = await runners[lib]();
  const t1 = performance.now();
  msg = { lib, importMs: r.tImport - t0, firstMs: t1 - t0, y: r.y, phases: r.phases };
} catch (e) {
  msg = { lib, error: String((e && e.stack) || e) };
}
// The peers keep handles (workers, timers) alive: exit once the parent has the answer.
process.send(msg, () => process.exit(0));
