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
// an entry has resolved (a resident history, as opposed to one still downloading), `value` what to.
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
    promise.then((v) => {
      entry.loaded = true;
      entry.value = v; // for synchronous readers (predictSync)
    }, () => {
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

// FNV-1a over the 32-bit words of the closes (and volumes), each step followed by an xorshift so a
// word's high bits reach the low ones: part of the prediction key, so two different histories
// ending on the same date never share a cached answer. Word by word, not byte by byte: 300 rows
// took 70 µs of a 470 µs predict() in Chromium byte-wise (bench/browser/profile.mjs), ~1 µs now.
function mix(h, arr) {
  const w = new Int32Array(arr.buffer, arr.byteOffset, arr.byteLength >> 2); // Float64Array: whole, aligned words
  for (let i = 0; i < w.length; i++) {
    h = Math.imul(h ^ w[i], 0x01000193);
    h ^= h >>> 15;
  }
  return h;
}

function fingerprint(hist) {
  let h = mix(0x811c9dc5, hist.closes);
  if (hist.volumes) h = mix(h, hist.volumes);
  return `${hist.closes.length}:${(h >>> 0).toString(36)}`;
}

// A copy of a prediction (plain objects, arrays and primitives): what structuredClone did, at a
// tenth of its cost for this shape (structuredClone was 27 µs of a Chromium predict()).
function copy(v) {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(copy);
  const o = {};
  for (const k of Object.keys(v)) o[k] = copy(v[k]);
  return o;
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
    return copy(c.value);
  }
  // Answers with warnings (a fallback model served them) are not kept: the next call retries.
  put(key, symbol, value) {
    // Nor are answers from stale data (every history source failed): the next call asks again.
    if (key === null || value.stale || (value.warnings.length && value.modelType !== 'general_unseen')) return;
    this.#map.delete(key);
    this.#map.set(key, { value: copy(value), expires: Date.now() + this.ttlMs, symbol });
    if (this.#map.size > MAX_PREDICTIONS) this.#map.delete(this.#map.keys().next().value);
  }
  deleteSymbol(symbol) {
    for (const [k, v] of this.#map) if (v.symbol === symbol) this.#map.delete(k);
  }
  clear() {
    this.#map.clear();
  }
}
