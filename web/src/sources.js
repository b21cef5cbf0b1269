// History sources with fallback (createStockcast({ historySources })): tried in order, each behind
// a circuit breaker and (for URL sources) its origin's token bucket in the request gate (net.js);
// the answer of the first that succeeds is the history, and its rows become the store's last good
// copy. When every source fails, that copy is served marked stale (with its data date).
//
// A source is a base URL (per-symbol files SYMBOL.json, or SYMBOL.csv with format 'csv'), a URL
// template containing {symbol}, a function (symbol, {signal}) -> rows (or {rows}), or an object
// {url | load, name?, format?, rate?, burst?, timeoutMs?, retries?, ttlMs?}. See docs/package.md.
import { StockcastError, abortedError, invalid } from './errors.js';
import { isObj } from './checks.js';
import { anySignal, fetchBytes } from './net.js';
import { historyOf } from './loading.js';

const LATENCY_WINDOW = 256; // latencies kept per source for the percentiles

// closed -> open after `failures` consecutive failures; open -> half_open once `coolDownMs` has
// passed on `clock` (the next request is the single probe); the probe's success closes it, its
// failure opens it again for another cool-down.
export class Breaker {
  constructor({ failures, coolDownMs, clock, onChange }) {
    this.failures = failures;
    this.coolDownMs = coolDownMs;
    this.clock = clock;
    this.onChange = onChange || (() => {});
    this.state = 'closed';
    this.consecutive = 0;
    this.openedAt = 0;
    this.probing = false;
  }
  #set(state) {
    if (state === this.state) return;
    const from = this.state;
    this.state = state;
    this.onChange(from, state);
  }
  // True when a request would be refused now (no state change).
  refuses() {
    if (this.state === 'closed') return false;
    if (this.state === 'half_open') return this.probing;
    return this.clock.now() - this.openedAt < this.coolDownMs;
  }
  // May a request start now? In half_open, true once (the probe).
  allow() {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.clock.now() - this.openedAt < this.coolDownMs) return false;
      this.#set('half_open');
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }
  success() {
    this.consecutive = 0;
    this.probing = false;
    this.#set('closed');
  }
  failure() {
    this.probing = false;
    if (this.state === 'half_open' || ++this.consecutive >= this.failures) {
      this.openedAt = this.clock.now();
      this.consecutive = 0;
      this.#set('open');
    }
  }
  // A request that ended without a verdict (the caller aborted it).
  abandon() {
    this.probing = false;
  }
}

// CSV `date,close[,volume]`: a header row naming the columns (any order, other columns ignored)
// or none (then the columns are date, close, volume in that order). Empty volume = missing.
export function parseCsv(text, url) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!lines.length) return [];
  let cols = { date: 0, close: 1, volume: 2 };
  const first = lines[0].split(',').map((c) => c.trim().toLowerCase());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(first[0])) {
    const at = (name) => first.indexOf(name);
    if (at('date') < 0 || at('close') < 0)
      throw new StockcastError('format_error', `${url}: CSV header must name the columns date and close`, { url, detail: 'bad_csv' });
    cols = { date: at('date'), close: at('close'), volume: at('volume') };
    lines.shift();
  }
  return lines.map((l) => {
    const f = l.split(',');
    const num = (i) => {
      const v = i >= 0 && i < f.length ? f[i].trim() : '';
      return v === '' ? null : Number(v);
    };
    const row = { date: (f[cols.date] || '').trim(), close: num(cols.close) };
    const vol = num(cols.volume);
    if (vol !== null) row.volume = vol;
    return row;
  });
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i];
}

// {p50, p95, p99} (nearest rank) of an array of milliseconds; nulls when empty.
export function percentiles(values) {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 0.5), p95: percentile(s, 0.95), p99: percentile(s, 0.99) };
}

