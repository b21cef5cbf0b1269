// The environment-neutral implementation of the public API. The browser entry (index.js) and
// the Node entry (node.js) differ only in how they obtain the compiled .wasm; everything here
// runs unchanged in a page, a Web Worker and Node. JavaScript does I/O, caching, validation of
// argument shapes and ergonomics; every formula (forecast, intervals, direction, risk) is the
// C++ core's.
import { StockcastError, abortedError, coreError, invalid } from './errors.js';
import { anySignal, fetchBytes, parseJson, sha256Hex, throwIfAborted } from './net.js';
import { ModelHandle, Registry, now } from './registry.js';

const DEFAULT_TTL_MS = 5 * 60 * 1000;
const MAX_PREDICTION_CACHE = 5000;
const CONFIDENCE = { stock_specific: 'high', general: 'medium', general_unseen: 'low' };
const FALLBACK_CODES = ['fetch_failed', 'integrity_error', 'format_error'];

// ------------------------------------------------------------------ the WebAssembly module

export { instantiateCore, instantiateRisk } from './wasm.js';

// Caches compiled modules by key; a failure is not cached (the next call tries again).
export function compileCache() {
  const cache = new Map();
  return (key, compile) => {
    if (key === undefined) return compile();
    let p = cache.get(key);
    if (!p) {
      p = compile();
      cache.set(key, p);
      p.catch(() => cache.delete(key));
    }
    return p;
  };
}

// ------------------------------------------------------------------ argument checks

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

