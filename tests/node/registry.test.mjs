// The in-page model registry and the network layer, against a real HTTP server with injected
// faults: none of them may poison the caches; LRU by count and bytes; shared fetches; no WASM
// memory growth under constant evictions.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from './support.mjs';
import { importPackage, modelsDir, packageDir } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';

let srv;
let pkg;
let models;
let bySymbol;
before(async () => {
  models = modelsDir();
  srv = await startServer(models.dir);
  pkg = await importPackage('node.js');
  bySymbol = new Map(models.manifest.stocks.map((s) => [s.symbol, s]));
});
after(() => srv.close());
afterEach(() => srv.clearFaults()); // a fault a test did not consume never leaks into the next

const create = (o = {}) => pkg.createStockcast({ baseUrl: srv.url, retryDelayMs: 5, ...o });
const specific = () => models.manifest.stocks.filter((s) => s.model_type === 'stock_specific').map((s) => s.symbol);
const fileOf = (sym) => `/${bySymbol.get(sym).file}`;
const rowsOf = (sym) => JSON.parse(readFileSync(repoPath(`models/history/${sym}.json`), 'utf8')).rows;

// A good answer after a fault proves the fault left nothing behind.
async function goodAfter(sc, symbol) {
  const p = await sc.predict({ symbol, horizon: '1d' });
  assert.equal(typeof p.predictedPrice, 'number');
  return p;
}

test('404 → fetch_failed (no retry); nothing cached; a later good request succeeds', async () => {
  const sc = await create({ fallback: false });
  const s = specific()[0];
  srv.resetHits();
  srv.fault(fileOf(s), { status: 404 });
  await assert.rejects(sc.predict({ symbol: s, horizon: '1d' }), (e) => {
    assert.equal(e.code, 'fetch_failed');
    assert.equal(e.status, 404);
    assert.equal(e.attempts, 1);
    assert.match(e.url, new RegExp(`${fileOf(s)}$`));
    return true;
  });
  assert.equal(srv.hits(fileOf(s)), 1, 'no retry on 4xx');
  assert.equal(sc.stats().models.resident, 0);
  await goodAfter(sc, s);
  assert.equal(srv.hits(fileOf(s)), 2);
  sc.dispose();
});

test('500 then 200 → retried with backoff and succeeds', async () => {
  const sc = await create();
  const s = specific()[1];
  srv.resetHits();
  srv.fault(fileOf(s), { status: 500 }, { status: 503 });
  const p = await goodAfter(sc, s);
  assert.equal(p.modelType, 'stock_specific');
  assert.equal(srv.hits(fileOf(s)), 3);
  assert.equal(sc.stats().network.retries, 2);
  sc.dispose();
});

test('persistent 5xx → fetch_failed with status and attempts', async () => {
  const sc = await create({ retries: 3, fallback: false });
  const s = specific()[2];
  srv.resetHits();
  srv.fault(fileOf(s), { status: 502, sticky: true });
  await assert.rejects(sc.predict({ symbol: s, horizon: '1d' }), { code: 'fetch_failed', status: 502, attempts: 4 });
  assert.equal(srv.hits(fileOf(s)), 4);
  srv.clearFaults();
  await goodAfter(sc, s);
  sc.dispose();
});

test('stock-specific file failing → general model fallback (flagged), not cached', async () => {
  const sc = await create();
  const s = specific()[3];
  srv.fault(fileOf(s), { status: 404 });
  const p = await sc.predict({ symbol: s, horizon: '1d' });
  assert.equal(p.modelType, 'general');
  assert.equal(p.confidence, 'medium');
  assert.equal(p.heldOut, null);
  assert.match(p.warnings[0], /unavailable \(fetch_failed\)/);
  const q = await sc.predict({ symbol: s, horizon: '1d' });
  assert.equal(q.modelType, 'stock_specific', 'the fallback answer was not cached');
  sc.dispose();
});