// Checks the historySources option: returns the normalized list (without breakers).
export function checkSources(list, field = 'historySources') {
  if (!Array.isArray(list) || list.length === 0) throw invalid(field, list === undefined ? 'required' : 'wrong_type', 'expected a non-empty array of sources (base URL, URL template with {symbol}, function, or {url | load, ...})');
  return list.map((s, i) => {
    const f = `${field}[${i}]`;
    const spec = typeof s === 'string' || s instanceof URL ? { url: String(s) } : typeof s === 'function' ? { load: s } : s;
    if (!isObj(spec)) throw invalid(f, 'wrong_type', 'expected a URL string, a function or an object');
    for (const k of Object.keys(spec))
      if (!['url', 'load', 'name', 'format', 'rate', 'burst', 'timeoutMs', 'retries', 'ttlMs'].includes(k)) throw invalid(`${f}.${k}`, 'unknown_option', 'unknown source option');
    if ((spec.url === undefined) === (spec.load === undefined)) throw invalid(f, 'wrong_type', 'a source has exactly one of url and load');
    if (spec.load !== undefined && typeof spec.load !== 'function') throw invalid(`${f}.load`, 'wrong_type', 'expected a function (symbol, {signal}) -> rows');
    if (spec.url !== undefined && typeof spec.url !== 'string' && !(spec.url instanceof URL)) throw invalid(`${f}.url`, 'wrong_type', 'expected a URL string');
    if (spec.format !== undefined && !['json', 'csv'].includes(spec.format)) throw invalid(`${f}.format`, 'bad_value', "expected 'json' or 'csv'");
    if (spec.name !== undefined && typeof spec.name !== 'string') throw invalid(`${f}.name`, 'wrong_type', 'expected a string');
    for (const k of ['rate', 'burst', 'timeoutMs'])
      if (spec[k] !== undefined && !(typeof spec[k] === 'number' && spec[k] > 0)) throw invalid(`${f}.${k}`, 'not_positive', 'expected a number > 0');
    if (spec.ttlMs !== undefined && !(typeof spec.ttlMs === 'number' && spec.ttlMs >= 0)) throw invalid(`${f}.ttlMs`, 'wrong_type', 'expected milliseconds >= 0');
    if (spec.retries !== undefined && !(Number.isInteger(spec.retries) && spec.retries >= 0)) throw invalid(`${f}.retries`, 'wrong_type', 'expected an integer >= 0');
    if ((spec.rate === undefined) !== (spec.burst === undefined)) throw invalid(`${f}.${spec.rate === undefined ? 'rate' : 'burst'}`, 'required', 'rate and burst go together');
    if (spec.load !== undefined && spec.rate !== undefined) throw invalid(`${f}.rate`, 'bad_value', 'a rate limit applies to URL sources (the gate is per origin)');
    return { ...spec };
  });
}

// The history layer of one instance. ctx: {net, store, clock, base (resolved URL or undefined),
// breaker: {failures, coolDownMs}, timeoutMs, emit(event)}.
export class HistorySources {
  constructor(specs, ctx) {
    this.ctx = ctx;
    this.sources = specs.map((spec, i) => {
      let template = null;
      if (spec.url !== undefined) {
        let u;
        try {
          u = new URL(String(spec.url).replace(/\{symbol\}/g, '__SYMBOL__'), ctx.base || (globalThis.location && globalThis.location.href));
        } catch {
          throw invalid(`historySources[${i}].url`, 'bad_url', `cannot resolve ${JSON.stringify(String(spec.url))} (in Node, pass an absolute URL or a baseUrl)`);
        }
        const href = u.href;
        template = href.includes('__SYMBOL__') ? href : `${href.endsWith('/') ? href : `${href}/`}__SYMBOL__.${spec.format || 'json'}`;
        if (spec.rate !== undefined) ctx.net.gate.limit(template.replace('__SYMBOL__', 'X'), { rate: spec.rate, burst: spec.burst });
      }
      const name = spec.name || (template ? template.replace('__SYMBOL__', '{symbol}') : `function#${i}`);
      const s = {
        name, spec, template,
        requests: 0, successes: 0, failures: 0, notFound: 0, latencies: [],
      };
      s.breaker = new Breaker({
        ...ctx.breaker, clock: ctx.clock,
        onChange: (from, to) => ctx.emit({ type: 'breaker', source: name, from, to }),
      });
      return s;
    });
  }

