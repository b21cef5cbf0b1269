// stockcast/node — the Node entry: reads the .wasm next to this file with fs (no fetch of a
// file: URL), fetches over node:http(s) by default (node-http.js: Node's global fetch costs
// 50-90 ms on its first call) and hashes with node:crypto (the first Web Crypto digest in a
// process costs ~5 ms); otherwise identical to the browser entry.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { moduleGetter } from './caches.js';
import { createWith } from './stockcast.js';
import { instantiateCore, instantiateEnsemble, instantiateFactors, instantiateRisk, instantiateTrain } from './wasm.js';
import { createNodeFetch, importOnce } from './node-http.js';

export { StockcastError } from './errors.js';
export { createMemoryStore, createCacheStorageStore } from './stores.js';
export { VERSION, CORE_VERSION, WASM_SHA256, WASM_BYTES, RISK_WASM_SHA256, TRAIN_WASM_SHA256 } from './wasm-info.js';

// node:crypto is imported on the first hash, not with the package: it costs ~5 ms to import.
const sha256 = async (bytes) => (await importOnce('node:crypto')).createHash('sha256').update(bytes).digest('hex');
const platform = { fetchFor: createNodeFetch, sha256 };

async function readWasm(where, { fetch, gate }) {
  const s = String(where);
  if (/^https?:/i.test(s)) {
    const release = await gate(s);
    try {
      const res = await fetch(s);
      if (!res.ok) throw new Error(`GET ${s}: HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    } finally {
      release();
    }
  }
  return readFile(s.startsWith('file:') ? fileURLToPath(s) : s);
}

// Synchronous compilation: for modules this small it takes about 1 ms, while Node's asynchronous
// WebAssembly.compile was measured to resolve 60-100 ms late once an HTTP connection is open
// (bench/peers/first.mjs). Browsers use compileStreaming (index.js).
const compileNow = (bytes) => new WebAssembly.Module(bytes);

const compile = async (o, bytes, url) => compileNow(bytes || (await readWasm(url, o)));
const getModule = moduleGetter({ binary: 'wasmBinary', url: 'wasmUrl' }, () => new URL('./stockcast.wasm', import.meta.url), compile, instantiateCore);
const getRiskModule = moduleGetter({ binary: 'riskWasmBinary', url: 'riskWasmUrl' }, () => new URL('./stockcast-risk.wasm', import.meta.url), compile, instantiateRisk);
const getFactorsModule = moduleGetter({ binary: 'factorsWasmBinary', url: 'factorsWasmUrl' }, () => new URL('./stockcast-factors.wasm', import.meta.url), compile, instantiateFactors);
const getTrainModule = moduleGetter({ binary: 'trainWasmBinary', url: 'trainWasmUrl' }, () => new URL('./stockcast-train.wasm', import.meta.url), compile, instantiateTrain);
const getEnsembleModule = moduleGetter({ binary: 'ensembleWasmBinary', url: 'ensembleWasmUrl' }, () => new URL('./stockcast-ensemble.wasm', import.meta.url), compile, instantiateEnsemble);

/**
 * Creates a forecasting instance (Node: baseUrl must be an absolute http(s) URL).
 * @param {import('../types/index.js').StockcastOptions} [options]
 */
export function createStockcast(options) {
  return createWith(getModule, options, getRiskModule, platform, getFactorsModule, getTrainModule, getEnsembleModule);
}
