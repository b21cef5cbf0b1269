// Argument checks: the shapes of what callers pass (options, requests, symbols, histories),
// each failure a typed invalid_input naming the field. The core checks values it computes with.
import { invalid } from './errors.js';
import { sha256Hex } from './net.js';

const DEFAULT_TTL_MS = 5 * 60 * 1000;


export const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

export function checkRequest(req, method) {
  if (req === undefined) return {};
  if (!isObj(req)) throw invalid('request', 'wrong_type', `${method}() expects one options object`);
  return req;
}

export function checkSymbol(symbol, field = 'symbol') {
  if (typeof symbol !== 'string') throw invalid(field, symbol === undefined ? 'required' : 'wrong_type', 'expected a ticker symbol string');
  const s = symbol.trim().toUpperCase();
  if (!s || s.length > 32) throw invalid(field, 'empty', 'expected a non-empty ticker symbol (at most 32 characters)');
  return s;
}

export function checkSignal(signal, field = 'signal') {
  if (signal === undefined || signal === null) return undefined;
  if (typeof signal !== 'object' || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function')
    throw invalid(field, 'wrong_type', 'expected an AbortSignal');
  return signal;
}

// 'YYYY-MM-DD' with month 01-12 and day 01-31 as the number YYYYMMDD (-1 when not such a date),
// read from character codes: Date.parse per row cost more than the whole forecast of a 300-row
// history, and comparing these numbers instead of the strings halved the row loop's time.
function isoDateKey(d) {
  if (typeof d !== 'string' || d.length !== 10 || d.charCodeAt(4) !== 45 || d.charCodeAt(7) !== 45) return -1;
  let key = 0;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const c = d.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    key = key * 10 + c;
  }
  const month = ((key / 100) | 0) % 100, day = key % 100;
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 ? key : -1;
}

function checkNumber(v, field, index, what) {
  if (typeof v !== 'number') throw Object.assign(invalid(field, 'wrong_type', `${what} at index ${index} is ${v === null ? 'null' : typeof v}, expected a number`), { index });
  if (Number.isNaN(v)) throw Object.assign(invalid(field, 'nan', `${what} at index ${index} is NaN`), { index });
  if (!Number.isFinite(v)) throw Object.assign(invalid(field, 'not_finite', `${what} at index ${index} is not finite`), { index });
}

// A caller's history: an array (or typed array) of closes, oldest first, or of
// {date: 'YYYY-MM-DD' | Date, close, volume?} rows with strictly increasing dates.
export function normalizeHistory(h, field = 'history') {
  if (ArrayBuffer.isView(h) && !(h instanceof DataView)) h = Array.from(h);
  if (!Array.isArray(h)) throw invalid(field, 'wrong_type', 'expected an array of closes or of {date, close, volume?} rows');
  const n = h.length;
  const closes = new Float64Array(n);
  if (n === 0) return { closes, volumes: null, dates: null, dataDate: null };
  if (typeof h[0] !== 'object' || h[0] === null) {
    for (let i = 0; i < n; i++) {
      checkNumber(h[i], field, i, 'close');
      if (h[i] <= 0) throw Object.assign(invalid(field, 'not_positive', `close at index ${i} is ${h[i]}, must be > 0`), { index: i });
      closes[i] = h[i];
    }
    return { closes, volumes: null, dates: null, dataDate: null };
  }
  const dates = new Array(n);
  const volumes = new Float64Array(n);
  let withVolume = 0;
  let last = -1; // the previous row's isoDateKey
  for (let i = 0; i < n; i++) {
    const r = h[i];
    if (!isObj(r)) throw Object.assign(invalid(field, 'wrong_type', `row ${i} is not a {date, close} object (mixed row types?)`), { index: i });
    let d = r.date;
    if (d instanceof Date && !Number.isNaN(d.getTime())) d = d.toISOString().slice(0, 10);
    const key = isoDateKey(d);
    if (key < 0) throw Object.assign(invalid(field, 'bad_date', `row ${i}: date must be 'YYYY-MM-DD'`), { index: i });
    if (!(key > last))
      throw Object.assign(invalid(field, 'non_monotonic_dates', `row ${i}: date ${d} does not follow ${dates[i - 1]} (dates must strictly increase, oldest first)`), { index: i });
    last = key;
    dates[i] = d;
    checkNumber(r.close, field, i, 'close');
    if (r.close <= 0) throw Object.assign(invalid(field, 'not_positive', `row ${i}: close ${r.close} must be > 0`), { index: i });
    closes[i] = r.close;
    if (r.volume !== undefined && r.volume !== null) {
      checkNumber(r.volume, field, i, 'volume');
      if (r.volume < 0) throw Object.assign(invalid(field, 'bad_volume', `row ${i}: volume ${r.volume} must be >= 0`), { index: i });
      volumes[i] = r.volume;
      withVolume++;
    }
  }
  return { closes, volumes: withVolume === n ? volumes : null, dates, dataDate: dates[n - 1] };
}