  #record(s, ms) {
    s.latencies.push(ms);
    if (s.latencies.length > LATENCY_WINDOW) s.latencies.shift();
  }

  // onStart(): called when the request really starts (after its slot and token in the gate), so
  // time spent queueing behind a rate limit never counts against the source's timeout.
  async #fetch(s, symbol, signal, onStart) {
    if (s.template) {
      const url = s.template.replace('__SYMBOL__', encodeURIComponent(symbol));
      const net = s.spec.retries === undefined ? this.ctx.net : { ...this.ctx.net, retries: s.spec.retries };
      const admit = () => {
        if (!s.breaker.allow()) return false;
        s.requests++;
        onStart();
        return true;
      };
      const bytes = await fetchBytes(url, net, { signal, admit });
      const text = new TextDecoder().decode(bytes);
      const json = s.spec.format === 'json' || (s.spec.format !== 'csv' && /^\s*[[{]/.test(text));
      let doc;
      if (json) {
        try {
          doc = JSON.parse(text);
        } catch (e) {
          throw new StockcastError('format_error', `${url}: not valid JSON (${e.message})`, { url, detail: 'bad_json' });
        }
      } else doc = parseCsv(text, url);
      return historyOf(doc, url);
    }
    if (!s.breaker.allow()) throw new StockcastError('fetch_failed', `${s.name}: circuit open`, { status: 0, attempts: 0, reason: 'circuit_open' });
    s.requests++;
    onStart();
    let doc;
    try {
      doc = await s.spec.load(symbol, { signal });
    } catch (e) {
      if (e instanceof StockcastError) throw e;
      throw new StockcastError('fetch_failed', `${s.name}: ${(e && e.message) || e}`, { status: 0, attempts: 1, cause: e });
    }
    return historyOf(doc, s.name);
  }

  // The history of `symbol`: {closes, volumes, dates, dataDate, events, source, stale}.
  async load(symbol, signal) {
    const { clock, store, emit } = this.ctx;
    const tried = [];
    for (const s of this.sources) {
      if (s.breaker.refuses()) {
        tried.push({ source: s.name, code: 'fetch_failed', reason: 'circuit_open' });
        continue;
      }
      const timeout = new AbortController();
      const ms = s.spec.timeoutMs || this.ctx.timeoutMs;
      let timer = null;
      let t0 = clock.now();
      const onStart = () => {
        t0 = clock.now();
        timer = clock.setTimeout(() => timeout.abort(new StockcastError('fetch_failed', `${s.name}: no answer within ${ms} ms`, { status: 0, attempts: 1, reason: 'timeout' })), ms);
      };
      const both = anySignal([signal, timeout.signal]);
      try {
        const hist = await this.#fetch(s, symbol, both.signal, onStart);
        s.successes++;
        this.#record(s, clock.now() - t0);
        s.breaker.success();
        emit({ type: 'fetch', source: s.name, symbol, ok: true, ms: clock.now() - t0 });
        if (store) store.put(`history:${symbol}`, new TextEncoder().encode(JSON.stringify({ rows: rowsOf(hist), events: hist.events, source: s.name }))).catch(() => {});
        hist.source = s.name;
        hist.stale = false;
        if (s.spec.ttlMs !== undefined) hist.ttlMs = s.spec.ttlMs;
        return hist;
      } catch (e) {
        if (signal && signal.aborted) {
          s.breaker.abandon();
          throw abortedError(signal);
        }
        const err = timeout.signal.aborted ? timeout.signal.reason : e;
        if (err.reason === 'circuit_open') {
          tried.push({ source: s.name, code: 'fetch_failed', reason: 'circuit_open' });
          continue;
        }
        // A 404 says the source is up but lacks the symbol: the next source, no breaker failure.
        if (err.code === 'fetch_failed' && err.status === 404) {
          s.notFound++;
          s.breaker.abandon();
        } else {
          s.failures++;
          s.breaker.failure();
        }
        this.#record(s, clock.now() - t0);
        emit({ type: 'fetch', source: s.name, symbol, ok: false, code: err.code, status: err.status ?? null, ms: clock.now() - t0 });
        tried.push({ source: s.name, code: err.code || 'fetch_failed', status: err.status ?? null, message: err.message });
      } finally {
        if (timer !== null) clock.clearTimeout(timer);
        both.release();
      }
    }
    // Every source failed: the last good copy, marked stale.
    const bytes = store && (await store.get(`history:${symbol}`).catch(() => undefined));
    if (bytes) {
      try {
        const doc = JSON.parse(new TextDecoder().decode(bytes));
        const hist = historyOf(doc, `store:history:${symbol}`);
        hist.source = doc.source || null;
        hist.stale = true;
        emit({ type: 'stale', symbol, dataDate: hist.dataDate });
        return hist;
      } catch {
        // an unreadable copy is as good as none
      }
    }
    const last = tried[tried.length - 1] || {};
    throw new StockcastError('fetch_failed', `history of ${symbol}: every source failed (${tried.map((t) => `${t.source}: ${t.reason || t.status || t.code}`).join('; ')})`,
      { symbol, status: last.status ?? 0, attempts: tried.length, sources: tried });
  }

  health() {
    return this.sources.map((s) => {
      const done = s.successes + s.failures;
      return {
        name: s.name,
        kind: s.template ? 'url' : 'function',
        state: s.breaker.state,
        requests: s.requests,
        successes: s.successes,
        failures: s.failures,
        notFound: s.notFound,
        successRate: done ? s.successes / done : null,
        latencyMs: percentiles(s.latencies),
        rateLimit: s.spec.rate !== undefined ? { rate: s.spec.rate, burst: s.spec.burst } : null,
      };
    });
  }
}

function rowsOf(hist) {
  if (!hist.dates) return Array.from(hist.closes);
  return Array.from(hist.closes, (close, i) => {
    const r = { date: hist.dates[i], close };
    if (hist.volumes) r.volume = hist.volumes[i];
    return r;
  });
}
