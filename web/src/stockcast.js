// The public API object, the same in a page, a Web Worker and Node: the entries (index.js,
// node.js) differ only in how they obtain the compiled .wasm and in their fetch and hash. It
// ties together the argument checks (checks.js), the manifest and routing (manifest.js), the
// caches (caches.js), loading (loading.js) and the model registry (registry.js). Every formula
// (forecast, intervals, direction, risk) is the C++ core's.
import { StockcastError, abortedError, coreError, invalid } from './errors.js';
import { checkOptions, checkRequest, checkSignal, checkSymbol, isObj, normalizeHistory } from './checks.js';
import { horizonOf, indexManifest, levelOf } from './manifest.js';
import { PredictionCache, PromiseCache, compileCache } from './caches.js';
import { loadJson, loadModel, verifiedBytes } from './loading.js';
import { anySignal, createGate, parseJson, realClock, throwIfAborted, waitFor } from './net.js';
import { HistorySources, checkSources, percentiles } from './sources.js';
import { ModelHandle, Registry, now } from './registry.js';
import { LSTM, ensureKindMetrics, heldOutOf, kindMetrics, kindOf, kindsInfo, kindsOf } from './kinds.js';

// Errors of a stock-specific model's download or file after which the general model serves.
const FALLBACK_CODES = ['fetch_failed', 'integrity_error', 'format_error'];
const PAST_MONTH_DAYS = 21; // trading days in pastMonthReturn
const OP_WINDOW = 1024; // latencies kept per operation for stats().operations percentiles

export class Stockcast {
  #M;
  #o;
  #getRisk;
  #getFactors;
  #factorApi = null; // factors.js once imported
  #factorModels = new Map(); // factor model name -> promise of {handle, …} (factors.js)
  #factorLatency = new Map(); // model kind -> ring of the last 1,024 latencies (ms)
  #getTrain;
  #getEnsemble;
  #ensembleApi = null; // ensemble.js once imported
  #ensembleM = null; // the ensemble module once instantiated
  // The modules loaded on first use (risk engine, factor models, trainer): one promise each, a
  // failure forgotten so the next call retries.
  #onDemand = compileCache();
  // Fine-tuned models (fineTune): SYMBOL -> {symbol, spec, history, metrics}. They join the
  // routing table's columns as stock-specific entries (#routesOf), so the core's one rule routes
  // them like any shipped stock; their spec carries the bytes (`data`), never a URL.
  #user = new Map();
  #userSpecs = new Map(); // spec key -> spec
  #userVersion = 0;
  #routesUser = -1;
  #userRestored = null; // Promise: fine-tuned models read back from the store (once)
  #registry;
  #index = null; // Promise of the indexed manifest
  #indexed = null; // the indexed manifest once loaded (for synchronous lookups)
  #indexedBy = undefined; // the #index promise #indexed came from
  #routes = null; // the core's routing table (RouteTable), filled from #routesFor's columns
  #routesFor = null;
  // The core's answers memoised (each is a pure function of its key; an Embind call with strings
  // in and out costs microseconds, a prediction ~150 µs): routes for #routesFor, served types.
  #routed = new Map();
  #served = new Map();
  #histories; // symbol -> promise of a normalized history
  #sources = null; // HistorySources, made on first use
  #manifestAt = null; // clock time the manifest in use was fetched
  #clock;
  #predictions;
  #stats;
  #net;
  #disposed = false;
  #life = new AbortController();
  #base; // the instance signal combined with dispose(), built once