function checkSignal(signal, field = 'signal') {
  if (signal === undefined || signal === null) return undefined;
  if (typeof signal !== 'object' || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function')
    throw invalid(field, 'wrong_type', 'expected an AbortSignal');
  return signal;
}

// 'YYYY-MM-DD' with month 01-12 and day 01-31, checked on character codes: Date.parse per row
// cost more than the whole forecast of a 300-row history.
function isIsoDate(d) {
  if (typeof d !== 'string' || d.length !== 10 || d.charCodeAt(4) !== 45 || d.charCodeAt(7) !== 45) return false;
  for (let i = 0; i < 10; i++) {
    const c = d.charCodeAt(i);
    if (i !== 4 && i !== 7 && (c < 48 || c > 57)) return false;
  }
  const month = (d.charCodeAt(5) - 48) * 10 + d.charCodeAt(6) - 48;
  const day = (d.charCodeAt(8) - 48) * 10 + d.charCodeAt(9) - 48;
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
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
  for (let i = 0; i < n; i++) {
    const r = h[i];
    if (!isObj(r)) throw Object.assign(invalid(field, 'wrong_type', `row ${i} is not a {date, close} object (mixed row types?)`), { index: i });
    let d = r.date;
    if (d instanceof Date && !Number.isNaN(d.getTime())) d = d.toISOString().slice(0, 10);
    if (!isIsoDate(d))
      throw Object.assign(invalid(field, 'bad_date', `row ${i}: date must be 'YYYY-MM-DD'`), { index: i });
    if (i > 0 && !(d > dates[i - 1]))
      throw Object.assign(invalid(field, 'non_monotonic_dates', `row ${i}: date ${d} does not follow ${dates[i - 1]} (dates must strictly increase, oldest first)`), { index: i });
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

// FNV-1a over the bytes of the closes (and volumes): part of the prediction-cache key, so two
// different histories ending on the same date never share a cached answer.
function fingerprint(hist) {
  let h = 0x811c9dc5;
  const mix = (arr) => {
    const b = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  };
  mix(hist.closes);
  if (hist.volumes) mix(hist.volumes);
  return `${hist.closes.length}:${(h >>> 0).toString(36)}`;
}

function editDistance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return row[b.length];
}

function closest(symbol, candidates) {
  let best = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(symbol, c) - (c.startsWith(symbol) || symbol.startsWith(c) ? 0.5 : 0);
    if (d < bestD) (bestD = d), (best = c);
  }
  return best;
}

// ------------------------------------------------------------------ manifest

function indexManifest(m, base) {
  if (!isObj(m) || !Array.isArray(m.stocks) || !Array.isArray(m.models))
    throw new StockcastError('format_error', 'manifest.json: expected {stocks: [...], models: [...]}', { detail: 'bad_manifest' });
  const spec = (file, sha256, bytes) => {
    if (typeof file !== 'string' || !file || /^[a-z]+:|^\/|\.\./i.test(file))
      throw new StockcastError('format_error', `manifest.json: bad model file name ${JSON.stringify(file)}`, { detail: 'bad_manifest' });
    return { key: file, url: new URL(file, base).href, sha256: typeof sha256 === 'string' ? sha256.toLowerCase() : null, bytes: Number(bytes) || undefined };
  };
  const models = new Map();
  for (const md of m.models) if (isObj(md)) models.set(md.file, md);
  const generalInfo = m.models.find((md) => isObj(md) && md.kind === 'general');
  const general = generalInfo ? spec(generalInfo.file, generalInfo.sha256, generalInfo.bytes) : null;
  const stocks = new Map();
  const sectors = {};
  for (const s of m.stocks) {
    if (!isObj(s) || typeof s.symbol !== 'string' || typeof s.file !== 'string')
      throw new StockcastError('format_error', 'manifest.json: every stock needs a symbol and a file', { detail: 'bad_manifest' });
    const info = models.get(s.file) || {};
    const modelType = s.model_type || (info.kind === 'general' ? 'general' : 'stock_specific');
    const route = { spec: spec(s.file, s.sha256 || info.sha256, s.bytes || info.bytes), modelType };
    let fallback = null;
    if (modelType === 'stock_specific') {
      const fb = s.fallback;
      fallback = fb && fb.file ? { spec: spec(fb.file, fb.sha256, fb.bytes), modelType: 'general' } : general && { spec: general, modelType: 'general' };
    }
    stocks.set(s.symbol.toUpperCase(), { ...s, route, fallback });
    const sector = s.sector || 'Unknown';
    (sectors[sector] ||= []).push(s.symbol.toUpperCase());
  }
  const horizonNames = Array.isArray(m.horizon_names) ? m.horizon_names : (m.horizons || [1, 5, 10, 30]).map((h) => `${h}d`);
  const horizons = new Map(horizonNames.map((name, i) => [name, Number((m.horizons || [])[i] ?? parseInt(name, 10))]));
  return {
    manifest: m,
    stocks,
    sectors: isObj(m.sectors) ? Object.fromEntries(Object.entries(m.sectors).map(([k, v]) => [k, v.map((x) => x.toUpperCase())])) : sectors,
    general,
    horizons,
    levels: Array.isArray(m.interval_levels) ? m.interval_levels : [0.8, 0.9, 0.95],
    testPeriod: m.data && Array.isArray(m.data.test) ? m.data.test : null,
  };
}

// ------------------------------------------------------------------ the API object

const HANDLE_OPTIONS = ['baseUrl', 'cacheSize', 'maxCacheBytes', 'fetch', 'signal', 'onProgress', 'store', 'predictionTtlMs', 'historyTtlMs',
  'retries', 'retryDelayMs', 'level', 'fallback', 'wasmUrl', 'wasmBinary', 'riskWasmUrl', 'riskWasmBinary'];

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
  const fetchFn = o.fetch === undefined ? platform.fetch || globalThis.fetch : o.fetch;
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
  for (const k of ['wasmUrl', 'riskWasmUrl'])
    if (o[k] !== undefined && typeof o[k] !== 'string' && !(o[k] instanceof URL)) throw invalid(k, 'wrong_type', 'expected a URL');
  for (const k of ['wasmBinary', 'riskWasmBinary'])
    if (o[k] !== undefined && !(o[k] instanceof ArrayBuffer) && !ArrayBuffer.isView(o[k]))
      throw invalid(k, 'wrong_type', 'expected the .wasm bytes (ArrayBuffer or Uint8Array)');
  return {
    base, cacheSize, maxBytes, fetch: fetchFn, sha256: platform.sha256 || sha256Hex, signal: checkSignal(o.signal), onProgress: o.onProgress, store: o.store || null,
    ttl, historyTtl, retries: int('retries', 2, 0), retryDelayMs, level: o.level === undefined ? 0.9 : o.level, fallback: o.fallback !== false,
    wasmUrl: o.wasmUrl, wasmBinary: o.wasmBinary, riskWasmUrl: o.riskWasmUrl, riskWasmBinary: o.riskWasmBinary,
  };
}

export class Stockcast {
  #M;
  #o;
  #getRisk;
  #risk = null; // Promise of the risk engine module (loaded on first use)
  #registry;
  #index = null; // Promise of the indexed manifest
  #indexed = null; // the indexed manifest once loaded (for synchronous lookups)
  #histories = new Map(); // url -> {promise, at}
  #predictions = new Map(); // key -> {value, expires, symbol}
  #stats;
  #net;
  #disposed = false;
  #life = new AbortController();
  #base; // the instance signal combined with dispose(), built once

