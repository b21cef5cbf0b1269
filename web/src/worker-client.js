// stockcast/worker-client — runs the API in a Web Worker (off the main thread) with the same
// methods as createStockcast(); every method, stats() and clearCache() included, returns a Promise.
import { StockcastError } from './errors.js';
import { connect } from './rpc.js';

export { StockcastError } from './errors.js';

/**
 * @param {import('../types/worker-client.js').StockcastWorkerOptions} [options]
 */
export async function createStockcastWorker(options = {}) {
  const { worker, onProgress, signal, fetch, store, ...rest } = options;
  if (fetch !== undefined) throw new StockcastError('invalid_input', 'fetch: a function cannot be sent to a worker', { field: 'fetch', reason: 'not_transferable' });
  if (store !== undefined && typeof store !== 'string')
    throw new StockcastError('invalid_input', "store: in a worker pass 'cache-storage' or 'memory'", { field: 'store', reason: 'not_transferable' });
  let endpoint = worker;
  let owned = false;
  if (!endpoint) {
    if (typeof Worker !== 'function') throw new StockcastError('invalid_input', 'worker: no Web Worker support here; pass { worker }', { field: 'worker', reason: 'required' });
    endpoint = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    owned = true;
  }
  // Relative URLs are resolved here, on the page, so the worker sees absolute ones.
  const here = globalThis.location && globalThis.location.href;
  const abs = (u) => (u === undefined ? undefined : here ? new URL(String(u), here).href : String(u));
  const init = { ...rest, baseUrl: abs(rest.baseUrl), wasmUrl: abs(rest.wasmUrl), riskWasmUrl: abs(rest.riskWasmUrl), onProgress: !!onProgress, store };
  for (const k of Object.keys(init)) if (init[k] === undefined) delete init[k];
  const client = connect(endpoint, { onProgress, signal, terminate: owned ? () => endpoint.terminate() : undefined });
  try {
    await client.init(init);
  } catch (e) {
    if (owned) endpoint.terminate();
    throw e;
  }
  delete client.init;
  return client;
}