test('slow response + abort → aborted quickly; the shared load is cancelled; later request succeeds', async () => {
  const sc = await create({ fallback: false });
  const s = specific()[4];
  const history = rowsOf(s);
  await sc.available(); // the manifest is loaded: only the model request is slow
  srv.resetHits();
  srv.fault(fileOf(s), { delayMs: 1500 });
  const c = new AbortController();
  const t0 = Date.now();
  setTimeout(() => c.abort(), 100);
  await assert.rejects(sc.predict({ symbol: s, horizon: '1d', history, signal: c.signal }), { code: 'aborted' });
  assert.ok(Date.now() - t0 < 1000, 'did not wait for the slow server');
  assert.equal(srv.hits(fileOf(s)), 1);
  assert.equal(sc.stats().models.resident, 0);
  // Two waiters share one load: one aborting leaves the other's load alone.
  srv.resetHits();
  srv.fault(fileOf(s), { delayMs: 300 });
  const c2 = new AbortController();
  const a = sc.predict({ symbol: s, horizon: '5d', history, signal: c2.signal });
  const b = sc.predict({ symbol: s, horizon: '10d', history });
  setTimeout(() => c2.abort(), 50);
  await assert.rejects(a, { code: 'aborted' });
  assert.equal((await b).modelType, 'stock_specific');
  assert.equal(srv.hits(fileOf(s)), 1);
  // An instance-wide signal aborts everything.
  const life = new AbortController();
  const sc2 = await create({ signal: life.signal });
  srv.fault('/manifest.json', { delayMs: 500 });
  const pending = sc2.available();
  setTimeout(() => life.abort(), 50);
  await assert.rejects(pending, { code: 'aborted' });
  await assert.rejects(sc2.predict({ symbol: s, horizon: '1d' }), { code: 'aborted' });
  sc2.dispose();
  sc.dispose();
});

test('truncated body → retried; a truncated file (honest length) → integrity_error', async () => {
  const sc = await create({ fallback: false });
  const s = specific()[5];
  srv.resetHits();
  srv.fault(fileOf(s), { truncate: 1000 });
  await goodAfter(sc, s);
  assert.equal(srv.hits(fileOf(s)), 2);
  const t = specific()[6];
  const full = readFileSync(`${models.dir}${fileOf(t)}`);
  srv.fault(fileOf(t), { body: full.subarray(0, full.length - 100), sticky: true });
  await assert.rejects(sc.predict({ symbol: t, horizon: '1d' }), { code: 'integrity_error' });
  srv.clearFaults();
  assert.equal(sc.stats().models.resident, 1);
  await goodAfter(sc, t);
  sc.dispose();
});

test('one flipped byte → integrity_error (Web Crypto SHA-256 vs manifest); the core catches it too', async () => {
  const sc = await create({ fallback: false });
  const s = specific()[7];
  srv.fault(fileOf(s), { flipByte: 5000 });
  await assert.rejects(sc.predict({ symbol: s, horizon: '1d' }), (e) => {
    assert.equal(e.code, 'integrity_error');
    assert.equal(e.detail, 'sha256_mismatch');
    assert.match(e.expected, /^[0-9a-f]{64}$/);
    assert.notEqual(e.actual, e.expected);
    return true;
  });
  assert.equal(sc.stats().models.resident, 0);
  await goodAfter(sc, s);
  // Without Web Crypto's answer (the browser entry in an insecure context), the core's embedded
  // hash still rejects it. (The Node entry hashes with node:crypto, so this needs the browser one.)
  const subtle = Object.getOwnPropertyDescriptor(globalThis.crypto, 'subtle');
  const browserPkg = await importPackage('index.js');
  const wasmBinary = readFileSync(path.join(await packageDir(), 'stockcast.wasm'));
  const sc2 = await browserPkg.createStockcast({ baseUrl: srv.url, retryDelayMs: 5, fallback: false, wasmBinary });
  Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true });
  try {
    srv.fault(fileOf(s), { flipByte: 5000 });
    await assert.rejects(sc2.predict({ symbol: s, horizon: '1d' }), (e) => e.code === 'integrity_error' || e.code === 'format_error');
  } finally {
    if (subtle) Object.defineProperty(globalThis.crypto, 'subtle', subtle);
    else delete globalThis.crypto.subtle;
  }
  await goodAfter(sc2, s);
  sc2.dispose();
  sc.dispose();
});

test('wrong content type (an HTML fallback page) → fetch_failed, not parsed; manifest too', async () => {
  const sc = await create({ fallback: false });
  const s = specific()[8];
  srv.fault(fileOf(s), { contentType: 'text/html; charset=utf-8', body: '<!doctype html><html></html>' });
  await assert.rejects(sc.predict({ symbol: s, horizon: '1d' }), { code: 'fetch_failed', reason: 'content_type' });
  await goodAfter(sc, s);
  const sc2 = await create();
  srv.fault('/manifest.json', { contentType: 'text/html', body: '<html></html>' });
  await assert.rejects(sc2.available(), { code: 'fetch_failed', reason: 'content_type' });
  srv.fault('/manifest.json', { body: '{"not": "a manifest"' });
  await assert.rejects(sc2.available(), { code: 'format_error', detail: 'bad_json' });
  srv.fault('/manifest.json', { body: '{"stocks": 3}' });
  await assert.rejects(sc2.available(), { code: 'format_error', detail: 'bad_manifest' });
  assert.equal((await sc2.available()).totalStocks, models.manifest.stocks.length, 'manifest failures are not remembered');
  sc2.dispose();
  sc.dispose();
});

