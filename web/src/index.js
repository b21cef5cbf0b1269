// stockcast — browser entry (pages and Web Workers). No Node code; nothing is fetched or
// instantiated at import (safe to import during server-side rendering): the .wasm is fetched
// and compiled on the first createStockcast() and the compiled module is reused afterwards.
import { StockcastError } from './errors.js';
import { moduleGetter } from './caches.js';
import { createWith } from './stockcast.js';
import { instantiateCore, instantiateEnsemble, instantiateFactors, instantiateRisk, instantiateTrain } from './wasm.js';

export { StockcastError } from './errors.js';
export { createMemoryStore, createCacheStorageStore } from './stores.js';
export { VERSION, CORE_VERSION, WASM_SHA256, WASM_BYTES, RISK_WASM_SHA256, TRAIN_WASM_SHA256 } from './wasm-info.js';

// The request holds its slot of the instance's gate (net.js) until the module is compiled.
async function compileFromUrl(url, { fetch, gate }) {
  const release = await gate(url);
  try {
    let res;
    try {
      res = await fetch(url, { credentials: 'same-origin' });
    } catch (e) {
      throw new StockcastError('fetch_failed', `GET ${url}: ${e.message}`, { url, status: 0, attempts: 1, cause: e });
    }
    if (!res.ok) throw new StockcastError('fetch_failed', `GET ${url}: HTTP ${res.status}`, { url, status: res.status, attempts: 1 });
    const type = res.headers.get('content-type') || '';
    if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) return await WebAssembly.compileStreaming(res);
    return await WebAssembly.compile(await res.arrayBuffer());
  } finally {
    release();
  }
}

const compile = (o, bytes, url) => (bytes ? WebAssembly.compile(bytes) : compileFromUrl(url, o));
// Each default URL is written out: the one static reference bundlers (webpack, Vite, Turbopack)
// follow to emit that .wasm. The forecasting module is fetched on createStockcast(); the others
// on their first call (risk()/optimizePortfolio(), predictFactors()/models(), fineTune(), an ensemble kind).
const getModule = moduleGetter({ binary: 'wasmBinary', url: 'wasmUrl' }, () => new URL('./stockcast.wasm', import.meta.url), compile, instantiateCore);
const getRiskModule = moduleGetter({ binary: 'riskWasmBinary', url: 'riskWasmUrl' }, () => new URL('./stockcast-risk.wasm', import.meta.url), compile, instantiateRisk);
const getFactorsModule = moduleGetter({ binary: 'factorsWasmBinary', url: 'factorsWasmUrl' }, () => new URL('./stockcast-factors.wasm', import.meta.url), compile, instantiateFactors);
const getTrainModule = moduleGetter({ binary: 'trainWasmBinary', url: 'trainWasmUrl' }, () => new URL('./stockcast-train.wasm', import.meta.url), compile, instantiateTrain);
const getEnsembleModule = moduleGetter({ binary: 'ensembleWasmBinary', url: 'ensembleWasmUrl' }, () => new URL('./stockcast-ensemble.wasm', import.meta.url), compile, instantiateEnsemble);

/**
 * Creates a forecasting instance. See types/index.d.ts and docs/package.md.
 * @param {import('../types/index.js').StockcastOptions} [options]
 */
export function createStockcast(options) {
  return createWith(getModule, options, getRiskModule, undefined, getFactorsModule, getTrainModule, getEnsembleModule);
}
