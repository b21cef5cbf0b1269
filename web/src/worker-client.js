// stockcast/worker-client — runs the API in Web Workers (off the main thread) with the same
// methods as createStockcast(); every method, stats() and clearCache() included, returns a Promise.
// With several workers (`workers: n`, or an array of `worker` endpoints) each symbol is served by
// one worker (a stable hash), so its models load once; predictBatch splits its symbols across
// the workers and runs the parts in parallel (no SharedArrayBuffer, so no cross-origin isolation).
import { StockcastError } from './errors.js';
import { connect } from './rpc.js';

export { StockcastError } from './errors.js';

/**
 * @param {import('../types/worker-client.js').StockcastWorkerOptions} [options]
 */
export async function createStockcastWorker(options = {}) {
  const { worker, workers, onProgress, signal, fetch, store, ...rest } = options;
  if (fetch !== undefined) throw new StockcastError('invalid_input', 'fetch: a function cannot be sent to a worker', { field: 'fetch', reason: 'not_transferable' });
  if (store !== undefined && typeof store !== 'string')
    throw new StockcastError('invalid_input', "store: in a worker pass 'cache-storage' or 'memory'", { field: 'store', reason: 'not_transferable' });
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 16))
    throw new StockcastError('invalid_input', 'workers: expected an integer in 1..16', { field: 'workers', reason: 'out_of_range' });
  const given = worker === undefined ? [] : Array.isArray(worker) ? worker : [worker];
  if (!given.length && typeof Worker !== 'function')
    throw new StockcastError('invalid_input', 'worker: no Web Worker support here; pass { worker }', { field: 'worker', reason: 'required' });
  // Relative URLs are resolved here, on the page, so the worker sees absolute ones.
  const here = globalThis.location && globalThis.location.href;
  const abs = (u) => (u === undefined ? undefined : here ? new URL(String(u), here).href : String(u));
  const init = { ...rest, baseUrl: abs(rest.baseUrl), wasmUrl: abs(rest.wasmUrl), riskWasmUrl: abs(rest.riskWasmUrl), factorsWasmUrl: abs(rest.factorsWasmUrl), trainWasmUrl: abs(rest.trainWasmUrl), ensembleWasmUrl: abs(rest.ensembleWasmUrl), onProgress: !!onProgress, store };
  for (const k of Object.keys(init)) if (init[k] === undefined) delete init[k];

  const start = async (endpoint, owned) => {
    const client = connect(endpoint, { onProgress, signal, terminate: owned ? () => endpoint.terminate() : undefined });
    try {
      await client.init(init);
    } catch (e) {
      if (owned) endpoint.terminate();
      throw e;
    }
    delete client.init;
    return client;
  };
  const endpoints = given.length
    ? given.map((w) => [w, false])
    : Array.from({ length: workers || 1 }, () => [new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }), true]);
  const started = await Promise.allSettled(endpoints.map(([w, owned]) => start(w, owned)));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => s.status === 'fulfilled' && s.value.dispose()));
    throw failed.reason;
  }
  const clients = started.map((s) => s.value);
  return clients.length === 1 ? clients[0] : pool(clients);
}

// predictFactors latency over a pool: counts summed; each percentile the largest of the workers'
// (the pooled percentile lies between the workers' smallest and largest, so an upper bound).
function mergeFactorLatency(each) {
  const out = {};
  for (const s of each) {
    for (const [kind, l] of Object.entries(s.factorLatency || {})) {
      const o = out[kind];
      out[kind] = o ? { count: o.count + l.count, p50Ms: Math.max(o.p50Ms, l.p50Ms), p95Ms: Math.max(o.p95Ms, l.p95Ms), p99Ms: Math.max(o.p99Ms, l.p99Ms) } : { ...l };
    }
  }
  return out;
}

// FNV-1a of the symbol: the worker that serves it.
function owner(symbol, n) {
  let h = 0x811c9dc5;
  const s = String(symbol);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) % n;
}

function mergeFailures(list) {
  const out = {};
  for (const f of list)
    for (const [sym, codes] of Object.entries(f)) {
      const o = (out[sym] ||= {});
      for (const [code, n] of Object.entries(codes)) o[code] = (o[code] || 0) + n;
    }
  return out;
}

function mergeOperations(list) {
  const out = {};
  for (const ops of list)
    for (const [k, o] of Object.entries(ops)) {
      const m = (out[k] ||= { count: 0, failures: 0, p50: null, p95: null, p99: null });
      m.count += o.count;
      m.failures += o.failures;
      for (const p of ['p50', 'p95', 'p99']) if (o[p] !== null && (m[p] === null || o[p] > m[p])) m[p] = o[p];
    }
  return out;
}