test('a model file the core rejects → format_error with the fine code; nothing half-loaded', async () => {
  const hostile = JSON.parse(readFileSync(repoPath('tests/hostile/cases.json'), 'utf8')).find((c) => c.code === 'tensor_overlap');
  const bytes = readFileSync(repoPath(`tests/hostile/${hostile.file}`));
  const { createHash } = await import('node:crypto');
  // Serve it under a manifest that vouches for it (so only the core can object).
  const s = specific()[9];
  const m = structuredClone(models.manifest);
  const st = m.stocks.find((x) => x.symbol === s);
  st.sha256 = createHash('sha256').update(bytes).digest('hex');
  st.bytes = bytes.length;
  srv.fault('/manifest.json', { body: JSON.stringify(m) });
  srv.fault(fileOf(s), { body: bytes });
  const sc = await create({ fallback: false });
  const heap0 = sc.stats().wasmHeapBytes;
  await assert.rejects(sc.predict({ symbol: s, horizon: '1d' }), (e) => {
    assert.equal(e.code, 'format_error');
    assert.equal(e.detail, 'tensor_overlap');
    return true;
  });
  const st1 = sc.stats();
  assert.equal(st1.models.resident, 0);
  assert.equal(st1.models.loadFailures, 1);
  assert.equal(st1.wasmHeapBytes, heap0);
  sc.dispose();
});

test('1,000 concurrent predictions over the 66 symbols (cacheSize 20): equal to sequential; no file fetched twice', async () => {
  const symbols = models.manifest.stocks.map((s) => s.symbol);
  const horizons = ['1d', '5d', '10d', '30d'];
  const seq = await create({ predictionTtlMs: 0 });
  const want = new Map();
  for (const s of symbols) for (const h of horizons) want.set(`${s}|${h}`, (await seq.predict({ symbol: s, horizon: h })).predictedPrice);
  seq.dispose();
  srv.resetHits();
  const sc = await create({ cacheSize: 20, predictionTtlMs: 0 });
  const jobs = Array.from({ length: 1000 }, (_, i) => ({ symbol: symbols[(i * 7) % symbols.length], horizon: horizons[i % 4] }));
  const got = await Promise.all(jobs.map((j) => sc.predict(j)));
  got.forEach((p, i) => assert.equal(p.predictedPrice, want.get(`${jobs[i].symbol}|${jobs[i].horizon}`), `${jobs[i].symbol} ${jobs[i].horizon}`));
  const files = new Set(models.manifest.stocks.map((s) => `/${s.file}`));
  const st = sc.stats();
  for (const f of files) assert.ok(srv.hits(f) <= 1, `${f} fetched ${srv.hits(f)} times`);
  assert.equal(st.models.loads, Math.min(files.size, st.models.loads));
  assert.ok(st.models.resident <= 20);
  if (files.size <= 20) assert.equal(st.models.evictions, 0);
  for (const s of symbols) assert.ok(srv.hits(`/history/${s}.json`) <= 1);
  sc.dispose();
});

test('concurrency with a small LRU (cacheSize 3): answers still equal; every fetch is a load; evictions happen', async () => {
  const symbols = specific().slice(0, 8);
  const seq = await create({ predictionTtlMs: 0 });
  const want = new Map();
  for (const s of symbols) want.set(s, (await seq.predict({ symbol: s, horizon: '5d' })).predictedPrice);
  seq.dispose();
  srv.resetHits();
  const sc = await create({ cacheSize: 3, predictionTtlMs: 0 });
  const jobs = Array.from({ length: 400 }, (_, i) => symbols[(i * 5) % symbols.length]);
  const got = await Promise.all(jobs.map((s) => sc.predict({ symbol: s, horizon: '5d' })));
  got.forEach((p, i) => assert.equal(p.predictedPrice, want.get(jobs[i])));
  const st = sc.stats();
  const fetches = symbols.reduce((a, s) => a + srv.hits(fileOf(s)), 0);
  assert.equal(fetches, st.models.loads, 'a model is never fetched twice for one load (shared loads)');
  assert.ok(st.models.resident <= 3);
  sc.dispose();
});

