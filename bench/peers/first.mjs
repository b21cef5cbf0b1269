// "Import to first prediction", one library per fresh process (forked by run.mjs; not meant to
// be run by hand). No static imports: the clock starts before the library's first import.
//   node first.mjs LIB[:disk] BASE_URL INPUT_JSON
// LIB: ours | ours-package | ours-package-fetch | tfjs | ort. The library's JavaScript is
// imported from disk (as a bundler or <script> would have it cached); the model (and the
// package's manifest) are fetched from the run's HTTP server on 127.0.0.1 at BASE_URL, and so is
// the library's .wasm, unless LIB ends in ":disk": then each library reads its .wasm from disk
// the way it does by default in Node (the "manifest and model fetched from localhost").
// Reports {lib, importMs, firstMs, y} over IPC.
// Transport: Node's global fetch loads undici on its first call (50-90 ms here), so every
// library gets the package's Node transport instead (web/src/node-http.js, over node:http;
// imported inside the clock): the harness's own downloads (ours, ort), tfjs's model and .wasm
// (its fetchFunc and platform fetch), the package by default. ours-package-fetch is the package
// with `fetch: globalThis.fetch`, to show what the transport is worth.
const t0 = performance.now();
const [lib, base, inputJson] = process.argv.slice(2);
const [name, where] = lib.split(':');
const disk = where === 'disk';
const input = JSON.parse(inputJson); // {x: 60 numbers, history?: rows}

let transport;
async function httpFetch(url, init) {
  transport ??= (await import(new URL('../../web/src/node-http.js', import.meta.url))).createNodeFetch();
  const res = await transport(url, init);
  return { ...res, json: async () => JSON.parse(Buffer.from(await res.arrayBuffer()).toString('utf8')) };
}

async function bytes(path) {
  const res = await httpFetch(base + path);
  if (!res.ok) throw new Error(`GET ${base + path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

const runners = {
  // The core module as bench/wasm uses it, through the package's adapter (wasm.js) and the
  // Emscripten glue, both beside the .wasm in STOCKCAST_WASM_DIR (run.mjs's snapshot): a
  // LoadedModel (SHA-256 and embedded test vector checked at load), forward on one window.
  async ours() {
    const { instantiateCore } = await import(`${process.env.STOCKCAST_WASM_DIR}/wasm.js`);
    const tImport = performance.now();
    const wasmFile = async () => (await import('node:fs/promises')).readFile(`${process.env.STOCKCAST_WASM_DIR}/stockcast.wasm`);
    const [wasm, model] = await Promise.all([disk ? wasmFile() : bytes('wasm/stockcast.wasm'), bytes('golden/nn_stock_specific.stkm')]);
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
  // fetched over HTTP (the .wasm read from dist/ with :disk, the entry's default), a full
  // predict() with the caller's history (SCOM's trained model).
  'ours-package': () => oursPackage(disk ? {} : { wasmUrl: base + 'webdist/stockcast.wasm' }),
  'ours-package-fetch': () => oursPackage({ fetch: globalThis.fetch, ...(disk ? {} : { wasmUrl: base + 'webdist/stockcast.wasm' }) }),
  // TensorFlow.js layers model (model.json + weights.bin saved by run.mjs), wasm backend, one
  // thread, SIMD .wasm fetched with the platform fetch.
  async tfjs() {
    const tf = await import('@tensorflow/tfjs');
    const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
    const tImport = performance.now();
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!disk) {
      tf.env().platform.fetch = httpFetch; // what setWasmPaths(…, true) downloads the .wasm with
      wasmBackend.setWasmPaths(base + 'tfjs-wasm/', true);
    }
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
    const model = await tf.loadLayersModel(base + 'tfjs-model/model.json', { fetchFunc: httpFetch });
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
    const [wasm, model] = await Promise.all([disk ? null : bytes('ort/ort-wasm-simd-threaded.wasm'), bytes('peers/nn_stock_specific.onnx')]);
    if (wasm) ort.env.wasm.wasmBinary = wasm;
    const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(input.x), [1, 60, 1]) });
    return { tImport, y: Array.from(out.y.data) };
  },
};

async function oursPackage(options) {
  const { createStockcast } = await import(new URL('../../web/dist/node.js', import.meta.url));
  const tImport = performance.now();
  const sc = await createStockcast({ baseUrl: base + 'models/', ...options });
  const p = await sc.predict({ symbol: 'SCOM', horizon: '10d', history: input.history });
  sc.dispose();
  return { tImport, y: [p.predictedPrice] };
}

let msg;
try {
  if (!runners[name] || (where && !disk)) throw new Error(`unknown library ${lib}`);
  const r = await runners[name]();
  const t1 = performance.now();
  msg = { lib, importMs: r.tImport - t0, firstMs: t1 - t0, y: r.y, phases: r.phases };
} catch (e) {
  msg = { lib, error: String((e && e.stack) || e) };
}
// The peers keep handles (workers, timers) alive: exit once the parent has the answer.
process.send(msg, () => process.exit(0));