  // Use Stockcast.create: the instance exists while its module loads, so the manifest can be
  // fetched meanwhile.
  constructor(o, getRisk, getFactors, getTrain, getEnsemble) {
    this.#o = o;
    this.#getEnsemble = getEnsemble;
    this.#getRisk = getRisk;
    this.#getFactors = getFactors;
    this.#getTrain = getTrain;
    this.#base = anySignal([o.signal, this.#life.signal]).signal;
    this.#clock = o.clock || realClock;
    this.#histories = new PromiseCache(o.historyTtl);
    this.#predictions = new PredictionCache(o.ttl);
    this.#stats = {
      predictions: 0, cacheHits: 0, cacheMisses: 0,
      models: { hits: 0, misses: 0, loads: 0, loadFailures: 0, evictions: 0, loadTimeMs: 0, lastLoadMs: 0, storeHits: 0 },
      latency: new Map(),
      operations: new Map(), // operation -> {count, failures, recent ms (ring of OP_WINDOW)}
      failures: new Map(), // symbol -> {code: count}
    };
    this.#net = { fetch: o.fetch, gate: o.gate, retries: o.retries, retryDelayMs: o.retryDelayMs, stats: { requests: 0, retries: 0, bytes: 0 }, emit: (e) => this.#emit(e) };
    const loading = { store: o.store, sha256: o.sha256, net: this.#net, onProgress: o.onProgress, stats: this.#stats.models, kernel: o.kernel };
    this.#registry = new Registry({
      maxCount: o.cacheSize, maxBytes: o.maxBytes, stats: this.#stats.models, emit: (e) => this.#emit(e),
      // A network file of another kind (the Transformer) is parsed by the ensemble module's
      // LoadedModel (spec.module 'ensemble'): stockcast.wasm serves the LSTM networks only.
      load: async (spec, signal) => {
        const M = spec.module === 'ensemble' ? await waitFor(this.#ensembleModule(), signal) : this.#M;
        return spec.data ? { handle: new ModelHandle(M, spec.data, true, o.kernel), bytes: spec.data.length } : loadModel(spec, signal, { ...loading, Module: M });
      },
    });
    if (o.historySources) this.#historySources(); // a source URL that cannot resolve fails createStockcast
  }

  // The manifest is fetched while the .wasm downloads and compiles: every call needs it first,
  // and the two downloads are independent (import → first prediction is one round trip shorter).
  static async create(getModule, o, getRisk, getFactors, getTrain, getEnsemble) {
    const sc = new Stockcast(o, getRisk, getFactors, getTrain, getEnsemble);
    if (o.base) sc.#manifest().catch(() => {}); // a failure is not remembered: the call that needs it retries
    try {
      sc.#M = await getModule(o);
      if (!sc.#M.kernelNames.includes(o.kernel)) throw invalid('kernel', 'unknown_kernel', `expected one of ${sc.#M.kernelNames.join(', ')}, got ${JSON.stringify(o.kernel)}`);
      sc.#routes = new sc.#M.RouteTable();
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

  #json(url, signal) {
    return loadJson(url, signal, { store: this.#o.store, net: this.#net });
  }

  // The kind-metrics file (kinds.js ensureKindMetrics), verified against the manifest's SHA-256.
  async #kindMetrics(idx, signal) {
    const p = ensureKindMetrics(idx, async (spec) => {
      const { bytes } = await verifiedBytes(spec, this.#base, { store: this.#o.store, sha256: this.#o.sha256, net: this.#net });
      return parseJson(bytes, spec.url);
    });
    if (p) await waitFor(p, signal);
  }

  #manifest(signal) {
    if (!this.#index) {
      const url = this.#url('manifest.json');
      const p = this.#json(url, this.#base).then(async (m) => {
        this.#manifestAt = this.#clock.now();
        const idx = indexManifest(m, this.#o.base);
        // The general model serves every stock without its own: resident, outside cacheSize.
        if (idx.general) this.#registry.pin(idx.general.key);
        await this.#restoreUser(idx);
        this.#indexedBy = p;
        return (this.#indexed = idx);
      });
      this.#index = p;
      p.catch(() => {
        if (this.#index === p) this.#index = null; // a failure is not remembered
      });
    }
    // Already indexed: no abort listener added and removed on every call (~5 µs of a Chromium predict()).
    if (this.#indexedBy === this.#index) return signal && signal.aborted ? Promise.reject(abortedError(signal)) : Promise.resolve(this.#indexed);
    return waitFor(this.#index, signal);
  }

  // Structured events for createStockcast({ onEvent }); a throwing listener is ignored.
  #emit(event) {
    if (!this.#o.onEvent) return;
    try {
      this.#o.onEvent({ ...event, time: this.#clock.now() });
    } catch {
      // the listener's own problem
    }
  }

  // The history sources (sources.js): createStockcast({ historySources }), or baseUrl + history/.
  #historySources() {
    if (!this.#sources) {
      const specs = this.#o.historySources || [{ url: this.#url('history/'), name: 'history/' }];
      this.#sources = new HistorySources(specs, {
        net: this.#net, store: this.#o.store, clock: this.#clock, base: this.#o.base,
        breaker: this.#o.breaker, timeoutMs: this.#o.sourceTimeoutMs, emit: (e) => this.#emit(e),
      });
    }
    return this.#sources;
  }

  // A stale history (every source failed; the store's last good copy) is not kept: the next call
  // asks the sources again.
  #history(symbol, signal) {
    const u = this.#user.get(symbol); // a fine-tuned model's own series
    if (u) return waitFor(Promise.resolve(u.history), signal);
    const hit = this.#histories.fresh(symbol);
    if (hit) return waitFor(hit.promise, signal);
    let sources;
    try {
      sources = this.#historySources();
    } catch (e) {
      return Promise.reject(e);
    }
    const entry = this.#histories.set(symbol, sources.load(symbol, this.#base));
    entry.promise.then((h) => {
      if (h.stale) {
        if (this.#histories.fresh(symbol) === entry) this.#histories.delete(symbol);
      } else if (h.ttlMs !== undefined) entry.ttlMs = h.ttlMs; // the serving source's own lifetime
    }, () => {});
    return waitFor(entry.promise, signal);
  }

  // The core's routing table, holding the columns of `idx` (refilled in place for a newer index,
  // so nothing that still holds an older index meets a deleted object).
  #routesOf(idx) {
    if (this.#routesFor !== idx || this.#routesUser !== this.#userVersion) {
      const c = idx.columns;
      const u = [...this.#user.values()];
      const col = (a, f) => (u.length ? a.concat(u.map(f)) : a);
      this.#routes.reset(col(c.symbols, (e) => e.symbol), col(c.files, (e) => e.spec.key), col(c.modelTypes, () => 'stock_specific'),
        col(c.fallbackFiles, () => ''), c.generalFile);
      this.#routesFor = idx;
      this.#routesUser = this.#userVersion;
      this.#routed.clear();
    }
    return this.#routes;
  }

  // Which model serves `symbol` (the core's one rule, routing.hpp): {spec, modelType, fallback}.
  #route(symbol, idx, hasHistory) {
    const routes = this.#routesOf(idx);
    const key = `${hasHistory ? 1 : 0}${symbol}`;
    let route = this.#routed.get(key);
    if (!route) {
      const r = routes.route(symbol, hasHistory);
      if (!r.ok) throw coreError(r, { symbol, availableStocks: [...idx.stocks.keys()], suggestion: routes.closest(symbol) });
      route = {
        spec: idx.specs.get(r.file) || this.#userSpecs.get(r.file),
        modelType: r.modelType,
        fallback: r.fallbackFile ? { spec: idx.specs.get(r.fallbackFile), modelType: 'general' } : null,
      };
      this.#routed.set(key, route);
    }
    return route;
  }

  // The model of `served` (kinds.js) for `symbol`: the routed LSTM, or another network kind's one
  // file. The routing rule still decides whether the symbol may be served at all (a symbol the
  // manifest lacks needs its history) and whether it is known ('general') or not ('general_unseen').
  #routeKind(served, symbol, idx, hasHistory) {
    const r = this.#route(symbol, idx, hasHistory);
    if (!served || served.by === 'routed') return r;
    return { spec: served.spec, kind: served.kind, modelType: r.modelType === 'general_unseen' ? 'general_unseen' : 'general', fallback: null };
  }

  // The model type a loaded model serves a routed symbol as, and its confidence (the core's rules).
  #servedAs(routedType, general, id) {
    const key = `${routedType}|${general}|${id}`;
    let s = this.#served.get(key);
    if (!s) {
      const modelType = this.#M.servedModelType(routedType, general, id);
      this.#served.set(key, (s = { modelType, confidence: this.#M.confidenceOf(modelType) }));
    }
    return s;
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

  // The embedding row of `symbol` in a general model (-1: none, or not a general model) and the
  // model type it is served as (the core's rule). Another network kind (a Transformer) counts as
  // general when its header lists stocks (an embedding).
  #stockId(route, handle, symbol) {
    const general = route.kind ? handle.stocks.size > 0 : handle.summary.kind === 'general';
    const id = general ? handle.stocks.get(symbol) ?? -1 : -1;
    return { id, ...this.#servedAs(route.modelType, general, id) };
  }

  #build({ symbol, route, modelType, confidence, handle, spec, forecast, hz, hist, idx }) {
    const h = forecast.horizons.find((x) => x.horizon === hz.days);
    if (!h) throw invalid('horizon', 'not_served', `the model ${spec.key} has no ${hz.name} output`);
    const kind = route.kind || LSTM;
    const warnings = [];
    if (route.fallbackFrom)
      warnings.push(`the stock-specific model ${route.fallbackFrom.file} is unavailable (${route.fallbackFrom.code}); served by the general model`);
    if (modelType === 'general_unseen') warnings.push(`${symbol} was never seen in training: general model with a neutral stock embedding`);
    return this.#answer({
      symbol, kind, hz, hist, idx, lastClose: forecast.lastClose, h, warnings, modelType, confidence,
      measured: modelType !== 'general_unseen' && !route.fallbackFrom,
      modelVersion: `${handle.summary.name || spec.key}@${handle.summary.version}${spec.sha256 ? `/${spec.sha256.slice(0, 12)}` : ''}`,
      modelFile: spec.key,
      trainedAt: handle.summary.trained_at || idx.manifest.training_date || null,
    });
  }

  // A prediction from one horizon's forecast `h` (the core's HorizonForecast fields) of model kind
  // `kind`; heldOut: the manifest's test-year metrics of that kind for the stock, when `measured`.
  #answer({ symbol, kind, hz, hist, idx, lastClose, h, warnings, modelType, confidence, measured, modelVersion, modelFile, trainedAt }) {
    const stock = idx.stocks.get(symbol);
    const per = measured ? kindMetrics(stock, kind, idx) : null;
    const generated = Date.now();
    return {
      symbol,
      name: stock ? stock.name : null,
      sector: stock ? stock.sector : null,
      horizon: hz.name,
      horizonDays: hz.days,
      currentPrice: lastClose,
      predictedPrice: h.price,
      interval: { lower: h.lower, upper: h.upper, level: h.level },
      expectedReturn: h.expectedReturn,
      logReturn: h.logReturn,
      direction: h.direction,
      probabilities: { bearish: h.pBearish, neutral: h.pNeutral, bullish: h.pBullish },
      heldOut: per ? heldOutOf(per[hz.name], idx.testPeriod) : null,
      model: kind,
      modelType,
      confidence,
      modelVersion,
      modelFile,
      trainedAt,
      dataDate: hist.dataDate,
      stale: !!hist.stale,
      dataSource: hist.source ?? null,
      historyLength: hist.closes.length,
      confidenceScore: h.confidenceScore,
      generatedAt: new Date(generated).toISOString(),
      expiresAt: Number.isFinite(this.#o.ttl) ? new Date(generated + this.#o.ttl).toISOString() : null, // null: never (ttl Infinity)
      explanation: '',
      latencyMs: 0,
      cached: false,
      warnings,
    };
  }

  #failed(symbol, code) {
    let f = this.#stats.failures.get(symbol);
    if (!f) this.#stats.failures.set(symbol, (f = {}));
    f[code] = (f[code] || 0) + 1;
  }

  // Latency of one public call (its whole duration), for stats().operations.
  #op(name, t0, ok) {
    let o = this.#stats.operations.get(name);
    if (!o) this.#stats.operations.set(name, (o = { count: 0, failures: 0, recent: [] }));
    if (!ok) o.failures++;
    o.recent[o.count++ % OP_WINDOW] = now() - t0; // a ring of the last OP_WINDOW
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
    if (this.#o.onEvent) this.#emit({ type: 'prediction', symbol, ms });
  }

  #fromCache(v, t0) {
    this.#stats.cacheHits++;
    v.cached = true;
    v.latencyMs = now() - t0;
    this.#record(v.symbol, v.latencyMs);
    return v;
  }

  // Failures of items go to results[i] (and the stats); an abort or dispose() is rethrown.
  #failer(results) {
    return (i, symbol, e) => {
      if (this.#disposed || (e instanceof StockcastError && e.code === 'aborted')) this.#rethrow(e);
      results[i] = { symbol, ok: false, error: e instanceof StockcastError ? e : new StockcastError('internal_error', String(e && e.message), { cause: e }) };
      this.#failed(symbol, results[i].error.code);
    };
  }

  // One network call of a resident model for `items` ({i, sym, hist, keys}) it serves: each success
  // results[i] = {symbol, ok, predictions (one per horizon of hzs)}, latency from `t`; #batch and predictSync.
  #compute(handle, route, items, hzs, lvl, idx, t, results, fail) {
    try {
      const ids = items.map((it) => this.#stockId(route, handle, it.sym));
      const needsVolume = (handle.summary.input.features || []).some((f) => f.includes('volume'));
      const total = items.reduce((a, it) => a + it.hist.closes.length, 0);
      const closes = new Float64Array(total);
      const volumes = needsVolume ? new Float64Array(total) : null;
      const offsets = new Int32Array(items.length + 1);
      items.forEach((it, j) => {
        closes.set(it.hist.closes, offsets[j]);
        if (volumes) volumes.set(it.hist.volumes || new Float64Array(it.hist.closes.length).fill(NaN), offsets[j]);
        offsets[j + 1] = offsets[j] + it.hist.closes.length;
      });
      const r = handle.predictBatch(closes, volumes, offsets, Int32Array.from(ids, (x) => x.id), lvl);
      if (!r.ok) throw coreError(r);
      const ms = now() - t;
      items.forEach((it, j) => {
        const f = r.results[j];
        if (!f.ok) return fail(it.i, it.sym, coreError(f, { symbol: it.sym }));
        try {
          const predictions = hzs.map((hz, k) => {
            const v = this.#build({ symbol: it.sym, route, modelType: ids[j].modelType, confidence: ids[j].confidence, handle, spec: route.spec, forecast: f, hz, hist: it.hist, idx });
            v.explanation = explain(v);
            v.latencyMs = ms;
            this.#predictions.put(it.keys[k], it.sym, v);
            return v;
          });
          this.#record(it.sym, ms);
          results[it.i] = { symbol: it.sym, ok: true, predictions };
        } catch (e) {
          fail(it.i, it.sym, e);
        }
      });
    } catch (e) {
      for (const it of items) if (!results[it.i]) fail(it.i, it.sym, e);
    }
  }

  // Forecasts of many items ({symbol, history (normalized) or null} or {symbol, error}): one
  // network call per model file for all the symbols it serves, results in input order, a failure
  // affecting only its own item. A model whose history must still be downloaded is requested at
  // once, alongside the download (a first prediction waits one round trip less). Each success
  // holds one prediction per horizon of `hzs`, all from the same network output. predict() and
  // predictHorizons() are batches of one; `single` makes their latency the whole call's.
  async #batch(items, hzs, lvl, idx, sig, t0, single = false) {
    const n = items.length;
    const results = new Array(n);
    const fail = this.#failer(results);
    const groups = new Map();
    const early = new Map(); // model key -> acquisition started while histories download
    let modelCalls = 0;
    try {
      await Promise.all(items.map(async (item, i) => {
        const sym = item.symbol;
        try {
          if (item.error) throw item.error;
          const route = this.#routeKind(item.kind, sym, idx, !!item.history);
          let hist = item.history;
          if (!hist) {
            const resident = this.#histories.fresh(sym);
            if ((!resident || !resident.loaded) && !early.has(route.spec.key)) {
              const p = this.#acquire(route, sig);
              p.catch(() => {}); // its failure surfaces when the group awaits it (or not at all)
              early.set(route.spec.key, p);
            }
            hist = await this.#history(sym, sig);
          }
          const keys = hzs.map((hz) => this.#predictions.key(sym, hz, lvl, hist, route.kind || LSTM));
          const cached = keys.map((key) => this.#predictions.get(key));
          if (cached.every(Boolean)) {
            results[i] = { symbol: sym, ok: true, predictions: cached.map((v) => this.#fromCache(v, t0)) };
            return;
          }
          this.#stats.cacheMisses++;
          let g = groups.get(route.spec.key);
          if (!g) groups.set(route.spec.key, (g = { route, items: [] }));
          g.items.push({ i, sym, hist, keys });
        } catch (e) {
          fail(i, sym, e);
        }
      }));
      await Promise.all([...groups.values()].map(async (g) => {
        let acquired;
        try {
          const started = early.get(g.route.spec.key);
          early.delete(g.route.spec.key);
          acquired = await (started || this.#acquire(g.route, sig));
        } catch (e) {
          for (const it of g.items) fail(it.i, it.sym, e);
          return;
        }
        const { entry, route } = acquired;
        try {
          this.#alive();
          modelCalls++;
          this.#compute(entry.handle, route, g.items, hzs, lvl, idx, single ? t0 : now(), results, fail);
        } catch (e) {
          for (const it of g.items) if (!results[it.i]) fail(it.i, it.sym, e);
        } finally {
          this.#registry.release(entry);
        }
      }));
    } finally {
      // Models requested early but not used (their histories failed, or the answers were cached).
      for (const p of early.values()) p.then(({ entry }) => this.#registry.release(entry), () => {});
    }
    const successful = results.filter((r) => r.ok).length;
    return { results, summary: { total: n, successful, failed: n - successful, totalTimeMs: now() - t0, modelCalls } };
  }

  // The answer of predictBatch / predictSector: one prediction (at `hz`) or error per item.
  static #batchAnswer(hz, level, { results, summary }) {
    return {
      horizon: hz.name,
      level,
      results: results.map((r) => (r.ok ? { symbol: r.symbol, ok: true, prediction: r.predictions[0] } : r)),
      summary,
    };
  }

  // The risk engine module, instantiated once on first use.
  #riskModule() {
    if (!this.#getRisk) return Promise.reject(new StockcastError('unsupported', 'no risk engine available', { detail: 'no_risk_engine' }));
    return this.#onDemand('risk', () => Promise.resolve().then(() => this.#getRisk(this.#o)));
  }

  // risk() and optimizePortfolio() live in risk.js, loaded on their first call (like the risk
  // .wasm), so a page that only predicts downloads neither.
  async #riskApi(name, req) {
    this.#alive();
    const t0 = now();
    const r = checkRequest(req, name);
    let failed = false;
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
      failed = true;
      this.#rethrow(e);
    } finally {
      release();
      this.#op(name, t0, !failed);
    }
  }

  // RSI, MACD and volume trend of a symbol's history (or the caller's rows), by the risk engine
  // (loaded on first use); the symbol's cached risk report when there is one.
  async #indicators(symbol, history, signal) {
    const api = await import('./risk.js');
    return api.indicatorsOf(this.#riskContext, symbol, history, signal);
  }

  // The ensemble and its members (ensemble.js, loaded on first use with its .wasm). The routing
  // rule decides whether the symbol may be served (an unknown one needs its history) and the model
  // type, as for the other network kinds.
  async #ensemble(served, symbol, history, raw, hzs, level, idx, sig, t0) {
    const r = this.#route(symbol, idx, !!history);
    const modelType = r.modelType === 'general_unseen' ? 'general_unseen' : 'general';
    const route = { modelType, confidence: this.#M.confidenceOf(modelType) };
    if (!this.#ensembleApi) {
      try {
        this.#ensembleApi = await import('./ensemble.js');
      } catch (e) {
        throw new StockcastError('fetch_failed', `could not load the ensemble API (ensemble.js): ${e && e.message}`, { status: 0, attempts: 1, cause: e });
      }
    }
    const out = await this.#ensembleApi.predictEnsemble(this.#ensembleContext(idx, t0), { served, symbol, history, raw, hzs, level, idx, route }, sig);
    return out;
  }

  #ensembleModule() {
    if (!this.#getEnsemble) return Promise.reject(new StockcastError('unsupported', 'no ensemble module available', { detail: 'no_ensemble' }));
    return this.#onDemand('ensemble', () => Promise.resolve().then(() => this.#getEnsemble(this.#o)).then((M) => (this.#ensembleM = M)));
  }

  // What ensemble.js may use of this instance, for one call (t0: its start); `state` is
  // ensemble.js's own, kept across calls (resident Ensembles, member files).
  #ensembleState = {};
  #ensembleContext(idx, t0) {
    return {
      state: this.#ensembleState,
      engine: (signal) => waitFor(this.#ensembleModule(), signal),
      url: (file) => this.#url(file),
      bytes: async (spec, signal) => (await verifiedBytes(spec, signal, { store: this.#o.store, sha256: this.#o.sha256, net: this.#net })).bytes,
      // A network member: the routed LSTM (file null) or one file, with the stock's embedding row,
      // read from the model as the registry holds it (parsed from these bytes when not resident).
      network: async (file, symbol, hasHistory, signal, bytesOf) => {
        const route = file === null ? this.#route(symbol, idx, hasHistory)
          : { spec: { ...(idx.specs.get(file) || { key: file, url: this.#url(file), sha256: null }), module: 'ensemble' }, kind: 'network', modelType: 'general' };
        const bytes = await bytesOf(route.spec);
        const entry = await this.#registry.acquire({ ...route.spec, data: bytes }, signal);
        try {
          return { key: route.spec.key, bytes, stockId: this.#stockId(route, entry.handle, symbol).id };
        } finally {
          this.#registry.release(entry);
        }
      },
      historyRows: (symbol, signal) => this.#historyRows(symbol, signal),
      history: (symbol, signal) => this.#history(symbol, signal),
      normalize: (rows) => normalizeHistory(rows),
      answer: (a) => this.#answer(a),
      explain: (p) => explain(p),
      alive: () => this.#alive(),
      cache: {
        key: (symbol, hz, level, hist, kind) => this.#predictions.key(symbol, hz, level, hist, kind),
        get: (key) => this.#predictions.get(key),
        hit: (v) => this.#fromCache(v, t0),
        put: (key, symbol, v) => {
          v.latencyMs = now() - t0;
          this.#record(symbol, v.latencyMs);
          this.#predictions.put(key, symbol, v);
        },
      },
    };
  }

  // The shipped history file's rows (baseUrl/history/SYMBOL.json: with each day's low and high,
  // which the classical learners read), cached like histories.
  #historyRows(symbol, signal) {
    const key = `rows:${symbol}`;
    const hit = this.#histories.fresh(key);
    if (hit) return waitFor(hit.promise, signal);
    const entry = this.#histories.set(key, this.#json(this.#url(`history/${encodeURIComponent(symbol)}.json`), this.#base)
      .then((doc) => (Array.isArray(doc) ? doc : doc && doc.rows)));
    return waitFor(entry.promise, signal);
  }

  // What risk.js may use of this instance.
  #riskContext = {
    history: (symbol, signal) => this.#history(symbol, signal),
    json: (p, signal) => this.#json(this.#url(p), signal),
    hasBase: () => !!this.#o.base,
    engine: (signal) => waitFor(this.#riskModule(), signal),
    alive: () => this.#alive(),
    reports: new Map(), // symbol|data date -> {report, expires}: risk reports for RISK_TTL_MS
    now: () => Date.now(),
  };

  // The factor module, instantiated once on first use.
  #factorModule() {
    if (!this.#getFactors) return Promise.reject(new StockcastError('unsupported', 'no factor models available', { detail: 'no_factor_models' }));
    return this.#onDemand('factors', () => Promise.resolve().then(() => this.#getFactors(this.#o)));
  }

  // What factors.js may use of this instance.
  #factorContext = {
    manifest: async (signal) => (await this.#manifest(signal)).manifest,
    url: (file) => this.#url(file),
    net: () => this.#net, // (field initialisers run before the constructor sets #net)
    store: () => this.#o.store,
    sha256: (bytes) => this.#o.sha256(bytes),
    engine: (signal) => waitFor(this.#factorModule(), signal),
    // The factor features need each day's low and high, which only the shipped history files
    // (baseUrl/history/) carry: read them there, not through historySources.
    historyRows: async (symbol, signal) => {
      const doc = await this.#json(this.#url(`history/${encodeURIComponent(symbol)}.json`), signal);
      return Array.isArray(doc) ? doc : doc && doc.rows;
    },
    loaded: (name, load) => {
      let p = this.#factorModels.get(name);
      if (!p) {
        p = load();
        this.#factorModels.set(name, p);
        p.catch(() => {
          if (this.#factorModels.get(name) === p) this.#factorModels.delete(name);
        });
      }
      return p;
    },
    record: (kind, ms) => {
      let r = this.#factorLatency.get(kind);
      if (!r) this.#factorLatency.set(kind, (r = { samples: new Float64Array(1024), next: 0, count: 0 }));
      r.samples[r.next] = ms;
      r.next = (r.next + 1) & 1023;
      r.count++;
    },
  };

  async #factorCall(name, req, checkReq) {
    this.#alive();
    const t0 = now();
    const r = checkReq ? checkRequest(req, name) : req || {};
    const { signal: sig, release } = this.#signal(r.signal);
    try {
      if (!this.#factorApi) {
        try {
          this.#factorApi = await import('./factors.js');
        } catch (e) {
          throw new StockcastError('fetch_failed', `could not load the factor API (factors.js): ${e && e.message}`, { status: 0, attempts: 1, cause: e });
        }
      }
      return name === 'models' ? await this.#factorApi.models(this.#factorContext, sig) : await this.#factorApi.predictFactors(this.#factorContext, r, sig, t0);
    } catch (e) {
      this.#rethrow(e);
    } finally {
      release();
    }
  }

  // ---------------------------------------------------------------- public API

  /** A factor model's prediction from raw or named features, a symbol's prices or a history (factors.js). */
  predictFactors(req) {
    return this.#factorCall('predictFactors', req, true);
  }

  /** Every factor model in the manifest: kind, target, features with ranges, metrics. */
  models({ signal } = {}) {
    return this.#factorCall('models', { signal }, false);
  }

  // Fine-tuned models persisted by an earlier instance with the same store (fineTune):
  // 'user-models' lists the names, 'user:NAME' holds {symbol, sha256, metrics, dates, closes,
  // volumes}, and the model file is stored under its SHA-256 like any model file.
  #restoreUser(idx) {
    const store = this.#o.store;
    if (!store) return Promise.resolve();
    return (this.#userRestored ||= (async () => {
      try {
        const list = await store.get('user-models');
        if (!list) return;
        for (const name of JSON.parse(new TextDecoder().decode(list))) {
          if (this.#user.has(name) || idx.stocks.has(name)) continue;
          const doc = await store.get(`user:${name}`);
          if (!doc) continue;
          const d = JSON.parse(new TextDecoder().decode(doc));
          const bytes = await store.get(d.sha256);
          if (!bytes || (await this.#o.sha256(bytes)) !== d.sha256) continue;
          const history = { closes: Float64Array.from(d.closes), volumes: d.volumes ? Float64Array.from(d.volumes) : null, dates: d.dates,
            dataDate: d.dates[d.dates.length - 1] };
          this.#addUser({ symbol: name, bytes: new Uint8Array(bytes), sha256: d.sha256, history, metrics: d.metrics });
        }
      } catch {
        // a damaged store entry is skipped: the shipped models still serve
      }
    })());
  }

  #addUser({ symbol, bytes, sha256, history, metrics }) {
    const old = this.#user.get(symbol);
    if (old) {
      this.#userSpecs.delete(old.spec.key);
      this.#registry.clear([old.spec.key]);
    }
    const spec = { key: `user/${symbol}@${sha256.slice(0, 12)}.stkm`, url: null, sha256, bytes: bytes.length, data: bytes };
    this.#user.set(symbol, { symbol, spec, history, metrics });
    this.#userSpecs.set(spec.key, spec);
    this.#userVersion++;
    this.#routed.clear();
    this.#predictions.deleteSymbol(symbol);
  }

  // Persists first (store, when the instance has one), then registers: a failure leaves both as before.
  async #registerUser(entry) {
    const store = this.#o.store;
    if (store) {
      const enc = (x) => new TextEncoder().encode(JSON.stringify(x));
      const h = entry.history;
      const listBytes = await store.get('user-models').catch(() => undefined);
      const list = listBytes ? JSON.parse(new TextDecoder().decode(listBytes)) : [];
      await store.put(entry.sha256, entry.bytes);
      await store.put(`user:${entry.symbol}`, enc({ symbol: entry.symbol, sha256: entry.sha256, metrics: entry.metrics, dates: h.dates,
        closes: Array.from(h.closes), volumes: h.volumes ? Array.from(h.volumes) : null }));
      if (!list.includes(entry.symbol)) await store.put('user-models', enc([...list, entry.symbol]));
    }
    this.#addUser(entry);
  }

  // The bytes of a shipped model file (the base of a fine-tune): the store's copy when its SHA-256
  // matches the manifest's, else downloaded and checked.
  async #modelBytes(spec, signal) {
    return (await verifiedBytes(spec, signal, { store: this.#o.store, sha256: this.#o.sha256, net: this.#net })).bytes;
  }

  #trainModule() {
    if (!this.#getTrain) return Promise.reject(new StockcastError('unsupported', 'no trainer available', { detail: 'no_trainer' }));
    return this.#onDemand('train', () => Promise.resolve().then(() => this.#getTrain(this.#o)));
  }

  #trainContext = {
    manifest: (signal) => this.#manifest(signal),
    baseBytes: (spec, signal) => this.#modelBytes(spec, signal),
    engine: (signal) => waitFor(this.#trainModule(), signal),
    register: (entry) => this.#registerUser(entry),
    alive: () => this.#alive(),
    sha256: (bytes) => this.#o.sha256(bytes),
  };

  /** Fine-tunes the general model on the caller's series (finetune.js, loaded on the first call). */
  async fineTune(req) {
    this.#alive();
    const t0 = now();
    const r = checkRequest(req, 'fineTune');
    const { signal: sig, release } = this.#signal(r.signal);
    try {
      let api;
      try {
        api = await import('./finetune.js');
      } catch (e) {
        throw new StockcastError('fetch_failed', `could not load the fine-tuning API (finetune.js): ${e && e.message}`, { status: 0, attempts: 1, cause: e });
      }
      return await api.fineTune(this.#trainContext, r, sig, t0);
    } catch (e) {
      this.#rethrow(e);
    } finally {
      release();
    }
  }

  /** The fine-tuned models of this instance (and of its store): [{name, file, sha256, bytes, metrics}]. */
  async userModels({ signal } = {}) {
    this.#alive();
    try {
      await this.#manifest(signal);
    } catch (e) {
      this.#rethrow(e);
    }
    return [...this.#user.values()].map((u) => ({ name: u.symbol, file: u.spec.key, sha256: u.spec.sha256, bytes: u.spec.data, metrics: u.metrics }));
  }

  async available({ signal } = {}) {
    this.#alive();
    try {
      const idx = await this.#manifest(signal);
      const m = idx.manifest;
      const stocks = [...idx.stocks.values()].map((s) => ({ symbol: s.symbol.toUpperCase(), name: s.name ?? null, sector: s.sector ?? null, modelType: s.model_type }));
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

  async modelInfo(symbol, options = {}) {
    this.#alive();
    const sym = checkSymbol(symbol);
    const { signal, load } = checkRequest(options, 'modelInfo');
    if (load !== undefined && typeof load !== 'boolean') throw invalid('load', 'wrong_type', 'expected true or false');
    try {
      const idx = await this.#manifest(signal);
      await this.#kindMetrics(idx, signal);
      const s = idx.stocks.get(sym);
      const u = this.#user.get(sym);
      if (u) {
        return { symbol: sym, name: sym, sector: null, status: 'fine_tuned', modelType: 'stock_specific',
          confidence: this.#M.confidenceOf('stock_specific'), file: u.spec.key, url: null, bytes: u.spec.bytes, sha256: u.spec.sha256,
          fallbackFile: null, testMetrics: null, validation: u.metrics, loaded: this.#registry.has(u.spec.key), models: kindsInfo(idx, null, u.spec.key) };
      }
      if (!s)
        return { symbol: sym, status: 'not_trained', modelType: idx.general ? 'general_unseen' : null, needsHistory: true,
          suggestion: this.#routesOf(idx).closest(sym), loaded: false, models: kindsInfo(idx, null, idx.general ? idx.general.key : null) };
      const r = this.#route(sym, idx, false);
      if (load && !this.#registry.has(r.spec.key)) {
        const { signal: sig, release } = this.#signal(signal);
        try {
          const { entry } = await this.#acquire(r, sig);
          this.#registry.release(entry);
        } finally {
          release();
        }
      }
      const resident = this.#registry.peek(r.spec.key);
      return {
        symbol: sym,
        name: s.name ?? null,
        sector: s.sector ?? null,
        status: r.modelType === 'stock_specific' ? 'trained' : 'general',
        modelType: r.modelType,
        confidence: this.#M.confidenceOf(r.modelType),
        file: r.spec.key,
        url: r.spec.url,
        bytes: r.spec.bytes ?? null,
        sha256: r.spec.sha256,
        fallbackFile: r.fallback ? r.fallback.spec.key : null,
        testMetrics: s.test_metrics ?? null,
        // Every model kind predict({ model }) serves, with its test-year metrics for this stock.
        models: kindsInfo(idx, s, r.spec.key),
        loaded: !!resident,
        // From the model file's header once it is resident (modelInfo(symbol, { load: true })
        // loads it); the manifest's training date otherwise.
        version: resident ? resident.handle.summary.version ?? null : null,
        modelVersion: resident ? `${resident.handle.summary.name || r.spec.key}@${resident.handle.summary.version}${r.spec.sha256 ? `/${r.spec.sha256.slice(0, 12)}` : ''}` : null,
        trainedAt: (resident && resident.handle.summary.trained_at) || idx.manifest.training_date || null,
      };
    } catch (e) {
      this.#rethrow(e);
    }
  }

  // One symbol's predictions by one model kind (kinds.js) at the horizons `hzs`: a network kind is
  // a batch of one; an ensemble kind asks the ensemble module (ensemble.js, loaded on first use).
  async #predictKind(served, sym, given, hzs, lvl, idx, sig, t0, raw) {
    if (served.kind !== LSTM) await this.#kindMetrics(idx, sig);
    if (served.by === 'ensemble') {
      try {
        return await this.#ensemble(served, sym, given, raw, hzs, lvl, idx, sig, t0);
      } catch (e) {
        if (e instanceof StockcastError && e.code !== 'aborted' && !this.#disposed) this.#failed(sym, e.code);
        throw e;
      }
    }
    const r = (await this.#batch([{ symbol: sym, history: given, kind: served }], hzs, lvl, idx, sig, t0, true)).results[0];
    if (!r.ok) throw r.error;
    return r.predictions;
  }

  // predict() and predictHorizons(): one symbol, one model kind, at the horizons `horizonsOf(idx)`.
  async #predictOne(req, method, horizonsOf) {
    this.#alive();
    const t0 = now();
    const { symbol, history, level, signal, indicators, model } = checkRequest(req, method);
    const sym = checkSymbol(symbol);
    if (indicators !== undefined && typeof indicators !== 'boolean') throw invalid('indicators', 'wrong_type', 'expected true or false');
    const given = history !== undefined && history !== null ? normalizeHistory(history) : null;
    let failed = false;
    const { signal: sig, release } = this.#signal(signal);
    try {
      const idx = await this.#manifest(sig);
      const predictions = await this.#predictKind(kindOf(model, idx), sym, given, horizonsOf(idx), levelOf(level, this.#o.level, idx), idx, sig, t0, history);
      if (indicators) {
        const found = await this.#indicators(sym, history, sig);
        for (const p of predictions) p.indicators = found;
      }
      return predictions;
    } catch (e) {
      failed = true;
      this.#rethrow(e);
    } finally {
      release();
      this.#op(method, t0, !failed);
    }
  }

  // One symbol at one horizon by several model kinds (all the manifest's when `models` is
  // absent): each kind's answer or error on its own, in request order, and predictBatch's summary.
  async predictModels(req) {
    this.#alive();
    const t0 = now();
    const { symbol, horizon, models, history, level, signal } = checkRequest(req, 'predictModels');
    const sym = checkSymbol(symbol);
    if (models !== undefined && !Array.isArray(models)) throw invalid('models', 'wrong_type', 'expected an array of model kinds');
    if (models && !models.length) throw invalid('models', 'empty', 'expected at least one model kind');
    if (models && models.length > 64) throw invalid('models', 'too_many', 'at most 64 model kinds per call');
    const given = history !== undefined && history !== null ? normalizeHistory(history) : null;
    let failed = false;
    const { signal: sig, release } = this.#signal(signal);
    try {
      const idx = await this.#manifest(sig);
      const hz = horizonOf(horizon, idx);
      const lvl = levelOf(level, this.#o.level, idx);
      const list = models || kindsOf(idx).names;
      const results = await Promise.all(list.map(async (m, i) => {
        const name = typeof m === 'string' ? m : String(m);
        try {
          let served;
          try {
            served = kindOf(m, idx, `models[${i}]`);
          } catch (e) {
            this.#failed(sym, e.code);
            throw e;
          }
          const [prediction] = await this.#predictKind(served, sym, given, [hz], lvl, idx, sig, t0, history);
          return { model: name, ok: true, prediction };
        } catch (e) {
          if (this.#disposed || (e instanceof StockcastError && e.code === 'aborted')) throw e;
          return { model: name, ok: false, error: e instanceof StockcastError ? e : new StockcastError('internal_error', String(e && e.message), { cause: e }) };
        }
      }));
      const successful = results.filter((r) => r.ok).length;
      return { symbol: sym, horizon: hz.name, level: lvl, results, summary: { total: results.length, successful, failed: results.length - successful, totalTimeMs: now() - t0 } };
    } catch (e) {
      failed = true;
      this.#rethrow(e);
    } finally {
      release();
      this.#op('predictModels', t0, !failed);
    }
  }

  async predict(req) {
    return (await this.#predictOne(req, 'predict', (idx) => [horizonOf(req.horizon, idx)]))[0];
  }

  // predict() without a promise, for a symbol whose model is resident and whose history is given
  // (or already loaded): the same answer, cache and stats; nothing is fetched, so anything missing
  // is the error not_ready (a predict() of the symbol loads it). docs/package.md#predictsync.
  predictSync(req) {
    this.#alive();
    const t0 = now();
    const { symbol, history, horizon, level } = checkRequest(req, 'predictSync');
    let failed = false;
    try {
      const sym = checkSymbol(symbol);
      const idx = this.#indexed;
      if (!idx) throw new StockcastError('not_ready', 'the manifest is not loaded yet: await predict() (or available()) once first');
      const hz = horizonOf(horizon, idx);
      const lvl = levelOf(level, this.#o.level, idx);
      const given = history !== undefined && history !== null ? normalizeHistory(history) : null;
      const loaded = given ? null : this.#histories.fresh(sym);
      const hist = given || (loaded && loaded.loaded ? loaded.value : null);
      if (!hist) throw new StockcastError('not_ready', `no history of ${sym} is loaded: pass history, or await predict() once first`);
      const route = this.#route(sym, idx, !!given);
      const entry = this.#registry.peek(route.spec.key);
      if (!entry) throw new StockcastError('not_ready', `the model ${route.spec.key} is not resident: await predict() once first`);
      const keys = [this.#predictions.key(sym, hz, lvl, hist, LSTM)];
      const cached = this.#predictions.get(keys[0]);
      if (cached) return this.#fromCache(cached, t0);
      this.#stats.cacheMisses++;
      const results = [];
      this.#compute(entry.handle, route, [{ i: 0, sym, hist, keys }], [hz], lvl, idx, t0, results, this.#failer(results));
      if (!results[0].ok) throw results[0].error;
      return results[0].predictions[0];
    } catch (e) {
      failed = true;
      this.#rethrow(e);
    } finally {
      this.#op('predictSync', t0, !failed);
    }
  }

  // One prediction per horizon of the manifest (in its order), all from one network call on the
  // same model and history: what a chart of every horizon needs.
  predictHorizons(req) {
    return this.#predictOne(req, 'predictHorizons', (idx) => [...idx.horizons].map(([name, days]) => ({ name, days })));
  }

  async predictBatch(req) {
    this.#alive();
    const t0 = now();
    const { symbols, horizon, level, histories, signal } = checkRequest(req, 'predictBatch');
    if (!Array.isArray(symbols)) throw invalid('symbols', symbols === undefined ? 'required' : 'wrong_type', 'expected an array of ticker symbols');
    if (symbols.length > 10000) throw invalid('symbols', 'too_many', 'at most 10000 symbols per batch');
    if (histories !== undefined && !isObj(histories)) throw invalid('histories', 'wrong_type', 'expected {SYMBOL: history}');
    let failed = false;
    const { signal: sig, release } = this.#signal(signal);
    try {
      const idx = await this.#manifest(sig);
      const hz = horizonOf(horizon, idx);
      const lvl = levelOf(level, this.#o.level, idx);
      // Each item's own argument errors stay with the item.
      const items = symbols.map((raw, i) => {
        try {
          const sym = checkSymbol(raw, `symbols[${i}]`);
          const h = histories && Object.prototype.hasOwnProperty.call(histories, sym) ? histories[sym] : histories && histories[raw];
          return { symbol: sym, history: h !== undefined && h !== null ? normalizeHistory(h, `histories.${sym}`) : null };
        } catch (e) {
          return { symbol: typeof raw === 'string' ? raw : String(raw), error: e };
        }
      });
      return Stockcast.#batchAnswer(hz, lvl, await this.#batch(items, [hz], lvl, idx, sig, t0));
    } catch (e) {
      failed = true;
      this.#rethrow(e);
    } finally {
      release();
      this.#op('predictBatch', t0, !failed);
    }
  }

  async predictSector(req) {
    this.#alive();
    const t0 = now();
    const { sector, horizon, level, signal } = checkRequest(req, 'predictSector');
    if (typeof sector !== 'string' || !sector.trim()) throw invalid('sector', sector === undefined ? 'required' : 'wrong_type', 'expected a sector name');
    let failed = false;
    const { signal: sig, release } = this.#signal(signal);
    try {
      const idx = await this.#manifest(sig);
      const names = Object.keys(idx.sectors);
      const name = names.find((s) => s.toLowerCase() === sector.trim().toLowerCase());
      if (!name) throw Object.assign(invalid('sector', 'unknown_sector', `${JSON.stringify(sector)} is not one of ${names.join(', ')}`), { availableSectors: names });
      const hz = horizonOf(horizon, idx);
      const lvl = levelOf(level, this.#o.level, idx);
      const symbols = idx.sectors[name];
      const out = Stockcast.#batchAnswer(hz, lvl, await this.#batch(symbols.map((symbol) => ({ symbol, history: null })), [hz], lvl, idx, sig, t0));
      const trainedCount = symbols.filter((s) => idx.stocks.get(s) && idx.stocks.get(s).model_type === 'stock_specific').length;
      return { sector: name, trainedCount, totalCount: symbols.length, ...out };
    } catch (e) {
      failed = true;
      this.#rethrow(e);
    } finally {
      release();
      this.#op('predictSector', t0, !failed);
    }
  }

  risk(req) {
    return this.#riskApi('risk', req);
  }

  // Risk reports of many symbols: one result (report or error) per symbol, in order, and the
  // summary shape of predictBatch. Reports are cached 2 hours per symbol and data date.
  riskBatch(req) {
    return this.#riskApi('riskBatch', req);
  }

  // The histories the package uses (the sources, their cache and the stale fallback), as rows.
  async history(req) {
    this.#alive();
    const t0 = now();
    const r = Array.isArray(req) || typeof req === 'string' ? { symbols: req } : checkRequest(req, 'history');
    const list = typeof r.symbols === 'string' ? [r.symbols] : r.symbols;
    if (!Array.isArray(list)) throw invalid('symbols', list === undefined ? 'required' : 'wrong_type', 'expected a symbol or an array of symbols');
    if (list.length > 10000) throw invalid('symbols', 'too_many', 'at most 10000 symbols per call');
    const { signal: sig, release } = this.#signal(r.signal);
    try {
      const results = await Promise.all(list.map(async (raw, i) => {
        let sym = typeof raw === 'string' ? raw : String(raw);
        try {
          sym = checkSymbol(raw, `symbols[${i}]`);
          const h = await this.#history(sym, sig);
          const rows = Array.from(h.closes, (close, k) => {
            const row = { date: h.dates ? h.dates[k] : null, close };
            if (h.volumes) row.volume = h.volumes[k];
            return row;
          });
          return { symbol: sym, ok: true, rows, dataDate: h.dataDate, stale: !!h.stale, dataSource: h.source ?? null };
        } catch (e) {
          if (this.#disposed || (e instanceof StockcastError && e.code === 'aborted')) throw e;
          const error = e instanceof StockcastError ? e : new StockcastError('internal_error', String(e && e.message), { cause: e });
          this.#failed(sym, error.code);
          return { symbol: sym, ok: false, error };
        }
      }));
      const successful = results.filter((x) => x.ok).length;
      return { results, summary: { total: results.length, successful, failed: results.length - successful, totalTimeMs: now() - t0 } };
    } catch (e) {
      this.#rethrow(e);
    } finally {
      release();
    }
  }

  // The simple return over the last 21 trading days (about one calendar month):
  // close[last] / close[last - 21] - 1, computed by the core (pastReturn).
  async pastMonthReturn(symbol, options) {
    this.#alive();
    const t0 = now();
    const sym = checkSymbol(symbol);
    const { signal } = checkRequest(options, 'pastMonthReturn');
    const { signal: sig, release } = this.#signal(signal);
    let failed = false;
    try {
      const h = await this.#history(sym, sig);
      this.#alive();
      const n = h.closes.length;
      const value = this.#M.pastReturn(h.closes, PAST_MONTH_DAYS);
      if (Number.isNaN(value))
        throw new StockcastError('insufficient_history', `pastMonthReturn: requires ${PAST_MONTH_DAYS + 1} closes, provided ${n}`, { required: PAST_MONTH_DAYS + 1, provided: n, symbol: sym });
      const from = n - 1 - PAST_MONTH_DAYS;
      return {
        symbol: sym, days: PAST_MONTH_DAYS, return: value,
        fromDate: h.dates ? h.dates[from] : null, toDate: h.dataDate, fromClose: h.closes[from], toClose: h.closes[n - 1],
        stale: !!h.stale, dataSource: h.source ?? null,
      };
    } catch (e) {
      failed = true;
      if (e instanceof StockcastError && e.code !== 'aborted') this.#failed(sym, e.code);
      this.#rethrow(e);
    } finally {
      release();
      this.#op('pastMonthReturn', t0, !failed);
    }
  }

  optimizePortfolio(req) {
    return this.#riskApi('optimizePortfolio', req);
  }

  // What works and how well, synchronously (the frontend's health panel): the .wasm, the manifest,
  // the store, each history source (breaker state, success rate, latency percentiles), models.
  health() {
    const idx = this.#indexed;
    const m = idx && idx.manifest;
    let sources = [];
    try {
      sources = this.#disposed ? [] : this.#historySources().health();
    } catch {
      // no baseUrl and no historySources: no source
    }
    const store = this.#o.store;
    const open = sources.filter((x) => x.state !== 'closed').length;
    return {
      status: this.#disposed ? 'disposed' : !this.#M ? 'down' : open && open === sources.length ? 'down' : open ? 'degraded' : 'ok',
      wasm: { loaded: !!this.#M, simd: simdSupported(), coreVersion: this.#M ? this.#M.version() : null },
      manifest: {
        loaded: !!idx,
        ageMs: this.#manifestAt === null ? null : this.#clock.now() - this.#manifestAt,
        trainingDate: (m && m.training_date) ?? null,
        dataTo: (m && m.data && m.data.to) ?? null,
      },
      store: { available: !!store, kind: store ? store.kind || 'custom' : null },
      sources,
      // kernels: the LSTM arithmetic each resident file is served with (the option, or float32 where its test vector ruled int16 out).
      models: { resident: this.#registry.keys(), count: this.#registry.size, bytes: this.#registry.bytes, maxCount: this.#o.cacheSize,
        kernel: this.#o.kernel, kernels: Object.fromEntries(this.#registry.keys().map((k) => [k, this.#registry.peek(k).handle.kernel])) },
    };
  }

  stats() {
    const s = this.#stats;
    const m = s.models;
    const lookups = s.cacheHits + s.cacheMisses;
    const modelLookups = m.hits + m.misses;
    const latency = {};
    for (const [sym, l] of s.latency) latency[sym] = { count: l.count, meanMs: l.totalMs / l.count, minMs: l.minMs, maxMs: l.maxMs, lastMs: l.lastMs };
    // predictFactors latency per model kind, over the last 1,024 calls of each.
    const factorLatency = {};
    for (const [kind, r] of this.#factorLatency) {
      const v = Float64Array.from(r.samples.subarray(0, Math.min(r.count, 1024))).sort();
      const q = (p) => v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)];
      factorLatency[kind] = { count: r.count, p50Ms: q(0.5), p95Ms: q(0.95), p99Ms: q(0.99) };
    }
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
        pinnedFiles: this.#registry.pinned,
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
      factorLatency,
      operations: Object.fromEntries([...s.operations].map(([k, o]) => [k, { count: o.count, failures: o.failures, ...percentiles(o.recent) }])),
      failures: Object.fromEntries([...s.failures].map(([k, f]) => [k, { ...f }])),
      wasmHeapBytes: this.#M ? this.#M.heapBytes() : 0,
      wasmObjects: this.#M ? this.#M.objects() : { models: 0, handles: 0 },
      // Live Ensemble objects in the ensemble module (once loaded): at most 4 per instance, 0 after clearCache().
      ensembleObjects: this.#ensembleM ? this.#ensembleM.objects().ensembles : 0,
      disposed: this.#disposed,
    };
  }

  // Forgets cached predictions and histories (of one symbol, or all) and drops the resident
  // model(s): a symbol's own stock-specific model, or every model when called without one.
  clearCache(symbol) {
    this.#alive();
    if (symbol === undefined) {
      this.#riskContext.reports.clear();
      this.#predictions.clear();
      this.#histories.clear();
      this.#index = null;
      this.#registry.clear();
      if (this.#ensembleApi) this.#ensembleApi.disposeEnsembles(this.#ensembleState);
      return;
    }
    const sym = checkSymbol(symbol);
    this.#predictions.deleteSymbol(sym);
    for (const k of [...this.#riskContext.reports.keys()]) if (k.startsWith(`${sym}|`)) this.#riskContext.reports.delete(k);
    this.#histories.delete(sym);
    this.#histories.delete(`rows:${sym}`);
    const stock = this.#indexed && this.#indexed.stocks.get(sym);
    if (stock && stock.model_type === 'stock_specific') this.#registry.clear([stock.file]);
  }

  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#life.abort();
    this.#registry.dispose();
    this.#predictions.clear();
    this.#histories.clear();
    this.#index = null;
    if (this.#routes) this.#routes.delete();
    this.#routes = null;
    for (const p of this.#factorModels.values()) p.then((m) => m.handle.delete(), () => {});
    this.#factorModels.clear();
    if (this.#ensembleApi) this.#ensembleApi.disposeEnsembles(this.#ensembleState);
    if (this.#o.gate.dispose) this.#o.gate.dispose();
    this.#M = null;
    this.#onDemand = compileCache();
  }
}

// One plain-language sentence from a prediction's numbers (no formula of its own: every number
// is the core's, only formatted here).
function explain(p) {
  const pct = (x, d = 1) => `${(x * 100).toFixed(d)}%`;
  const price = (x) => (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
  const r = p.expectedReturn;
  const move = r > 0 ? `rise ${pct(r)}` : r < 0 ? `fall ${pct(-r)}` : 'stay unchanged';
  const days = `${p.horizonDays} trading day${p.horizonDays === 1 ? '' : 's'}`;
  return `${p.symbol} is forecast to ${move}, from ${price(p.currentPrice)} to ${price(p.predictedPrice)}, over the next ${days} ` +
    `(${pct(p.interval.level, 0)} interval ${price(p.interval.lower)} to ${price(p.interval.upper)}; ` +
    `${pct(p.probabilities[p.direction], 0)} probability of a ${p.direction} move; confidence score ${p.confidenceScore.toFixed(2)} of 1).`;
}

// WebAssembly SIMD (the .wasm is built with -msimd128): a 1-function module using v128.
let simd;
function simdSupported() {
  if (simd === undefined) {
    try {
      simd = WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
    } catch {
      simd = false;
    }
  }
  return simd;
}

// Shared by the entries: validate options, get the module, build the API object. platform: the
// entry's own {fetchFor(maxSockets), sha256} where it has better ones than the web platform's
// (node.js). o.gate: every request of the instance starts through it, the .wasm downloads too.
export async function createWith(getModule, options, getRiskModule, platform, getFactorsModule, getTrainModule, getEnsembleModule) {
  const o = checkOptions(options, platform);
  if (o.historySources !== undefined) o.historySources = checkSources(o.historySources);
  o.gate = createGate(o.maxRequests, o.clock || realClock);
  throwIfAborted(o.signal);
  return Stockcast.create(getModule, o, getRiskModule, getFactorsModule, getTrainModule, getEnsembleModule);
}
