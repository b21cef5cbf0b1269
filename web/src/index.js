// stockcast — browser entry (pages and Web Workers). No Node code; nothing is fetched or
// instantiated at import (safe to import during server-side rendering): the .wasm is fetched
// and compiled on the first createStockcast() and the compiled module is reused afterwards.
import { StockcastError } from './errors.js';
import { compileCache } from './caches.js';
import { createWith } from './stockcast.js';
import { instantiateCore, instantiateFactors, instantiateRisk, instantiateTrain } from './wasm.js';

export { StockcastError } from './errors.js';
export { createMemoryStore, createCacheStorageStore } from './stores.js';
export { VERSION, CORE_VERSION, WASM_SHA256, WASM_BYTES, RISK_WASM_SHA256, TRAIN_WASM_SHA256 } from './wasm-info.js';

const compiled = compileCache();

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

function getModule(o) {
  const compile = () => {
    if (o.wasmBinary) return WebAssembly.compile(o.wasmBinary);
    // The one static reference bundlers (webpack, Vite, Turbopack) follow to emit the .wasm.
    const url = o.wasmUrl ? String(o.wasmUrl) : new URL('./stockcast.wasm', import.meta.url).href;
    return compileFromUrl(url, o);
  };
  const key = o.wasmBinary ? undefined : o.wasmUrl ? String(o.wasmUrl) : 'default';
  return instantiateCore(compiled(key, compile));
}

// The risk engine: a second module, fetched and compiled on the first risk()/optimizePortfolio().
function getRiskModule(o) {
  const compile = () => {
    if (o.riskWasmBinary) return WebAssembly.compile(o.riskWasmBinary);
    const url = o.riskWasmUrl ? String(o.riskWasmUrl) : new URL('./stockcast-risk.wasm', import.meta.url).href;
    return compileFromUrl(url, o);
  };
  const key = o.riskWasmBinary ? undefined : o.riskWasmUrl ? String(o.riskWasmUrl) : 'default';
  return instantiateRisk(compiledRisk(key, compile));
}
const compiledRisk = compileCache();

// The factor models: a third module, fetched and compiled on the first predictFactors().
function getFactorsModule(o) {
  const compile = () => {
    if (o.factorsWasmBinary) return WebAssembly.compile(o.factorsWasmBinary);
    const url = o.factorsWasmUrl ? String(o.factorsWasmUrl) : new URL('./stockcast-factors.wasm', import.meta.url).href;
    return compileFromUrl(url, o);
  };
  const key = o.factorsWasmBinary ? undefined : o.factorsWasmUrl ? String(o.factorsWasmUrl) : 'default';
  return instantiateFactors(compiledFactors(key, compile));
}
const compiledFactors = compileCache();

// The trainer: a third module, fetched and compiled on the first fineTune().
function getTrainModule(o) {
  const compile = () => {
    if (o.trainWasmBinary) return WebAssembly.compile(o.trainWasmBinary);
    const url = o.trainWasmUrl ? String(o.trainWasmUrl) : new URL('./stockcast-train.wasm', import.meta.url).href;
    return compileFromUrl(url, o);
  };
  const key = o.trainWasmBinary ? undefined : o.trainWasmUrl ? String(o.trainWasmUrl) : 'default';
  return instantiateTrain(compiledTrain(key, compile));
}
const compiledTrain = compileCache();

/**
 * Creates a forecasting instance. See types/index.d.ts and docs/package.md.
 * @param {import('../types/index.js').StockcastOptions} [options]
 */
export function createStockcast(options) {
  return createWith(getModule, options, getRiskModule, undefined, getFactorsModule, getTrainModule);
}
