// History sources with fallback (createStockcast({ historySources })): order, circuit breaker
// (closed / open / half-open under a fake clock), token bucket in the request gate, timeouts,
// stale copies from the store, no cache poisoned, typed errors for bad options. Real HTTP
// servers on 127.0.0.1: the model server, a healthy history server, and one whose mode a test
// switches (500, hang, slow 429, ok). Counts only: no timing assertions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importPackage, modelsDir } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';

let pkg;
let models;
let srv; // models + manifest (+ history/, the default source)
let good; // a second healthy history server (its own origin)
let bad; // a history server whose mode the test sets
let symbols;

// mode: '500' | 'hang' | '429' (after a short delay) | 'garbage' (200, bad rows) | 'ok' (the history JSON from models/)
async function startModal(root) {
  let mode = '500';
  let hits = 0;
  const open = new Set();
  const server = createServer((req, res) => {
    hits++;
    open.add(res);
    res.on('close', () => open.delete(res));
    const m = mode;
    if (m === 'hang') return;
    if (m === '500') return res.writeHead(500, { 'content-type': 'text/plain' }).end('down');
    if (m === '429') return setTimeout(() => res.writeHead(429, { 'content-type': 'text/plain' }).end('slow down'), 5);
    if (m === 'garbage') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"rows": [{"date": "2021-13-45", "close": -1}]}');
    const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    try {
      const body = readFileSync(path.join(root, p.replace(/^\/+/, '')));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  server.on('connection', (s) => server.sockets.add(s));
  server.sockets = new Set();
  await new Promise((r) => server.listen({ port: 0, host: '127.0.0.1' }, r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    set mode(v) {
      mode = v;
    },
    get hits() {
      return hits;
    },
    reset() {
      hits = 0;
    },
    close() {
      for (const s of server.sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

// A clock the test moves: now() and timers fired by advance().
function fakeClock() {
  let t = 1_000_000;
  let next = 1;
  const timers = new Map();
  return {
    now: () => t,
    setTimeout(fn, ms) {
      const id = next++;
      timers.set(id, { at: t + ms, fn });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    advance(ms) {
      t += ms;
      for (const [id, x] of [...timers].sort((a, b) => a[1].at - b[1].at))
        if (x.at <= t && timers.has(id)) {
          timers.delete(id);
          x.fn();
        }
    },
  };
}

before(async () => {
  models = modelsDir();
  pkg = await importPackage('node.js');
  srv = await startServer(models.dir);
  good = await startServer(models.dir);
  bad = await startModal(models.dir);
  symbols = models.manifest.stocks.map((s) => s.symbol);
});
after(async () => {
  await Promise.all([srv.close(), good.close(), bad.close()]);
});

const create = (o = {}) => pkg.createStockcast({ baseUrl: srv.url, retryDelayMs: 1, retries: 0, ...o });
const ticks = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

test('fallback in order: a source answering 500, one answering 429 slowly, then a healthy one', async () => {
  const slow = await startModal(models.dir);
  slow.mode = '429';
  bad.mode = '500';
  bad.reset();
  const events = [];
  const sc = await create({
    historySources: [{ url: `${bad.url}history/`, name: 'dead' }, { url: `${slow.url}history/`, name: 'slow' }, { url: `${good.url}history/`, name: 'good' }],
    onEvent: (e) => events.push(e),
  });
  try {
    const p = await sc.predict({ symbol: symbols[0], horizon: '10d' });
    assert.equal(p.dataSource, 'good');
    assert.equal(p.stale, false);
    assert.deepEqual(events.filter((e) => e.type === 'fetch').map((e) => [e.source, e.ok, e.status ?? null]), [['dead', false, 500], ['slow', false, 429], ['good', true, null]]);
    assert.equal(bad.hits, 1);
    assert.equal(slow.hits, 1);
    const h = sc.health().sources;
    assert.deepEqual(h.map((s) => [s.name, s.state, s.failures, s.successes]), [['dead', 'closed', 1, 0], ['slow', 'closed', 1, 0], ['good', 'closed', 0, 1]]);
  } finally {
    sc.dispose();
    await slow.close();
  }
});

test('a hanging source times out and the next one serves', async () => {
  bad.mode = 'hang';
  bad.reset();
  // The timeout on the hanging source only (timeoutMs): the healthy one keeps the default 15 s.
  const sc = await create({ historySources: [{ url: `${bad.url}history/`, timeoutMs: 100 }, `${good.url}history/`] });
  try {
    const p = await sc.predict({ symbol: symbols[1], horizon: '10d' });
    assert.equal(p.dataSource, `${good.url}history/{symbol}.json`);
    assert.equal(bad.hits, 1);
    assert.equal(sc.health().sources[0].failures, 1);
  } finally {
    sc.dispose();
  }
});

test('circuit breaker under a fake clock: closed -> open after N failures, half-open probe after the cool-down, open again, then closed', async () => {
  bad.mode = '500';
  bad.reset();
  const clock = fakeClock();
  const changes = [];
  const sc = await create({
    historySources: [{ url: `${bad.url}history/`, name: 'flaky' }, `${good.url}history/`],
    breakerFailures: 3, breakerCooldownMs: 10_000, clock, historyTtlMs: 0, predictionTtlMs: 0,
    onEvent: (e) => e.type === 'breaker' && changes.push(`${e.from}->${e.to}`),
  });
  const state = () => sc.health().sources[0].state;
  try {
    for (let i = 0; i < 3; i++) await sc.predict({ symbol: symbols[i], horizon: '10d' });
    assert.equal(bad.hits, 3);
    assert.equal(state(), 'open');
    for (let i = 0; i < 10; i++) await sc.predict({ symbol: symbols[i], horizon: '10d' });
    assert.equal(bad.hits, 3, 'an open breaker sends nothing');
    clock.advance(9_999);
    await sc.predict({ symbol: symbols[0], horizon: '10d' });
    assert.equal(bad.hits, 3, 'still cooling down');
    clock.advance(1);
    await Promise.all([0, 1, 2, 3].map((i) => sc.predict({ symbol: symbols[i], horizon: '10d' })));
    assert.equal(bad.hits, 4, 'half-open: a single probe');
    assert.equal(state(), 'open', 'the failed probe opens it again');
    bad.mode = 'ok';
    clock.advance(10_000);
    const p = await sc.predict({ symbol: symbols[5], horizon: '10d' });
    assert.equal(p.dataSource, 'flaky');
    assert.equal(state(), 'closed');
    assert.deepEqual(changes, ['closed->open', 'open->half_open', 'half_open->open', 'open->half_open', 'half_open->closed']);
  } finally {
    sc.dispose();
  }
});

test('1,000 predictions with a dead first source: it receives at most breakerFailures + the in-flight limit (11) requests', async () => {
  bad.mode = '500';
  bad.reset();
  good.resetHits();
  const clock = fakeClock(); // never advanced: the breaker never half-opens
  const sc = await create({ historySources: [`${bad.url}history/`, `${good.url}history/`], breakerFailures: 5, clock, historyTtlMs: 0, predictionTtlMs: 0 });
  try {
    const out = await Promise.all(Array.from({ length: 1000 }, (_, i) => sc.predict({ symbol: symbols[i % symbols.length], horizon: '5d' })));
    assert.equal(out.length, 1000);
    assert.ok(out.every((p) => !p.stale));
    // The 5 failures that open it, plus at most one per request slot (6) already started by then.
    assert.ok(bad.hits <= 5 + 6, `the dead source got ${bad.hits} requests`);
    assert.ok(bad.hits >= 5);
    assert.equal(sc.health().sources[0].state, 'open');
  } finally {
    sc.dispose();
  }
});

test('token bucket: requests beyond the burst queue (none refused, no timeout while queued) and start as tokens come', async () => {
  const h = await startServer(models.dir);
  const clock = fakeClock();
  // timeoutMs 500 on the instance clock: the queued requests wait far longer than that for their
  // tokens, and the timeout only runs once a request has started.
  const sc = await create({ historySources: [{ url: `${h.url}history/`, rate: 1, burst: 2, timeoutMs: 500 }], clock });
  try {
    const five = symbols.slice(0, 5);
    const all = Promise.all(five.map((symbol) => sc.predict({ symbol, horizon: '10d' })));
    const hitsNow = () => five.reduce((a, s) => a + h.hits(`/history/${s}.json`), 0);
    const done = () => sc.health().sources[0].successes;
    while (done() < 2) await ticks(1);
    await ticks(50);
    assert.equal(hitsNow(), 2, 'the burst');
    clock.advance(1000);
    while (done() < 3) await ticks(1);
    await ticks(50);
    assert.equal(hitsNow(), 3, 'one token per second');
    clock.advance(2000);
    const out = await all;
    assert.equal(hitsNow(), 5);
    assert.equal(out.length, 5);
    assert.equal(sc.health().sources[0].failures, 0);
  } finally {
    sc.dispose();
    await h.close();
  }
});

test('every source down: the last good copy from the store, marked stale; nothing stale is cached', async () => {
  const store = pkg.createMemoryStore();
  const sym = symbols[2];
  bad.mode = 'ok';
  const sc = await create({ store, historySources: [`${bad.url}history/`] });
  try {
    const fresh = await sc.predict({ symbol: sym, horizon: '10d' });
    assert.equal(fresh.stale, false);
    await ticks();
    bad.mode = '500';
    sc.clearCache(sym);
    const stale = await sc.predict({ symbol: sym, horizon: '10d' });
    assert.equal(stale.stale, true);
    assert.equal(stale.dataDate, fresh.dataDate);
    assert.equal(stale.predictedPrice, fresh.predictedPrice);
    // Neither the stale history nor the stale answer was kept: the source is asked again.
    bad.reset();
    bad.mode = 'ok';
    const again = await sc.predict({ symbol: sym, horizon: '10d' });
    assert.equal(bad.hits, 1);
    assert.equal(again.stale, false);
    assert.equal(again.cached, false);
  } finally {
    sc.dispose();
  }
  // With no copy at all: fetch_failed naming every source.
  bad.mode = '500';
  const cold = await create({ historySources: [{ url: `${bad.url}history/`, name: 'a' }, { url: `${bad.url}other/`, name: 'b' }] });
  try {
    await assert.rejects(cold.predict({ symbol: sym, horizon: '10d' }), (e) => e.code === 'fetch_failed' && e.sources.length === 2 && e.sources[0].source === 'a');
  } finally {
    cold.dispose();
  }
});

test('CSV and function sources; a throwing function falls back', async () => {
  const csv = await startServer(path.dirname(path.join(models.dir, 'x')));
  const rowsOf = (sym) => JSON.parse(readFileSync(path.join(models.dir, 'history', `${sym}.json`), 'utf8')).rows;
  const asCsv = (rows) => ['date,close,volume', ...rows.map((r) => `${r.date},${r.close},${r.volume ?? ''}`)].join('\n');
  const sym = symbols[3];
  csv.fault(`/csv/${sym}.csv`, { body: asCsv(rowsOf(sym)), contentType: 'text/csv', sticky: true });
  const calls = [];
  const sc = await create({
    historySources: [
      { load: (symbol) => { calls.push(symbol); throw new Error('no such feed'); }, name: 'broken' },
      { url: `${csv.url}csv/`, format: 'csv', name: 'csv' },
      { load: async (symbol) => rowsOf(symbol), name: 'fn' },
    ],
  });
  try {
    const viaCsv = await sc.predict({ symbol: sym, horizon: '10d' });
    assert.equal(viaCsv.dataSource, 'csv');
    const viaFn = await sc.predict({ symbol: symbols[4], horizon: '10d' }); // 404 at the CSV server
    assert.equal(viaFn.dataSource, 'fn');
    assert.deepEqual(calls, [sym, symbols[4]]);
    const direct = await sc.predict({ symbol: sym, horizon: '10d', history: rowsOf(sym) });
    assert.equal(direct.predictedPrice, viaCsv.predictedPrice);
    assert.equal(sc.health().sources[1].notFound, 1);
  } finally {
    sc.dispose();
    await csv.close();
  }
});

test('bad source options are typed invalid_input errors', async () => {
  const bad1 = [
    [{ historySources: [] }, 'historySources'],
    [{ historySources: 'http://x/' }, 'historySources'],
    [{ historySources: [5] }, 'historySources[0]'],
    [{ historySources: [{ url: 'http://x/', load: () => [] }] }, 'historySources[0]'],
    [{ historySources: [{ url: 1 }] }, 'historySources[0].url'],
    [{ historySources: [{ load: 'f' }] }, 'historySources[0].load'],
    [{ historySources: [{ url: 'http://x/', rate: 1 }] }, 'historySources[0].burst'],
    [{ historySources: [{ url: 'http://x/', rate: -1, burst: 1 }] }, 'historySources[0].rate'],
    [{ historySources: [{ url: 'http://x/', format: 'xml' }] }, 'historySources[0].format'],
    [{ historySources: [{ url: 'http://x/', colour: 1 }] }, 'historySources[0].colour'],
    [{ historySources: [{ load: () => [], rate: 1, burst: 1 }] }, 'historySources[0].rate'],
    [{ historySources: ['relative/'], baseUrl: undefined }, 'historySources[0].url'],
    [{ breakerFailures: 0 }, 'breakerFailures'],
    [{ breakerCooldownMs: -1 }, 'breakerCooldownMs'],
    [{ sourceTimeoutMs: 0 }, 'sourceTimeoutMs'],
    [{ clock: {} }, 'clock'],
    [{ onEvent: 'x' }, 'onEvent'],
  ];
  for (const [o, field] of bad1) await assert.rejects(create(o), { code: 'invalid_input', field }, JSON.stringify(o));
});

test('health(): wasm, manifest age, store, the default source, resident models', async () => {
  const clock = fakeClock();
  const sc = await create({ clock, store: pkg.createMemoryStore() });
  try {
    let h = sc.health();
    assert.equal(h.wasm.loaded, true);
    assert.equal(h.wasm.simd, true);
    assert.deepEqual(h.store, { available: true, kind: 'memory' });
    assert.deepEqual(h.sources.map((s) => [s.name, s.state, s.requests]), [['history/', 'closed', 0]]);
    await sc.predict({ symbol: symbols[0], horizon: '10d' });
    clock.advance(5000);
    h = sc.health();
    assert.equal(h.status, 'ok');
    assert.equal(h.manifest.loaded, true);
    assert.equal(h.manifest.ageMs, 5000);
    assert.equal(h.sources[0].successes, 1);
    assert.equal(h.sources[0].successRate, 1);
    assert.equal(typeof h.sources[0].latencyMs.p95, 'number');
    assert.equal(h.models.count, 1);
  } finally {
    sc.dispose();
  }
  assert.equal(sc.health().status, 'disposed');
});

test('stats(): latency percentiles per operation, failures per symbol and code; onEvent: load, evict, retry, fetch, prediction', async () => {
  const specific = models.manifest.stocks.filter((s) => s.model_type === 'stock_specific').map((s) => s.symbol);
  const events = [];
  srv.fault(`/history/${specific[1]}.json`, { status: 503 });
  const sc = await create({ cacheSize: 1, retries: 1, onEvent: (e) => events.push(e) });
  try {
    await sc.predict({ symbol: specific[0], horizon: '10d' });
    await sc.predict({ symbol: specific[1], horizon: '10d' });
    await assert.rejects(sc.predict({ symbol: 'NOPE', horizon: '10d' }), { code: 'model_not_found' });
    await assert.rejects(sc.predict({ symbol: 'NOPE', horizon: '10d' }), { code: 'model_not_found' });
    const st = sc.stats();
    assert.equal(st.operations.predict.count, 4);
    assert.equal(st.operations.predict.failures, 2);
    for (const k of ['p50', 'p95', 'p99']) assert.equal(typeof st.operations.predict[k], 'number');
    assert.ok(st.operations.predict.p50 <= st.operations.predict.p99);
    assert.deepEqual(st.failures, { NOPE: { model_not_found: 2 } });
    const types = new Set(events.map((e) => e.type));
    for (const t of ['load', 'evict', 'retry', 'fetch', 'prediction']) assert.ok(types.has(t), `an event of type ${t}`);
    assert.ok(events.every((e) => typeof e.time === 'number'));
    assert.equal(events.filter((e) => e.type === 'evict').length, 1);
  } finally {
    sc.dispose();
    srv.clearFaults();
  }
});

test('no cache poisoned: a malformed answer is a source failure, never cached or stored', async () => {
  const store = pkg.createMemoryStore();
  const sym = symbols[6];
  bad.mode = 'garbage';
  bad.reset();
  const sc = await create({ store, historySources: [{ url: `${bad.url}history/`, name: 'garbage' }, { url: `${good.url}history/`, name: 'good' }] });
  try {
    const p = await sc.predict({ symbol: sym, horizon: '10d' });
    assert.equal(p.dataSource, 'good');
    assert.equal(sc.health().sources[0].failures, 1);
    await ticks();
    const copy = JSON.parse(new TextDecoder().decode(await store.get(`history:${sym}`)));
    assert.equal(copy.source, 'good');
    assert.equal(copy.rows.at(-1).date, p.dataDate);
    // The good history is the cached one: the garbage source is not asked again within the TTL.
    await sc.predict({ symbol: sym, horizon: '5d' });
    assert.equal(bad.hits, 1);
  } finally {
    sc.dispose();
  }
  // With the garbage source alone, the stored good copy serves (stale) rather than the garbage.
  const only = await create({ store, historySources: [`${bad.url}history/`] });
  try {
    const q = await only.predict({ symbol: sym, horizon: '10d' });
    assert.equal(q.stale, true);
    await assert.rejects(only.pastMonthReturn(sym, 5), { code: 'invalid_input', field: 'request' });
  } finally {
    only.dispose();
  }
});

test("TTL per source: a history is reused for its source's ttlMs", async () => {
  const h = await startServer(models.dir);
  const sym = symbols[7];
  const sc = await create({ historySources: [{ url: `${h.url}history/`, ttlMs: 0 }], historyTtlMs: 3_600_000, predictionTtlMs: 0 });
  const long = await create({ historySources: [{ url: `${h.url}history/`, ttlMs: 3_600_000 }], historyTtlMs: 0, predictionTtlMs: 0 });
  try {
    for (let i = 0; i < 3; i++) await sc.predict({ symbol: sym, horizon: '10d' });
    assert.equal(h.hits(`/history/${sym}.json`), 3, 'ttlMs 0: fetched every time');
    h.resetHits();
    for (let i = 0; i < 3; i++) await long.predict({ symbol: sym, horizon: '10d' });
    assert.equal(h.hits(`/history/${sym}.json`), 1, 'ttlMs 1 h: fetched once');
    await assert.rejects(create({ historySources: [{ url: h.url, ttlMs: -1 }] }), { code: 'invalid_input', field: 'historySources[0].ttlMs' });
  } finally {
    sc.dispose();
    long.dispose();
    await h.close();
  }
});
