// The message protocol between the worker client and the worker: the same API, by postMessage.
//   client -> worker  {id, method, args}  |  {abort: id}
//   worker -> client  {id, ok: true, result}  |  {id, ok: false, error}  |  {progress: {url, loaded, total}}
//                     |  {id, trainProgress: {epoch, maxEpochs, trainLoss, valLoss, best}}  (fineTune's onProgress)
// Errors travel as plain objects and become StockcastError again on the other side.
import { StockcastError } from './errors.js';
import { onAbort } from './net.js';

export const METHODS = ['available', 'modelInfo', 'predict', 'predictHorizons', 'predictModels', 'predictBatch', 'predictSector', 'risk', 'optimizePortfolio', 'riskBatch', 'history', 'pastMonthReturn', 'predictFactors', 'models', 'fineTune', 'userModels', 'stats', 'health', 'clearCache', 'dispose'];

// Which argument holds the {signal} options of each method.
const SIGNAL_ARG = { available: 0, predict: 0, predictHorizons: 0, predictModels: 0, predictBatch: 0, predictSector: 0, risk: 0, optimizePortfolio: 0, modelInfo: 1, riskBatch: 0, history: 0, pastMonthReturn: 1, predictFactors: 0, models: 0, fineTune: 0, userModels: 0 };

export function toWire(v) {
  if (v instanceof StockcastError) return { __stockcastError: v.toJSON() };
  if (v instanceof Error) return { __stockcastError: { code: 'internal_error', message: v.message } };
  if (Array.isArray(v)) return v.map(toWire);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o = {};
    for (const k of Object.keys(v)) o[k] = toWire(v[k]);
    return o;
  }
  return v;
}

export function fromWire(v) {
  if (Array.isArray(v)) return v.map(fromWire);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    if (v.__stockcastError) return StockcastError.fromJSON(v.__stockcastError);
    const o = {};
    for (const k of Object.keys(v)) o[k] = fromWire(v[k]);
    return o;
  }
  return v;
}

function listen(endpoint, fn) {
  if (typeof endpoint.addEventListener === 'function') {
    endpoint.addEventListener('message', (ev) => fn(ev.data));
    if (typeof endpoint.start === 'function') endpoint.start();
  } else if (typeof endpoint.on === 'function') endpoint.on('message', fn);
  else throw new TypeError('endpoint needs addEventListener or on');
}

// Worker side: answers requests with an instance made by `create(options)` on 'init'.
export function serve(endpoint, create, makeStore) {
  let sc = null;
  let initializing = null;
  const controllers = new Map();
  listen(endpoint, async (msg) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg.abort !== undefined) {
      const c = controllers.get(msg.abort);
      if (c) c.abort();
      return;
    }
    const { id, method, args = [] } = msg;
    const reply = (ok, value) => endpoint.postMessage(ok ? { id, ok, result: toWire(value) } : { id, ok, error: toWire(value).__stockcastError });
    try {
      if (method === 'init') {
        const o = { ...(args[0] || {}) };
        if (o.onProgress) o.onProgress = (p) => endpoint.postMessage({ progress: p });
        else delete o.onProgress;
        if (typeof o.store === 'string') o.store = makeStore ? makeStore(o.store) : undefined;
        initializing = create(o);
        sc = await initializing;
        return reply(true, null);
      }
      if (!sc && initializing) await initializing.catch(() => {});
      if (!sc) throw new StockcastError('disposed', 'the worker has no stockcast instance (init failed or not called)');
      if (!METHODS.includes(method)) throw new StockcastError('invalid_input', `unknown method ${method}`, { field: 'method', reason: 'unknown_method' });
      const a = [...args];
      const at = SIGNAL_ARG[method];
      if (msg.withSignal && at !== undefined) {
        const c = new AbortController();
        controllers.set(id, c);
        a[at] = { ...(a[at] || {}), signal: c.signal };
      }
      // fineTune's onProgress (a function) stays on the client: the worker posts each epoch.
      if (method === 'fineTune' && msg.trainProgress && a[0] && typeof a[0] === 'object')
        a[0] = { ...a[0], onProgress: (p) => endpoint.postMessage({ id, trainProgress: p }) };
      try {
        reply(true, await sc[method](...a));
      } finally {
        controllers.delete(id);
      }
    } catch (e) {
      reply(false, e instanceof StockcastError ? e : new StockcastError('internal_error', String((e && e.message) || e)));
    }
  });
}

// Client side: the same methods as a Stockcast instance, every one returning a Promise.
export function connect(endpoint, { onProgress, terminate, signal: lifeSignal } = {}) {
  let next = 1;
  const pending = new Map();
  let closed = false;
  listen(endpoint, (msg) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg.progress) {
      if (onProgress) onProgress(msg.progress);
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    if (msg.trainProgress) {
      if (p.onTrainProgress) p.onTrainProgress(msg.trainProgress);
      return;
    }
    pending.delete(msg.id);
    p.cleanup();
    if (msg.ok) p.resolve(fromWire(msg.result));
    else p.reject(StockcastError.fromJSON(msg.error));
  });
  const call = (method, args = []) => {
    if (closed) return Promise.reject(new StockcastError('disposed', 'this stockcast worker client was disposed'));
    if (lifeSignal && lifeSignal.aborted && method !== 'dispose' && method !== 'stats' && method !== 'health')
      return Promise.reject(new StockcastError('aborted', 'the operation was aborted'));
    const id = next++;
    let signal;
    const a = [...args];
    const at = SIGNAL_ARG[method];
    if (at !== undefined && a[at] && typeof a[at] === 'object' && a[at].signal) {
      const { signal: s, ...rest } = a[at];
      signal = s;
      a[at] = rest;
      if (signal.aborted) return Promise.reject(new StockcastError('aborted', 'the operation was aborted'));
    }
    let onTrainProgress;
    if (method === 'fineTune' && a[0] && typeof a[0] === 'object' && typeof a[0].onProgress === 'function') {
      const { onProgress: f, ...rest } = a[0];
      onTrainProgress = f;
      a[0] = rest;
    }
    return new Promise((resolve, reject) => {
      // One listener on the caller's signal however many calls share it (net.js onAbort).
      const cleanup = signal ? onAbort(signal, () => endpoint.postMessage({ abort: id })) : () => {};
      pending.set(id, { resolve, reject, cleanup, onTrainProgress });
      endpoint.postMessage({ id, method, args: a, withSignal: !!signal || !!lifeSignal, trainProgress: !!onTrainProgress });
    });
  };
  // The instance-wide signal aborts every call in flight (the instance stays usable for stats/dispose).
  if (lifeSignal)
    lifeSignal.addEventListener('abort', () => {
      for (const id of pending.keys()) endpoint.postMessage({ abort: id });
    }, { once: true });
  const api = {};
  for (const m of METHODS) api[m] = (...args) => call(m, args);
  api.dispose = async () => {
    if (closed) return;
    try {
      await call('dispose');
    } finally {
      closed = true;
      for (const p of pending.values()) p.reject(new StockcastError('disposed', 'this stockcast worker client was disposed'));
      pending.clear();
      if (terminate) terminate();
    }
  };
  api.init = (options) => call('init', [options]);
  return api;
}
