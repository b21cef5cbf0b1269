// HTTP with retries, progress in bytes, cancellation, and an optional persistent store.
import { StockcastError, abortedError } from './errors.js';

export function throwIfAborted(signal) {
  if (signal && signal.aborted) throw abortedError(signal);
}

// One real 'abort' listener per signal, however many requests wait on it: onAbort(signal, fn)
// adds `fn` to that signal's set and returns the function that removes it again (idempotent);
// the listener itself goes when the set empties. Node warns (MaxListenersExceededWarning) past
// 10 listeners on one EventTarget, and a page sharing one AbortSignal across a batch of 66
// predictions would otherwise hold one listener per request in flight on it.
const waiting = new WeakMap(); // signal -> Set of callbacks (with .fire, the one listener)
export function onAbort(signal, fn) {
  let set = waiting.get(signal);
  if (!set) {
    set = new Set();
    set.fire = () => {
      waiting.delete(signal);
      for (const f of [...set]) f();
      set.clear();
    };
    waiting.set(signal, set);
    signal.addEventListener('abort', set.fire, { once: true });
  }
  set.add(fn);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    set.delete(fn);
    if (set.size === 0 && waiting.get(signal) === set) {
      waiting.delete(signal);
      signal.removeEventListener('abort', set.fire);
    }
  };
}

// One signal that fires when any of `signals` fires (AbortSignal.any is not everywhere yet).
// Returns {signal, release}: release() detaches the listeners (call it when the operation ends,
// so long-lived signals do not collect one listener per call).
export function anySignal(signals) {
  const list = signals.filter(Boolean);
  if (list.length <= 1) return { signal: list[0], release() {} };
  const c = new AbortController();
  const undo = [];
  for (const s of list) {
    if (s.aborted) {
      c.abort(s.reason);
      break;
    }
    undo.push(onAbort(s, () => c.abort(s.reason)));
  }
  return { signal: c.signal, release: () => undo.forEach((u) => u()) };
}

// A signal of one request's own, following `signal`: what fetch() receives, so the fetch
// implementation's own listener (undici drops it only when the request is collected) lands on a
// signal that dies with the request, never on the caller's long-lived one. release() when done.
export function childSignal(signal) {
  if (!signal) return { signal: undefined, release() {} };
  const c = new AbortController();
  if (signal.aborted) {
    c.abort(signal.reason);
    return { signal: c.signal, release() {} };
  }
  return { signal: c.signal, release: onAbort(signal, () => c.abort(signal.reason)) };
}

// The one place that decides when a request may start: at most `max` in flight per origin, the
// others waiting in request order. Browsers hold ~6 connections per host themselves; Node and a
// custom fetch do not, and a burst of connections overflows a small listen backlog (Python's
// http.server: 5), whose dropped attempts wait out TCP's 1 s / 3 s retransmission timers. An
// aborted waiter leaves the queue at once.
// Rate limit: gate.limit(url, {rate, burst}) gives the URL's origin a token bucket (`rate`
// requests per second, at most `burst` at once after a quiet spell); a request without a token
// waits in the same queue (it is never refused) and a timer on `clock` calls pump() when the
// next token is due. clock: {now() -> ms, setTimeout(fn, ms), clearTimeout(id)} (a test's fake).
// Returns gate(url, signal) -> Promise of release(); call release() once the body is read.
export function createGate(max, clock = realClock) {
  const origins = new Map(); // origin -> {active, queue of start functions, bucket?, timer?}
  const originOf = (url) => new URL(url, globalThis.location && globalThis.location.href).origin;
  const get = (key) => {
    let o = origins.get(key);
    if (!o) origins.set(key, (o = { active: 0, queue: [], bucket: null, timer: null }));
    return o;
  };
  const refill = (b) => {
    const t = clock.now();
    b.tokens = Math.min(b.burst, b.tokens + ((t - b.at) * b.rate) / 1000);
    b.at = t;
  };
  const pump = (o) => {
    while (o.queue.length && o.active < max) {
      const b = o.bucket;
      if (b) {
        refill(b);
        if (b.tokens < 1) {
          if (o.timer === null) {
            o.timer = clock.setTimeout(() => {
              o.timer = null;
              pump(o);
            }, Math.max(1, Math.ceil(((1 - b.tokens) * 1000) / b.rate)));
          }
          return;
        }
        b.tokens -= 1;
      }
      o.queue.shift()();
    }
  };
  const gate = (url, signal) => new Promise((resolve, reject) => {
    const o = get(originOf(url));
    if (signal && signal.aborted) return reject(abortedError(signal));
    let unsubscribe = () => {};
    const start = () => {
      unsubscribe();
      o.active++;
      let done = false;
      resolve(() => done || ((done = true), o.active--, pump(o)));
    };
    if (signal)
      unsubscribe = onAbort(signal, () => {
        o.queue.splice(o.queue.indexOf(start), 1);
        reject(abortedError(signal));
      });
    o.queue.push(start);
    pump(o);
  });
  gate.limit = (url, { rate, burst }) => {
    const o = get(originOf(url));
    o.bucket = { rate, burst, tokens: burst, at: clock.now() };
  };
  // Requests waiting for a slot or a token, per origin (health()).
  gate.waiting = (url) => {
    const o = origins.get(originOf(url));
    return o ? o.queue.length : 0;
  };
  gate.dispose = () => {
    for (const o of origins.values()) if (o.timer !== null) clock.clearTimeout(o.timer), (o.timer = null);
  };
  return gate;
}

