// The package's caches: compiled .wasm modules, downloaded histories (as promises, with a TTL)
// and finished predictions (TTL, bounded, keyed by the history's fingerprint). Resident models
// have their own LRU (registry.js).

const MAX_PREDICTIONS = 5000;

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

// The getter of one .wasm module for an entry (index.js, node.js): the caller's bytes (option
// `names.binary`, compiled each time), a URL (option `names.url`) or the file beside the package
// (`defaultUrl()`, a static new URL('./x.wasm', import.meta.url) in the entry: bundlers follow it to
// emit the file), compiled once per URL by the entry's `compile(options, bytes, url)`, then handed to
// the glue adapter's `instantiate`.
export function moduleGetter(names, defaultUrl, compile, instantiate) {
  const cache = compileCache();
  return (o) => {
    const bytes = o[names.binary];
    const url = o[names.url] ? String(o[names.url]) : undefined;
    return instantiate(cache(bytes ? undefined : url || 'default', () => compile(o, bytes, url || defaultUrl().href)));
  };
}

// Promises by key for `ttlMs`; a rejected promise is forgotten at once. `loaded` tells whether
// an entry has resolved (a resident history, as opposed to one still downloading).
export class PromiseCache {
  #map = new Map();
  constructor(ttlMs) {
    this.ttlMs = ttlMs;
  }
  // An entry may carry its own ttlMs (a history source's ttlMs), set once it has resolved.
  fresh(key) {
    const hit = this.#map.get(key);
    return hit && Date.now() - hit.at < (hit.ttlMs ?? this.ttlMs) ? hit : null;
  }
  set(key, promise) {
    const entry = { promise, at: Date.now(), loaded: false };
    this.#map.set(key, entry);
    promise.then(() => (entry.loaded = true), () => {
      if (this.#map.get(key) === entry) this.#map.delete(key);
    });
    return entry;
  }
  delete(key) {
    this.#map.delete(key);
  }
  clear() {
    this.#map.clear();
  }
}

// FNV-1a over the bytes of the closes (and volumes): part of the prediction key, so two
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

// Finished predictions for `ttlMs` (0: none cached), oldest dropped beyond MAX_PREDICTIONS.
// Stored and returned as copies, so a caller editing its answer changes nothing here.
export class PredictionCache {
  #map = new Map(); // key -> {value, expires, symbol}
  constructor(ttlMs) {
    this.ttlMs = ttlMs;
  }
  get size() {
    return this.#map.size;
  }
  // null when predictions are not cached: no fingerprint to compute.
  key(symbol, hz, level, hist, kind) {
    return this.ttlMs > 0 ? `${symbol}|${kind}|${hz.name}|${level}|${hist.dataDate}|${fingerprint(hist)}` : null;
  }
  get(key) {
    const c = key !== null && this.#map.get(key);
    if (!c) return null;
    if (Date.now() >= c.expires) {
      this.#map.delete(key);
      return null;
    }
    return structuredClone(c.value);
  }
  // Answers with warnings (a fallback model served them) are not kept: the next call retries.
  put(key, symbol, value) {
    // Nor are answers from stale data (every history source failed): the next call asks again.
    if (key === null || value.stale || (value.warnings.length && value.modelType !== 'general_unseen')) return;
    this.#map.delete(key);
    this.#map.set(key, { value: structuredClone(value), expires: Date.now() + this.ttlMs, symbol });
    if (this.#map.size > MAX_PREDICTIONS) this.#map.delete(this.#map.keys().next().value);
  }
  deleteSymbol(symbol) {
    for (const [k, v] of this.#map) if (v.symbol === symbol) this.#map.delete(k);
  }
  clear() {
    this.#map.clear();
  }
}