function pool(clients) {
  const n = clients.length;
  const by = (symbol) => clients[owner(symbol, n)];
  const all = (f) => Promise.all(clients.map(f));
  const sum = (list, k) => list.reduce((a, s) => a + s[k], 0);
  return {
    available: (o) => clients[0].available(o),
    modelInfo: (symbol, o) => by(symbol).modelInfo(symbol, o),
    predict: (req) => (req && typeof req === 'object' ? by(req.symbol) : clients[0]).predict(req),
    predictHorizons: (req) => (req && typeof req === 'object' ? by(req.symbol) : clients[0]).predictHorizons(req),
    predictModels: (req) => (req && typeof req === 'object' ? by(req.symbol) : clients[0]).predictModels(req),
    predictSector: (req) => clients[0].predictSector(req),
    risk: (req) => (req && typeof req === 'object' ? by(req.symbol) : clients[0]).risk(req),
    optimizePortfolio: (req) => clients[0].optimizePortfolio(req),
    riskBatch: (req) => clients[0].riskBatch(req),
    history: (req) => clients[0].history(req),
    pastMonthReturn: (symbol, o) => by(symbol).pastMonthReturn(symbol, o),
    // A symbol's factor prediction goes to the worker that holds its history; the rest to the first.
    predictFactors: (req) => (req && typeof req === 'object' && typeof req.symbol === 'string' ? by(req.symbol.toUpperCase()) : clients[0]).predictFactors(req),
    models: (o) => clients[0].models(o),
    // A fine-tuned model lives in the worker that owns its name (the worker predict() asks for it).
    fineTune: (req) => (req && typeof req === 'object' ? by(req.name) : clients[0]).fineTune(req),
    userModels: (o) => all((c) => c.userModels(o)).then((lists) => lists.flat()),
    async predictBatch(req) {
      if (!req || typeof req !== 'object' || !Array.isArray(req.symbols)) return clients[0].predictBatch(req);
      const t0 = performance.now();
      const parts = clients.map(() => ({ symbols: [], at: [] }));
      req.symbols.forEach((s, i) => {
        const p = parts[owner(s, n)];
        p.symbols.push(s);
        p.at.push(i);
      });
      const used = parts.map((p, w) => [p, w]).filter(([p]) => p.symbols.length);
      if (!used.length) return clients[0].predictBatch(req);
      const answers = await Promise.all(used.map(([p, w]) => {
        const histories = req.histories && typeof req.histories === 'object'
          ? Object.fromEntries(p.symbols.filter((s) => s in req.histories).map((s) => [s, req.histories[s]]))
          : req.histories;
        return clients[w].predictBatch({ ...req, symbols: p.symbols, histories });
      }));
      const results = new Array(req.symbols.length);
      used.forEach(([p], k) => p.at.forEach((i, j) => (results[i] = answers[k].results[j])));
      const summaries = answers.map((a) => a.summary);
      const successful = sum(summaries, 'successful');
      return {
        horizon: answers[0].horizon,
        level: answers[0].level,
        results,
        summary: { total: results.length, successful, failed: results.length - successful, totalTimeMs: performance.now() - t0, modelCalls: sum(summaries, 'modelCalls'), workers: used.length },
      };
    },
    // The counters summed over the workers; each worker's own stats under `workers`.
    async stats() {
      const each = await all((c) => c.stats());
      const lookups = sum(each, 'cacheHits') + sum(each, 'cacheMisses');
      return {
        predictions: sum(each, 'predictions'), cacheHits: sum(each, 'cacheHits'), cacheMisses: sum(each, 'cacheMisses'),
        hitRate: lookups ? sum(each, 'cacheHits') / lookups : 0, cachedPredictions: sum(each, 'cachedPredictions'),
        wasmHeapBytes: sum(each, 'wasmHeapBytes'),
        wasmObjects: { models: each.reduce((a, s) => a + s.wasmObjects.models, 0), handles: each.reduce((a, s) => a + s.wasmObjects.handles, 0) },
        ensembleObjects: sum(each, 'ensembleObjects'),
        // Failures summed per symbol and code; per operation the counts summed and each percentile
        // the largest of the workers' (an upper bound: the exact one needs every sample).
        failures: mergeFailures(each.map((s) => s.failures || {})),
        operations: mergeOperations(each.map((s) => s.operations || {})),
        disposed: each.every((s) => s.disposed), factorLatency: mergeFactorLatency(each), workers: each,
      };
    },
    // The first worker's health, each worker's own under `workers` (sources and breakers are per worker).
    health: () => all((c) => c.health()).then((each) => ({ ...each[0], workers: each })),
    clearCache: (symbol) => all((c) => c.clearCache(symbol)).then(() => undefined),
    dispose: () => all((c) => c.dispose()).then(() => undefined),
  };
}