  // Use Stockcast.create: the instance exists while its module loads, so the manifest can be
  // fetched meanwhile.
  constructor(o, getRisk) {
    this.#o = o;
    this.#getRisk = getRisk;
    this.#base = anySignal([o.signal, this.#life.signal]).signal;
    this.#stats = {
      predictions: 0, cacheHits: 0, cacheMisses: 0,
      models: { hits: 0, misses: 0, loads: 0, loadFailures: 0, evictions: 0, loadTimeMs: 0, lastLoadMs: 0, storeHits: 0 },
      latency: new Map(),
    };
    this.#net = { fetch: o.fetch, retries: o.retries, retryDelayMs: o.retryDelayMs, stats: { requests: 0, retries: 0, bytes: 0 } };
    this.#registry = new Registry({
      maxCount: o.cacheSize, maxBytes: o.maxBytes, stats: this.#stats.models, load: (spec, signal) => this.#loadModel(spec, signal),
    });
  }

  // The manifest is fetched while the .wasm downloads and compiles: every call needs it first,
  // and the two downloads are independent (import → first prediction is one round trip shorter).
  static async create(getModule, o, getRisk) {
    const sc = new Stockcast(o, getRisk);
    if (o.base) sc.#manifest().catch(() => {}); // a failure is not remembered: the call that needs it retries
    try {
      sc.#M = await getModule(o);
    } catch (e) {
      sc.dispose();
      if (e instanceof StockcastError) throw e;
      throw new StockcastError('fetch_failed', `could not load the stockcast .wasm: ${e && e.message}`, { url: o.wasmUrl && String(o.wasmUrl), status: 0, attempts: 1, cause: e });
    }
    return sc;
  }

  // ---------------------------------------------------------------- internals

  #alive() {
    if (this.#disposed) throw new StockcastError('disposed', 'this stockcast instance was disposed');
  }

  // The signal of one call: the caller's, the instance's and dispose(). Release it when done.
  #signal(signal) {
    return anySignal([checkSignal(signal), this.#base]);
  }

  // Maps an abort caused by dispose() to 'disposed'.
  #rethrow(e) {
    if (this.#disposed && (!(e instanceof StockcastError) || e.code === 'aborted')) throw new StockcastError('disposed', 'this stockcast instance was disposed');
    if (e instanceof StockcastError) throw e;
    if (e && e.name === 'AbortError') throw abortedError();
    throw new StockcastError('internal_error', String((e && e.message) || e), { cause: e });
  }

  #url(path) {
    if (!this.#o.base) throw invalid('baseUrl', 'required', 'this call needs files from baseUrl; pass createStockcast({ baseUrl })');
    return new URL(path, this.#o.base).href;
  }

  // JSON with a last-known-good copy in the store (offline reloads).
  async #json(url, signal) {
    const store = this.#o.store;
    let bytes;
    try {
      bytes = await fetchBytes(url, this.#net, { signal });
    } catch (e) {
      if (!store || e.code !== 'fetch_failed' || (e.status >= 400 && e.status < 500)) throw e;
      bytes = await store.get(`url:${url}`).catch(() => undefined);
      if (!bytes) throw e;
    }
    const doc = parseJson(bytes, url);
    if (store) store.put(`url:${url}`, bytes).catch(() => {});
    return doc;
  }

  #manifest(signal) {
    if (!this.#index) {
      const url = this.#url('manifest.json');
      const p = this.#json(url, this.#base).then((m) => (this.#indexed = indexManifest(m, this.#o.base)));
      this.#index = p;
      p.catch(() => {
        if (this.#index === p) this.#index = null; // a failure is not remembered
      });
    }
    return waitFor(this.#index, signal);
  }

  async #loadModel(spec, signal) {
    const store = this.#o.store;
    let bytes;
    let fromStore = false;
    let verified = false; // the whole file matched the manifest's SHA-256 (Web Crypto or node:crypto)
    if (store && spec.sha256) {
      const b = await store.get(spec.sha256).catch(() => undefined);
      if (b && (await this.#o.sha256(b)) === spec.sha256) (bytes = new Uint8Array(b)), (fromStore = verified = true), this.#stats.models.storeHits++;
    }
    if (!bytes) {
      bytes = await fetchBytes(spec.url, this.#net, { signal, onProgress: this.#o.onProgress, expectedBytes: spec.bytes });
      const actual = await this.#o.sha256(bytes);
      if (actual !== null && spec.sha256 && actual !== spec.sha256)
        throw new StockcastError('integrity_error', `${spec.url}: SHA-256 ${actual} differs from the manifest's ${spec.sha256}`,
          { url: spec.url, expected: spec.sha256, actual, detail: 'sha256_mismatch' });
      verified = actual !== null && !!spec.sha256;
    }
    throwIfAborted(signal);
    let handle;
    try {
      // The core re-checks the file's embedded hash unless Web Crypto already matched the whole
      // file against the manifest (that covers the embedded hash too, and is ~50x faster).
      handle = new ModelHandle(this.#M, bytes, !verified);
    } catch (e) {
      if (e instanceof StockcastError) e.url = spec.url;
      if (fromStore && store.delete) store.delete(spec.sha256).catch(() => {});
      throw e;
    }
    if (store && !fromStore && spec.sha256) store.put(spec.sha256, bytes).catch(() => {});
    return { handle, bytes: bytes.length };
  }

  #history(symbol, signal) {
    const url = this.#historyUrl(symbol);
    const hit = this.#freshHistory(url);
    if (hit) return waitFor(hit.promise, signal);
    const promise = this.#json(url, this.#base).then((doc) => {
      const rows = Array.isArray(doc) ? doc : doc && doc.rows;
      let hist;
      try {
        hist = normalizeHistory(rows);
      } catch (e) {
        throw new StockcastError('format_error', `${url}: ${e.message}`, { url, detail: 'bad_history' });
      }
      hist.events = doc && Array.isArray(doc.events) ? doc.events : undefined;
      return hist;
    });
    const entry = { promise, at: Date.now(), loaded: false };
    this.#histories.set(url, entry);
    promise.then(() => (entry.loaded = true), () => {
      if (this.#histories.get(url) === entry) this.#histories.delete(url);
    });
    return waitFor(promise, signal);
  }

  #freshHistory(url) {
    const hit = this.#histories.get(url);
    return hit && Date.now() - hit.at < this.#o.historyTtl ? hit : null;
  }

  #historyUrl(symbol) {
    return this.#url(`history/${encodeURIComponent(symbol)}.json`);
  }

  #horizon(h, idx) {
    if (h === undefined) throw invalid('horizon', 'required', `expected one of ${[...idx.horizons.keys()].join(', ')}`);
    if (typeof h !== 'string' || !idx.horizons.has(h))
      throw Object.assign(invalid('horizon', 'unknown_horizon', `${JSON.stringify(h)} is not one of ${[...idx.horizons.keys()].join(', ')}`), { allowed: [...idx.horizons.keys()] });
    return { name: h, days: idx.horizons.get(h) };
  }

  #level(level, idx) {
    const l = level === undefined ? this.#o.level : level;
    if (typeof l !== 'number' || !idx.levels.some((x) => Math.abs(x - l) < 1e-9))
      throw Object.assign(invalid('level', 'unknown_level', `${JSON.stringify(l)} is not one of ${idx.levels.join(', ')}`), { allowed: idx.levels });
    return l;
  }

  #route(symbol, idx, hasHistory) {
    const s = idx.stocks.get(symbol);
    if (s) return { ...s.route, fallback: s.fallback };
    if (hasHistory && idx.general) return { spec: idx.general, modelType: 'general_unseen' };
    const availableStocks = [...idx.stocks.keys()];
    const suggestion = closest(symbol, availableStocks);
    throw new StockcastError('model_not_found',
      `no model serves ${symbol}${hasHistory ? '' : ' (pass its price history to use the general model)'}; did you mean ${suggestion}?`,
      { symbol, availableStocks, suggestion });
  }

  async #acquire(route, signal) {
    try {
      return { entry: await this.#registry.acquire(route.spec, signal), route };
    } catch (e) {
      if (!(e instanceof StockcastError) || !route.fallback || !this.#o.fallback || !FALLBACK_CODES.includes(e.code) || this.#disposed) throw e;
      const fb = { ...route.fallback, fallbackFrom: { file: route.spec.key, code: e.code, message: e.message } };
      return { entry: await this.#registry.acquire(fb.spec, signal), route: fb };
    }
  }

  #stockId(route, handle, symbol) {
    if (handle.summary.kind !== 'general') return { id: -1, modelType: route.modelType };
    const id = handle.stocks.get(symbol);
    if (id === undefined) return { id: -1, modelType: 'general_unseen' };
    return { id, modelType: route.modelType === 'general_unseen' ? 'general' : route.modelType };
  }

  #build({ symbol, route, modelType, handle, spec, forecast, hz, hist, idx }) {
    const h = forecast.horizons.find((x) => x.horizon === hz.days);
    if (!h) throw invalid('horizon', 'not_served', `the model ${spec.key} has no ${hz.name} output`);
    const stock = idx.stocks.get(symbol);
    const m = modelType !== 'general_unseen' && !route.fallbackFrom && stock && stock.test_metrics && stock.test_metrics[hz.name];
    const warnings = [];
    if (route.fallbackFrom)
      warnings.push(`the stock-specific model ${route.fallbackFrom.file} is unavailable (${route.fallbackFrom.code}); served by the general model`);
    if (modelType === 'general_unseen') warnings.push(`${symbol} was never seen in training: general model with a neutral stock embedding`);
    return {
      symbol,
      name: stock ? stock.name : null,
      sector: stock ? stock.sector : null,
      horizon: hz.name,
      horizonDays: hz.days,
      currentPrice: forecast.lastClose,
      predictedPrice: h.price,
      interval: { lower: h.lower, upper: h.upper, level: h.level },
      expectedReturn: h.expectedReturn,
      logReturn: h.logReturn,
      direction: h.direction,
      probabilities: { bearish: h.pBearish, neutral: h.pNeutral, bullish: h.pBullish },
      heldOut: m
        ? { mape: m.mape, naiveMape: m.naive_mape, coverage90: m.coverage90 ?? null, directionHitRate: m.direction_hit_rate ?? null, samples: m.n ?? null, period: idx.testPeriod }
        : null,
      modelType,
      confidence: CONFIDENCE[modelType],
      modelVersion: `${handle.summary.name || spec.key}@${handle.summary.version}${spec.sha256 ? `/${spec.sha256.slice(0, 12)}` : ''}`,
      modelFile: spec.key,
      trainedAt: handle.summary.trained_at || idx.manifest.training_date || null,
      dataDate: hist.dataDate,
      historyLength: hist.closes.length,
      latencyMs: 0,
      cached: false,
      warnings,
    };
  }

  // null when predictions are not cached (predictionTtlMs 0): no fingerprint to compute.
  #cacheKey(symbol, hz, level, hist) {
    return this.#o.ttl > 0 ? `${symbol}|${hz.name}|${level}|${hist.dataDate}|${fingerprint(hist)}` : null;
  }

  #cacheGet(key) {
    const c = key !== null && this.#predictions.get(key);
    if (!c) return null;
    if (Date.now() >= c.expires) {
      this.#predictions.delete(key);
      return null;
    }
    return c.value;
  }

  #cachePut(key, symbol, value) {
    if (this.#o.ttl <= 0 || value.warnings.length && value.modelType !== 'general_unseen') return;
    this.#predictions.delete(key);
    this.#predictions.set(key, { value: structuredClone(value), expires: Date.now() + this.#o.ttl, symbol });
    if (this.#predictions.size > MAX_PREDICTION_CACHE) this.#predictions.delete(this.#predictions.keys().next().value);
  }

  #record(symbol, ms) {
    let l = this.#stats.latency.get(symbol);
    if (!l) this.#stats.latency.set(symbol, (l = { count: 0, totalMs: 0, minMs: Infinity, maxMs: 0, lastMs: 0 }));
    l.count++;
    l.totalMs += ms;
    l.minMs = Math.min(l.minMs, ms);
    l.maxMs = Math.max(l.maxMs, ms);
    l.lastMs = ms;
    this.#stats.predictions++;
  }

  #fromCache(cached, t0) {
    this.#stats.cacheHits++;
    const v = structuredClone(cached);
    v.cached = true;
    v.latencyMs = now() - t0;
    this.#record(v.symbol, v.latencyMs);
    return v;
  }

  // ---------------------------------------------------------------- public API

  async available({ signal } = {}) {
    this.#alive();
    try {
      const idx = await this.#manifest(signal);
      const m = idx.manifest;
      const stocks = [...idx.stocks.values()].map((s) => ({ symbol: s.symbol.toUpperCase(), name: s.name ?? null, sector: s.sector ?? null, modelType: s.route.modelType }));
      const trained = stocks.filter((s) => s.modelType === 'stock_specific').map((s) => s.symbol);
      const bySector = {};
      for (const [sector, syms] of Object.entries(idx.sectors))
        bySector[sector] = { total: syms.length, trained: syms.filter((x) => trained.includes(x)).length, symbols: syms };
      return {
        totalStocks: stocks.length,
        trainedCount: trained.length,
        generalCount: stocks.length - trained.length,
        symbols: stocks.map((s) => s.symbol),
        trained,
        stocks,
        bySector,
        sectors: Object.keys(idx.sectors),
        horizons: [...idx.horizons.keys()],
        intervalLevels: idx.levels,
        version: m.format_version ?? null,
        coreVersion: this.#M.version(),
        trainingDate: m.training_date ?? null,
        dataRange: m.data ? { from: m.data.from ?? null, to: m.data.to ?? null } : null,
        testPeriod: idx.testPeriod,
        hasGeneralModel: !!idx.general,
      };
    } catch (e) {
      this.#rethrow(e);
    }
  }

  async modelInfo(symbol, { signal } = {}) {
    this.#alive();
    const sym = checkSymbol(symbol);
    try {
      const idx = await this.#manifest(signal);
      const s = idx.stocks.get(sym);
      if (!s)
        return { symbol: sym, status: 'not_trained', modelType: idx.general ? 'general_unseen' : null, needsHistory: true,
          suggestion: closest(sym, idx.stocks.keys()), loaded: false };
      const r = s.route;
      return {
        symbol: sym,
        name: s.name ?? null,
        sector: s.sector ?? null,
        status: r.modelType === 'stock_specific' ? 'trained' : 'general',
        modelType: r.modelType,
        confidence: CONFIDENCE[r.modelType],
        file: r.spec.key,
        url: r.spec.url,
        bytes: r.spec.bytes ?? null,
        sha256: r.spec.sha256,
        fallbackFile: s.fallback ? s.fallback.spec.key : null,
        testMetrics: s.test_metrics ?? null,
        loaded: this.#registry.has(r.spec.key),
      };
    } catch (e) {
      this.#rethrow(e);
    }
  }

  async predict(req) {
    this.#alive();
    const t0 = now();
    const { symbol, horizon, history, level, signal } = checkRequest(req, 'predict');
    const sym = checkSymbol(symbol);
    const hasHistory = history !== undefined && history !== null;
    const given = hasHistory ? normalizeHistory(history) : null;
    const { signal: sig, release } = this.#signal(signal);
    let early = null; // the model, requested while the history downloads
    try {
      const idx = await this.#manifest(sig);
      const hz = this.#horizon(horizon, idx);
      const lvl = this.#level(level, idx);
      const route = this.#route(sym, idx, hasHistory);
      let hist = given;
      if (!hist) {
        // A history still to download means no cached prediction can match it: fetch the model
        // alongside instead of after it (one round trip less on a first prediction).
        const resident = this.#freshHistory(this.#historyUrl(sym));
        if (!resident || !resident.loaded) {
          early = this.#acquire(route, sig);
          early.catch(() => {}); // its failure surfaces when awaited below (or not at all)
        }
        hist = await this.#history(sym, sig);
      }
      const key = this.#cacheKey(sym, hz, lvl, hist);
      const cached = this.#cacheGet(key);
      if (cached) return this.#fromCache(cached, t0);
      this.#stats.cacheMisses++;
      const acquiring = early || this.#acquire(route, sig);
      early = null;
      const { entry, route: used } = await acquiring;
      let value;
      try {
        this.#alive();
        const { id, modelType } = this.#stockId(used, entry.handle, sym);
        const f = entry.handle.predict(hist.closes, hist.volumes, id, lvl);
        if (!f.ok) throw coreError(f, { symbol: sym });
        value = this.#build({ symbol: sym, route: used, modelType, handle: entry.handle, spec: used.spec, forecast: f, hz, hist, idx });
      } finally {
        this.#registry.release(entry);
      }
      value.latencyMs = now() - t0;
      this.#cachePut(key, sym, value);
      this.#record(sym, value.latencyMs);
      return value;
    } catch (e) {
      this.#rethrow(e);
    } finally {
      // A model requested early but not used (the history failed, or the answer was cached).
      if (early) early.then(({ entry }) => this.#registry.release(entry), () => {});
      release();
    }
  }

  // One network call per model file for all the symbols it serves. Results come back in input
  // order; a failure affects only its own item.
  async predictBatch(req) {
    this.#alive();
    const t0 = now();
    const { symbols, horizon, level, histories, signal } = checkRequest(req, 'predictBatch');
    if (!Array.isArray(symbols)) throw invalid('symbols', symbols === undefined ? 'required' : 'wrong_type', 'expected an array of ticker symbols');
    if (symbols.length > 10000) throw invalid('symbols', 'too_many', 'at most 10000 symbols per batch');
    if (histories !== undefined && !isObj(histories)) throw invalid('histories', 'wrong_type', 'expected {SYMBOL: history}');
    const { signal: sig, release } = this.#signal(signal);
    try {
      const idx = await this.#manifest(sig);
      const hz = this.#horizon(horizon, idx);
      const lvl = this.#level(level, idx);
      const out = await this.#batch(symbols, histories, hz, lvl, idx, sig, t0);
      return out;
    } catch (e) {
      this.#rethrow(e);
    } finally {
      release();
    }
  }

  async #batch(symbols, histories, hz, lvl, idx, sig, t0) {
    const n = symbols.length;
    const results = new Array(n);
    const fail = (i, symbol, e) => {
      if (this.#disposed || (e instanceof StockcastError && e.code === 'aborted')) this.#rethrow(e);
      results[i] = { symbol, ok: false, error: e instanceof StockcastError ? e : new StockcastError('internal_error', String(e && e.message), { cause: e }) };
    };
    const groups = new Map();
    let modelCalls = 0;
    await Promise.all(symbols.map(async (raw, i) => {
      let sym = typeof raw === 'string' ? raw : String(raw);
      try {
        sym = checkSymbol(raw, `symbols[${i}]`);
        const h = histories && Object.prototype.hasOwnProperty.call(histories, sym) ? histories[sym] : histories && histories[raw];
        const given = h !== undefined && h !== null ? normalizeHistory(h, `histories.${sym}`) : null;
        const route = this.#route(sym, idx, !!given);
        const hist = given || (await this.#history(sym, sig));
        const key = this.#cacheKey(sym, hz, lvl, hist);
        const cached = this.#cacheGet(key);
        if (cached) {
          results[i] = { symbol: sym, ok: true, prediction: this.#fromCache(cached, t0) };
          return;
        }
        this.#stats.cacheMisses++;
        let g = groups.get(route.spec.key);
        if (!g) groups.set(route.spec.key, (g = { route, items: [] }));
        g.items.push({ i, sym, hist, key });
      } catch (e) {
        fail(i, sym, e);
      }
    }));
    await Promise.all([...groups.values()].map(async (g) => {
      let acquired;
      try {
        acquired = await this.#acquire(g.route, sig);
      } catch (e) {
        for (const it of g.items) fail(it.i, it.sym, e);
        return;
      }
      const { entry, route } = acquired;
      const g0 = now();
      try {
        this.#alive();
        const handle = entry.handle;
        const ids = g.items.map((it) => this.#stockId(route, handle, it.sym));
        const needsVolume = (handle.summary.input.features || []).some((f) => f.includes('volume'));
        const total = g.items.reduce((a, it) => a + it.hist.closes.length, 0);
        const closes = new Float64Array(total);
        const volumes = needsVolume ? new Float64Array(total) : null;
        const offsets = new Int32Array(g.items.length + 1);
        g.items.forEach((it, j) => {
          closes.set(it.hist.closes, offsets[j]);
          if (volumes) volumes.set(it.hist.volumes || new Float64Array(it.hist.closes.length).fill(NaN), offsets[j]);
          offsets[j + 1] = offsets[j] + it.hist.closes.length;
        });
        let forecasts;
        {
          const r = handle.predictBatch(closes, volumes, offsets, Int32Array.from(ids, (x) => x.id), lvl);
          modelCalls++;
          if (!r.ok) throw coreError(r);
          forecasts = r.results;
        }
        const ms = now() - g0;
        g.items.forEach((it, j) => {
          const f = forecasts[j];
          if (!f.ok) return fail(it.i, it.sym, coreError(f, { symbol: it.sym }));
          try {
            const v = this.#build({ symbol: it.sym, route, modelType: ids[j].modelType, handle, spec: route.spec, forecast: f, hz, hist: it.hist, idx });
            v.latencyMs = ms;
            this.#cachePut(it.key, it.sym, v);
            this.#record(it.sym, ms);
            results[it.i] = { symbol: it.sym, ok: true, prediction: v };
          } catch (e) {
            fail(it.i, it.sym, e);
          }
        });
      } catch (e) {
        for (const it of g.items) if (!results[it.i]) fail(it.i, it.sym, e);
      } finally {
        this.#registry.release(entry);
      }
    }));
    const successful = results.filter((r) => r.ok).length;
    return {
      horizon: hz.name,
      level: lvl,
      results,
      summary: { total: n, successful, failed: n - successful, totalTimeMs: now() - t0, modelCalls },
    };
  }

  async predictSector(req) {
    this.#alive();
    const t0 = now();
    const { sector, horizon, level, signal } = checkRequest(req, 'predictSector');
    if (typeof sector !== 'string' || !sector.trim()) throw invalid('sector', sector === undefined ? 'required' : 'wrong_type', 'expected a sector name');
    const { signal: sig, release } = this.#signal(signal);
    try {
      const idx = await this.#manifest(sig);
      const names = Object.keys(idx.sectors);
      const name = names.find((s) => s.toLowerCase() === sector.trim().toLowerCase());
      if (!name) throw Object.assign(invalid('sector', 'unknown_sector', `${JSON.stringify(sector)} is not one of ${names.join(', ')}`), { availableSectors: names });
      const hz = this.#horizon(horizon, idx);
      const lvl = this.#level(level, idx);
      const symbols = idx.sectors[name];
      const out = await this.#batch(symbols, undefined, hz, lvl, idx, sig, t0);
      const trainedCount = symbols.filter((s) => idx.stocks.get(s) && idx.stocks.get(s).route.modelType === 'stock_specific').length;
      return { sector: name, trainedCount, totalCount: symbols.length, ...out };
    } catch (e) {
      this.#rethrow(e);
    } finally {
      release();
    }
  }

  // The risk engine module: the forecasting module itself when it carries the entry points,
  // otherwise the separate stockcast-risk module, instantiated once on first use.
  #riskModule() {
    if (typeof this.#M.riskReport === 'function') return Promise.resolve(this.#M);
    if (!this.#risk) {
      if (!this.#getRisk) return Promise.reject(new StockcastError('unsupported', 'no risk engine available', { detail: 'no_risk_engine' }));
      const p = Promise.resolve().then(() => this.#getRisk(this.#o));
      this.#risk = p;
      p.catch(() => {
        if (this.#risk === p) this.#risk = null;
      });
    }
    return this.#risk;
  }

  // risk() and optimizePortfolio() live in risk.js, loaded on their first call (like the risk
  // .wasm), so a page that only predicts downloads neither.
  async #riskApi(name, req) {
    this.#alive();
    const t0 = now();
    const r = checkRequest(req, name);
    const { signal: sig, release } = this.#signal(r.signal);
    try {
      let api;
      try {
        api = await import('./risk.js');
      } catch (e) {
        throw new StockcastError('fetch_failed', `could not load the risk API (risk.js): ${e && e.message}`, { status: 0, attempts: 1, cause: e });
      }
      return await api[name](this.#riskContext, r, sig, t0);
    } catch (e) {
      this.#rethrow(e);
    } finally {
      release();
    }
  }

  // What risk.js may use of this instance.
  #riskContext = {
    history: (symbol, signal) => this.#history(symbol, signal),
    json: (p, signal) => this.#json(this.#url(p), signal),
    hasBase: () => !!this.#o.base,
    engine: (signal) => waitFor(this.#riskModule(), signal),
    alive: () => this.#alive(),
  };

  risk(req) {
    return this.#riskApi('risk', req);
  }

  optimizePortfolio(req) {
    return this.#riskApi('optimizePortfolio', req);
  }

  stats() {
    const s = this.#stats;
    const m = s.models;
    const lookups = s.cacheHits + s.cacheMisses;
    const modelLookups = m.hits + m.misses;
    const latency = {};
    for (const [sym, l] of s.latency) latency[sym] = { count: l.count, meanMs: l.totalMs / l.count, minMs: l.minMs, maxMs: l.maxMs, lastMs: l.lastMs };
    return {
      predictions: s.predictions,
      cacheHits: s.cacheHits,
      cacheMisses: s.cacheMisses,
      hitRate: lookups ? s.cacheHits / lookups : 0,
      cachedPredictions: this.#predictions.size,
      models: {
        resident: this.#registry.size,
        residentBytes: this.#registry.bytes,
        residentFiles: this.#registry.keys(),
        maxCount: this.#o.cacheSize,
        maxBytes: this.#o.maxBytes,
        hits: m.hits,
        misses: m.misses,
        hitRate: modelLookups ? m.hits / modelLookups : 0,
        loads: m.loads,
        loadFailures: m.loadFailures,
        evictions: m.evictions,
        storeHits: m.storeHits,
        loadTimeMs: m.loadTimeMs,
        meanLoadTimeMs: m.loads ? m.loadTimeMs / m.loads : 0,
        lastLoadTimeMs: m.lastLoadMs,
      },
      network: { ...this.#net.stats },
      latency,
      wasmHeapBytes: this.#M ? this.#M.heapBytes() : 0,
      wasmObjects: this.#M ? this.#M.objects() : { models: 0, handles: 0 },
      disposed: this.#disposed,
    };
  }

  // Forgets cached predictions and histories (of one symbol, or all) and drops the resident
  // model(s): a symbol's own stock-specific model, or every model when called without one.
  clearCache(symbol) {
    this.#alive();
    if (symbol === undefined) {
      this.#predictions.clear();
      this.#histories.clear();
      this.#index = null;
      this.#registry.clear();
      return;
    }
    const sym = checkSymbol(symbol);
    for (const [k, v] of this.#predictions) if (v.symbol === sym) this.#predictions.delete(k);
    if (this.#o.base) this.#histories.delete(this.#historyUrl(sym));
    const stock = this.#indexed && this.#indexed.stocks.get(sym);
    if (stock && stock.route.modelType === 'stock_specific') this.#registry.clear([stock.route.spec.key]);
  }

  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#life.abort();
    this.#registry.dispose();
    this.#predictions.clear();
    this.#histories.clear();
    this.#index = null;
    this.#M = null;
    this.#risk = null;
  }
}

// Waits for a shared promise on behalf of one caller; the caller's abort rejects only its own wait.
export function waitFor(promise, signal) {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

// Shared by the entries: validate options, get the module, build the API object. platform: the
// entry's own {fetch, sha256} where it has better ones than the web platform's (node.js).
export async function createWith(getModule, options, getRiskModule, platform) {
  const o = checkOptions(options, platform);
  throwIfAborted(o.signal);
  return Stockcast.create(getModule, o, getRiskModule);
}