test('LRU by bytes: maxCacheBytes bounds the resident bytes', async () => {
  const syms = specific().slice(0, 4);
  const sizes = syms.map((s) => bySymbol.get(s).bytes);
  const budget = 2 * Math.max(...sizes) + 1; // any two files fit, three do not
  assert.ok(3 * Math.min(...sizes) > budget);
  const sc = await create({ maxCacheBytes: budget, predictionTtlMs: 0 });
  for (const s of syms) await sc.predict({ symbol: s, horizon: '1d' });
  const st = sc.stats();
  assert.ok(st.models.residentBytes <= budget);
  assert.equal(st.models.evictions, 2);
  assert.deepEqual(st.models.residentFiles, syms.slice(2).map((s) => bySymbol.get(s).file));
  // Least recently *used*: touching the older one keeps it.
  await sc.predict({ symbol: syms[2], horizon: '5d' });
  await sc.predict({ symbol: syms[0], horizon: '1d' });
  assert.deepEqual(sc.stats().models.residentFiles, [syms[2], syms[0]].map((s) => bySymbol.get(s).file));
  sc.dispose();
});

test('persistent store: a reload works offline', async () => {
  const store = pkg.createMemoryStore();
  const s = specific()[0];
  const a = await create({ store });
  const p = await a.predict({ symbol: s, horizon: '1d' });
  a.dispose();
  await new Promise((r) => setTimeout(r, 20)); // store.put runs after the load
  // The server is now "offline" for everything.
  for (const f of ['/manifest.json', fileOf(s), `/history/${s}.json`]) srv.fault(f, { status: 503, sticky: true });
  srv.resetHits();
  const b = await create({ store, retries: 0 });
  const q = await b.predict({ symbol: s, horizon: '1d' });
  assert.equal(q.predictedPrice, p.predictedPrice);
  assert.equal(q.stale, true, 'the history is the store\'s last good copy');
  assert.equal(q.dataDate, p.dataDate);
  assert.equal(p.stale, false);
  assert.equal(b.stats().models.storeHits, 1);
  assert.equal(srv.hits(fileOf(s)), 0, 'the model came from the store, not the network');
  srv.clearFaults();
  b.dispose();
});

test('progress in bytes', async () => {
  const events = [];
  const sc = await create({ onProgress: (e) => events.push(e) });
  const s = specific()[0];
  await sc.predict({ symbol: s, horizon: '1d' });
  const mine = events.filter((e) => e.url.endsWith(fileOf(s)));
  assert.ok(mine.length >= 2);
  assert.equal(mine.at(-1).loaded, bySymbol.get(s).bytes);
  assert.equal(mine.at(-1).total, bySymbol.get(s).bytes);
  for (let i = 1; i < mine.length; i++) assert.ok(mine[i].loaded >= mine[i - 1].loaded);
  sc.dispose();
});

test('10,000 predictions with constant evictions: WASM heap stable after warm-up', async () => {
  const syms = specific().slice(0, 3);
  const hist = Object.fromEntries(syms.map((s) => [s, rowsOf(s)]));
  const store = pkg.createMemoryStore(); // no HTTP in the loop: this measures the registry and the core
  const sc = await create({ cacheSize: 2, predictionTtlMs: 0, store });
  const horizons = ['1d', '5d', '10d', '30d'];
  let heapAfterWarmup = 0;
  const handles0 = sc.stats().wasmObjects.handles;
  for (let i = 0; i < 10000; i++) {
    const s = syms[Math.floor(i / 10) % 3]; // a new model every 10 predictions, evicting one
    await sc.predict({ symbol: s, horizon: horizons[i % 4], history: hist[s] });
    if (i === 999) heapAfterWarmup = sc.stats().wasmHeapBytes;
    if (i % 1000 === 0) {
      // No leaked Embind object: live LoadedModels are the resident ones, no val handle left behind.
      const { models, wasmObjects } = sc.stats();
      assert.equal(wasmObjects.models, models.resident, `prediction ${i}: live LoadedModel objects`);
      assert.equal(wasmObjects.handles, handles0, `prediction ${i}: live emscripten::val handles`);
    }
  }
  const st = sc.stats();
  assert.ok(st.models.evictions >= 990, `evictions ${st.models.evictions}`);
  assert.equal(st.wasmHeapBytes, heapAfterWarmup, 'no WASM memory growth after warm-up');
  assert.equal(st.wasmObjects.models, st.models.resident, 'live LoadedModel objects == resident models');
  assert.equal(st.wasmObjects.handles, handles0, 'no leaked emscripten::val handle');
  sc.clearCache();
  assert.equal(sc.stats().wasmObjects.models, 0, 'clearCache() deletes every LoadedModel');
  assert.equal(st.predictions, 10000);
  sc.dispose();
});