export const realClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};

export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(abortedError(signal));
    let unsubscribe = () => {};
    const t = setTimeout(() => {
      unsubscribe();
      resolve();
    }, ms);
    if (signal)
      unsubscribe = onAbort(signal, () => {
        clearTimeout(t);
        reject(abortedError(signal));
      });
  });
}

async function readBody(res, url, total, onProgress, signal) {
  if (!res.body || typeof res.body.getReader !== 'function') {
    const buf = new Uint8Array(await res.arrayBuffer());
    if (onProgress) onProgress({ url, loaded: buf.length, total: total ?? buf.length });
    return buf;
  }
  const reader = res.body.getReader();
  const chunks = [];
  let loaded = 0;
  if (onProgress) onProgress({ url, loaded: 0, total });
  try {
    for (;;) {
      throwIfAborted(signal);
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      if (onProgress) onProgress({ url, loaded, total });
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  }
  if (total !== undefined && loaded < total) {
    // The connection ended early: a network error, worth a retry.
    throw new TypeError(`body truncated: ${loaded} of ${total} bytes`);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// GET `url` as bytes. Retries network errors and 5xx/429 with exponential backoff; 4xx and
// an HTML body (a dev server's index.html fallback) fail at once. Throws StockcastError.
// admit (optional): asked once the first attempt holds its slot, right before the request starts;
// false ends the call with fetch_failed, reason 'circuit_open' (a circuit breaker's last word).
export async function fetchBytes(url, ctx, { signal, onProgress, expectedBytes, admit } = {}) {
  const fetchFn = ctx.fetch;
  const attemptsMax = ctx.retries + 1;
  let lastStatus = 0;
  let lastError;
  for (let attempt = 1; attempt <= attemptsMax; attempt++) {
    throwIfAborted(signal);
    if (attempt > 1) {
      ctx.stats.retries++;
      if (ctx.emit) ctx.emit({ type: 'retry', url, attempt, status: lastStatus });
      await sleep(ctx.retryDelayMs * 2 ** (attempt - 2), signal);
    }
    // The slot is held until the body is read; backoff sleeps do not hold one.
    const release = await ctx.gate(url, signal);
    if (admit && attempt === 1 && !admit()) {
      release();
      throw new StockcastError('fetch_failed', `GET ${url}: circuit open`, { url, status: 0, attempts: 0, reason: 'circuit_open' });
    }
    const child = childSignal(signal);
    try {
      ctx.stats.requests++;
      let res;
      try {
        res = await fetchFn(url, { signal: child.signal, credentials: 'same-origin' });
      } catch (e) {
        throwIfAborted(signal);
        lastStatus = 0;
        lastError = e;
        continue;
      }
      if (!res.ok) {
        lastStatus = res.status;
        if (res.body && res.body.cancel) res.body.cancel().catch(() => {});
        if (res.status >= 500 || res.status === 429 || res.status === 408) continue;
        throw new StockcastError('fetch_failed', `GET ${url}: HTTP ${res.status}`, { url, status: res.status, attempts: attempt });
      }
      const type = (res.headers.get('content-type') || '').toLowerCase();
      if (type.startsWith('text/html')) {
        if (res.body && res.body.cancel) res.body.cancel().catch(() => {});
        throw new StockcastError('fetch_failed', `GET ${url}: got an HTML page (${type}), not the expected file`, {
          url, status: res.status, attempts: attempt, reason: 'content_type', contentType: type });
      }
      const len = Number(res.headers.get('content-length'));
      const total = Number.isFinite(len) && len > 0 && !res.headers.get('content-encoding') ? len : expectedBytes;
      try {
        const bytes = await readBody(res, url, total, onProgress, signal);
        ctx.stats.bytes += bytes.length;
        return bytes;
      } catch (e) {
        throwIfAborted(signal);
        if (e instanceof StockcastError) throw e;
        lastStatus = res.status;
        lastError = e;
      }
    } finally {
      child.release();
      release();
    }
  }
  throw new StockcastError('fetch_failed',
    `GET ${url}: ${lastStatus ? `HTTP ${lastStatus}` : `network error (${lastError && lastError.message})`} after ${attemptsMax} attempts`,
    { url, status: lastStatus, attempts: attemptsMax, cause: lastError });
}

export async function sha256Hex(bytes) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) return null; // insecure context: the core still checks the file's embedded hash
  const d = new Uint8Array(await subtle.digest('SHA-256', bytes));
  let s = '';
  for (const b of d) s += b.toString(16).padStart(2, '0');
  return s;
}

export function parseJson(bytes, url) {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new StockcastError('format_error', `${url}: not valid JSON (${e.message})`, { url, detail: 'bad_json' });
  }
}

// Waits for a shared promise on behalf of one caller; the caller's abort rejects only its own wait.
export function waitFor(promise, signal) {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise((resolve, reject) => {
    const unsubscribe = onAbort(signal, () => reject(abortedError(signal)));
    promise.then(
      (v) => {
        unsubscribe();
        resolve(v);
      },
      (e) => {
        unsubscribe();
        reject(e);
      },
    );
  });
}
