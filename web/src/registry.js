// The in-page model registry: an LRU of parsed models, bounded by count and by bytes.
// - one fetch per model however many requests want it at once (they share the load);
// - a load is aborted only when every request waiting for it has given up (a later request
//   then starts a fresh one);
// - models in use are pinned: eviction skips them and happens again when they are released;
// - resident models (pin(key): the general model, which serves every stock without its own) are
//   never evicted and do not count against maxCount / maxBytes;
// - eviction (and clear / dispose) calls the model's dispose(), which frees its WASM memory;
// - a failed load leaves nothing behind: no entry, no WASM object.
import { StockcastError, abortedError, coreError } from './errors.js';
import { onAbort } from './net.js';

// The one long-lived C++ object that crosses the boundary, behind an idempotent dispose().
export class ModelHandle {
  #m;
  // kernel: the LSTM arithmetic (LoadedModel.useKernel: the weights are quantised once, here);
  // this.kernel is the one that serves (int16 keeps float32 for a model its test vector rules out).
  constructor(Module, bytes, verifyHash = true, kernel = 'float32') {
    const m = new Module.LoadedModel(bytes, verifyHash);
    const err = m.error();
    const k = err || kernel === 'float32' ? null : m.useKernel(kernel);
    if (err || (k && !k.ok)) {
      m.delete();
      throw coreError(err || k);
    }
    this.#m = m;
    this.kernel = k ? k.kernel : 'float32';
    // What the package needs from the file's header (docs/model-format.md): meta + input spec.
    const header = JSON.parse(m.header());
    this.summary = { ...header.meta, input: header.input };
    this.stocks = new Map((this.summary.stocks || []).map((s, i) => [s, i]));
  }
  get disposed() {
    return !this.#m;
  }
  #live() {
    if (!this.#m) throw new StockcastError('disposed', 'this model was disposed');
    return this.#m;
  }
  predict(closes, volumes, stockId, level) {
    return this.#live().predict(closes, volumes, stockId, level);
  }
  predictBatch(closes, volumes, offsets, stockIds, level) {
    return this.#live().predictBatch(closes, volumes, offsets, stockIds, level);
  }
  forward(x, stockIds, batch) {
    return this.#live().forward(x, stockIds, batch);
  }
  dispose() {
    if (this.#m) {
      this.#m.delete();
      this.#m = null;
    }
  }
}

export class Registry {
  #entries = new Map(); // key -> entry, least recently used first
  #pending = new Map(); // key -> { waiters: Set, controller }
  #bytes = 0;
  #resident = new Set(); // keys kept resident (pin): never evicted, not counted
  constructor({ maxCount, maxBytes, load, stats, emit }) {
    this.emit = emit || (() => {});
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
    this.load = load; // async (spec, signal) -> ModelHandle-like {bytes, handle}
    this.stats = stats;
  }

  get size() {
    return this.#entries.size;
  }
  get bytes() {
    return this.#bytes;
  }
  // Keeps `key` resident once loaded (now, if it already is): outside the LRU's bounds.
  pin(key) {
    this.#resident.add(key);
  }
  get pinned() {
    return [...this.#resident];
  }
  has(key) {
    return this.#entries.has(key);
  }
  // The resident entry of `key` (not pinned, the LRU order untouched), or undefined.
  peek(key) {
    return this.#entries.get(key);
  }
  keys() {
    return [...this.#entries.keys()];
  }

  // Resolves to a pinned entry {key, handle, bytes}; call release(entry) when done with it.
  acquire(spec, signal) {
    const hit = this.#entries.get(spec.key);
    if (hit) {
      this.stats.hits++;
      this.#entries.delete(spec.key);
      this.#entries.set(spec.key, hit);
      hit.pins++;
      return Promise.resolve(hit);
    }
    this.stats.misses++;
    if (signal && signal.aborted) return Promise.reject(abortedError(signal));
    let p = this.#pending.get(spec.key);
    if (!p) p = this.#start(spec);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject, unsubscribe: null };
      if (signal) {
        waiter.unsubscribe = onAbort(signal, () => {
          if (!p.waiters.delete(waiter)) return;
          reject(abortedError(signal));
          if (p.waiters.size === 0) {
            // Abandoned: a request arriving while it winds down starts a fresh load, not this one.
            this.#pending.delete(spec.key);
            p.controller.abort(signal.reason);
          }
        });
      }
      p.waiters.add(waiter);
    });
  }

  #start(spec) {
    const p = { waiters: new Set(), controller: new AbortController() };
    this.#pending.set(spec.key, p);
    const t0 = now();
    const settle = (fn) => {
      if (this.#pending.get(spec.key) === p) this.#pending.delete(spec.key);
      for (const w of p.waiters) {
        if (w.unsubscribe) w.unsubscribe();
        fn(w);
      }
      p.waiters.clear();
    };
    this.load(spec, p.controller.signal).then(
      ({ handle, bytes }) => {
        if (this.disposed) {
          handle.dispose();
          return settle((w) => w.reject(new StockcastError('disposed', 'the stockcast instance was disposed')));
        }
        // Abandoned (no longer the pending load): nobody waits, and a fresh load may be under way.
        if (this.#pending.get(spec.key) !== p) return handle.dispose();
        const ms = now() - t0;
        this.stats.loads++;
        this.stats.loadTimeMs += ms;
        this.stats.lastLoadMs = ms;
        const entry = { key: spec.key, handle, bytes, pins: p.waiters.size, loadedAt: Date.now() };
        this.#entries.set(spec.key, entry);
        this.#bytes += bytes;
        this.emit({ type: 'load', file: spec.key, bytes, ms });
        settle((w) => w.resolve(entry));
        this.#evict();
      },
      (err) => {
        this.stats.loadFailures++;
        settle((w) => w.reject(err));
      },
    );
    return p;
  }

  release(entry) {
    if (entry.pins > 0) entry.pins--;
    if (entry.pins > 0) return;
    if (entry.dropOnRelease && this.#entries.get(entry.key) === entry) this.#remove(entry.key, entry);
    this.#evict();
  }

  #remove(key, entry) {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    entry.handle.dispose();
  }

  #evict() {
    let count = 0;
    let bytes = 0;
    for (const [k, e] of this.#entries) if (!this.#resident.has(k)) (count++, (bytes += e.bytes));
    while (count > this.maxCount || bytes > this.maxBytes) {
      let victim;
      for (const [k, e] of this.#entries) {
        if (e.pins === 0 && !this.#resident.has(k)) {
          victim = [k, e];
          break;
        }
      }
      if (!victim) return;
      this.#remove(victim[0], victim[1]);
      count--;
      bytes -= victim[1].bytes;
      this.stats.evictions++;
      this.emit({ type: 'evict', file: victim[0], bytes: victim[1].bytes });
    }
  }

  // Drops resident models (all, or those whose key is in `keys`) that are not in use; models in
  // use are dropped when released.
  clear(keys) {
    for (const [k, e] of [...this.#entries]) {
      if (keys && !keys.includes(k)) continue;
      if (e.pins === 0) this.#remove(k, e);
      else e.dropOnRelease = true;
    }
  }

  dispose() {
    this.disposed = true;
    for (const p of this.#pending.values()) p.controller.abort();
    for (const [k, e] of [...this.#entries]) this.#remove(k, e);
  }
}

export const now = () => (globalThis.performance ? performance.now() : Date.now());