// The integer kernel by default: measured faster in Chromium and Node and within 1e-3 of float32
// (docs/benchmarks.md#the-integer-kernel).
export const DEFAULT_KERNEL = 'int16';

const HANDLE_OPTIONS = ['baseUrl', 'cacheSize', 'maxCacheBytes', 'fetch', 'signal', 'onProgress', 'store', 'predictionTtlMs', 'historyTtlMs',
  'retries', 'retryDelayMs', 'maxConcurrentRequests', 'level', 'fallback', 'wasmUrl', 'wasmBinary', 'riskWasmUrl', 'riskWasmBinary',
  'factorsWasmUrl', 'factorsWasmBinary', 'historySources', 'breakerFailures', 'breakerCooldownMs', 'sourceTimeoutMs', 'clock', 'onEvent', 'trainWasmUrl', 'trainWasmBinary', 'kernel',
  'ensembleWasmUrl', 'ensembleWasmBinary'];

export function checkOptions(options, platform = {}) {
  if (options === undefined) options = {};
  if (!isObj(options)) throw invalid('options', 'wrong_type', 'createStockcast() expects an options object');
  for (const k of Object.keys(options)) if (!HANDLE_OPTIONS.includes(k)) throw invalid(k, 'unknown_option', `unknown option (known: ${HANDLE_OPTIONS.join(', ')})`);
  const o = { ...options };
  const int = (k, dflt, min) => {
    const v = o[k] === undefined ? dflt : o[k];
    if (!Number.isInteger(v) || v < min) throw invalid(k, 'wrong_type', `expected an integer >= ${min}`);
    return v;
  };
  let base;
  if (o.baseUrl === undefined) base = undefined;
  else {
    if (typeof o.baseUrl !== 'string' && !(o.baseUrl instanceof URL)) throw invalid('baseUrl', 'wrong_type', 'expected a URL string');
    try {
      base = new URL(String(o.baseUrl), globalThis.location && globalThis.location.href);
    } catch {
      throw invalid('baseUrl', 'bad_url', `cannot resolve ${JSON.stringify(String(o.baseUrl))} (in Node, pass an absolute URL)`);
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
  }
  const cacheSize = int('cacheSize', 20, 1);
  const maxBytes = o.maxCacheBytes === undefined ? Infinity : o.maxCacheBytes;
  if (typeof maxBytes !== 'number' || !(maxBytes > 0)) throw invalid('maxCacheBytes', 'not_positive', 'expected a number of bytes > 0');
  // Requests in flight per origin (net.js createGate); Infinity: no limit.
  const maxRequests = o.maxConcurrentRequests === Infinity ? Infinity : int('maxConcurrentRequests', 6, 1);
  const fetchFn = o.fetch === undefined ? (platform.fetchFor ? platform.fetchFor(maxRequests) : globalThis.fetch) : o.fetch;
  if (typeof fetchFn !== 'function') throw invalid('fetch', 'wrong_type', 'expected a fetch function');
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw invalid('onProgress', 'wrong_type', 'expected a function');
  if (o.store !== undefined && o.store !== null && (!isObj(o.store) || typeof o.store.get !== 'function' || typeof o.store.put !== 'function'))
    throw invalid('store', 'wrong_type', 'expected {get(key), put(key, bytes)}');
  const ttl = o.predictionTtlMs === undefined ? DEFAULT_TTL_MS : o.predictionTtlMs;
  if (typeof ttl !== 'number' || !(ttl >= 0)) throw invalid('predictionTtlMs', 'wrong_type', 'expected milliseconds >= 0');
  const historyTtl = o.historyTtlMs === undefined ? DEFAULT_TTL_MS : o.historyTtlMs;
  if (typeof historyTtl !== 'number' || !(historyTtl >= 0)) throw invalid('historyTtlMs', 'wrong_type', 'expected milliseconds >= 0');
  const retryDelayMs = o.retryDelayMs === undefined ? 250 : o.retryDelayMs;
  if (typeof retryDelayMs !== 'number' || !(retryDelayMs >= 0)) throw invalid('retryDelayMs', 'wrong_type', 'expected milliseconds >= 0');
  for (const k of ['wasmUrl', 'riskWasmUrl', 'factorsWasmUrl', 'trainWasmUrl', 'ensembleWasmUrl'])
    if (o[k] !== undefined && typeof o[k] !== 'string' && !(o[k] instanceof URL)) throw invalid(k, 'wrong_type', 'expected a URL');
  for (const k of ['wasmBinary', 'riskWasmBinary', 'factorsWasmBinary', 'trainWasmBinary', 'ensembleWasmBinary'])
    if (o[k] !== undefined && !(o[k] instanceof ArrayBuffer) && !ArrayBuffer.isView(o[k]))
      throw invalid(k, 'wrong_type', 'expected the .wasm bytes (ArrayBuffer or Uint8Array)');
  if (o.onEvent !== undefined && typeof o.onEvent !== 'function') throw invalid('onEvent', 'wrong_type', 'expected a function (event) => void');
  if (o.clock !== undefined && (!isObj(o.clock) || typeof o.clock.now !== 'function'))
    throw invalid('clock', 'wrong_type', 'expected {now() -> ms, setTimeout?(fn, ms), clearTimeout?(id)}');
  const clock = o.clock
    ? { now: () => o.clock.now(), setTimeout: (o.clock.setTimeout || setTimeout).bind(o.clock), clearTimeout: (o.clock.clearTimeout || clearTimeout).bind(o.clock) }
    : undefined;
  const breakerCooldownMs = o.breakerCooldownMs === undefined ? 30000 : o.breakerCooldownMs;
  if (typeof breakerCooldownMs !== 'number' || !(breakerCooldownMs >= 0)) throw invalid('breakerCooldownMs', 'wrong_type', 'expected milliseconds >= 0');
  const sourceTimeoutMs = o.sourceTimeoutMs === undefined ? 15000 : o.sourceTimeoutMs;
  if (typeof sourceTimeoutMs !== 'number' || !(sourceTimeoutMs > 0)) throw invalid('sourceTimeoutMs', 'not_positive', 'expected milliseconds > 0');
  // The LSTM arithmetic (docs/package.md#kernel); the names are the core's (checked once the module is loaded).
  const kernel = o.kernel === undefined ? DEFAULT_KERNEL : o.kernel;
  if (typeof kernel !== 'string') throw invalid('kernel', 'wrong_type', "expected a kernel name ('int16' or 'float32')");
  return {
    kernel,
    historySources: o.historySources, breaker: { failures: int('breakerFailures', 5, 1), coolDownMs: breakerCooldownMs }, sourceTimeoutMs, clock,
    onEvent: o.onEvent,
    base, cacheSize, maxBytes, fetch: fetchFn, sha256: platform.sha256 || sha256Hex, signal: checkSignal(o.signal), onProgress: o.onProgress, store: o.store || null,
    ttl, historyTtl, retries: int('retries', 2, 0), retryDelayMs, maxRequests, level: o.level === undefined ? 0.9 : o.level, fallback: o.fallback !== false,
    wasmUrl: o.wasmUrl, wasmBinary: o.wasmBinary, riskWasmUrl: o.riskWasmUrl, riskWasmBinary: o.riskWasmBinary,
    factorsWasmUrl: o.factorsWasmUrl, factorsWasmBinary: o.factorsWasmBinary,
    trainWasmUrl: o.trainWasmUrl, trainWasmBinary: o.trainWasmBinary,
    ensembleWasmUrl: o.ensembleWasmUrl, ensembleWasmBinary: o.ensembleWasmBinary,
  };
}
