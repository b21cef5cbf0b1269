// The per-origin limit on requests in flight (createStockcast({maxConcurrentRequests}), default 6;
// web/src/net.js createGate): a cold predictBatch of every symbol starts ~83 requests at once,
// and a server with a small listen backlog drops the connection attempts beyond it (the client
// then waits out TCP's retransmission timers). The servers here listen with a backlog of 2 and
// count the requests and connections they see at once. No timing assertions.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { repoPath } from './support.mjs';
import { importPackage, modelsDir, packageDir } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';

let pkg;
let models;
let symbols;
let requestsPerBatch; // manifest + each model file once + one history per symbol
before(async () => {
  models = modelsDir();
  pkg = await importPackage('node.js');
  symbols = models.manifest.stocks.map((s) => s.symbol);
  requestsPerBatch = 1 + new Set(models.manifest.stocks.map((s) => s.file)).size + symbols.length;
});

// A fresh server per test (a backlog of 2), so no connection kept alive by an earlier test counts.
async function withServer(fn) {
  const srv = await startServer(models.dir, { backlog: 2 });
  try {
    return await fn(srv);
  } finally {
    await srv.close();
  }
}

const totalHits = (srv) => [...srv.allHits().values()].reduce((a, n) => a + n, 0);

async function coldBatch(srv, options) {
  const sc = await pkg.createStockcast({ baseUrl: srv.url, retryDelayMs: 5, ...options });
  try {
    const r = await sc.predictBatch({ symbols, horizon: '10d' });
    assert.equal(r.summary.total, symbols.length);
    assert.equal(r.summary.failed, 0, JSON.stringify(r.results.find((x) => !x.ok)));
    return r;
  } finally {
    sc.dispose();
  }
}

test('predictBatch of every symbol, default limit: at most 6 requests and 6 connections at once (backlog 2); each file fetched once', async () => {
  await withServer(async (srv) => {
    await coldBatch(srv);
    const peak = srv.peak();
    assert.ok(peak.requests <= 6, `${peak.requests} requests in flight at once`);
    assert.ok(peak.requests > 1, 'requests do run in parallel');
    assert.ok(peak.connections <= 6, `${peak.connections} connections open at once (keep-alive agent, maxSockets per origin)`);
    assert.equal(totalHits(srv), requestsPerBatch);
  });
});

test('the limit applies to a custom fetch too (globalThis.fetch, maxConcurrentRequests 3)', async () => {
  await withServer(async (srv) => {
    await coldBatch(srv, { fetch: globalThis.fetch, maxConcurrentRequests: 3 });
    assert.ok(srv.peak().requests <= 3, `${srv.peak().requests} requests in flight at once`);
    assert.equal(totalHits(srv), requestsPerBatch);
  });
});

test('a limit of 1 serialises the requests (one connection, kept alive)', async () => {
  await withServer(async (srv) => {
    await coldBatch(srv, { maxConcurrentRequests: 1 });
    assert.deepEqual(srv.peak(), { requests: 1, connections: 1 });
    assert.equal(totalHits(srv), requestsPerBatch);
  });
});

test('the Web Worker client passes the limit to the worker', async () => {
  const dist = await packageDir();
  const { createStockcastWorker } = await import(path.join(dist, 'worker-client.js'));
  const worker = new Worker(repoPath('tests/node/helpers/worker-host.mjs'), { workerData: { dist } });
  try {
    await withServer(async (srv) => {
      const w = await createStockcastWorker({ worker, baseUrl: srv.url, maxConcurrentRequests: 1 });
      const r = await w.predictBatch({ symbols, horizon: '10d' });
      assert.equal(r.summary.failed, 0);
      assert.equal(srv.peak().requests, 1);
      await w.dispose();
    });
  } finally {
    await worker.terminate();
  }
});

test('an aborted queued request leaves the queue at once, rejects with aborted and never reaches the server', async () => {
  const [held, queued, later] = models.manifest.stocks.filter((s) => s.model_type === 'stock_specific');
  const history = (symbol) => JSON.parse(readFileSync(path.join(models.dir, 'history', `${symbol}.json`), 'utf8')).rows;
  await withServer(async (srv) => {
    const sc = await pkg.createStockcast({ baseUrl: srv.url, maxConcurrentRequests: 1, fallback: false });
    try {
      await sc.available(); // the manifest, so the calls below request only their model files
      // The one slot is held by a model download whose body stalls until the client goes away.
      srv.fault(`/${held.file}`, { stall: 10 });
      const c1 = new AbortController();
      let heldSettled = false;
      const p1 = sc.predict({ symbol: held.symbol, horizon: '1d', history: history(held.symbol), signal: c1.signal });
      p1.catch(() => {}).finally(() => (heldSettled = true));
      while (srv.hits(`/${held.file}`) === 0) await new Promise((r) => setTimeout(r, 5));

      // Every step of this call up to the gate is a microtask: after a timer it waits in the queue.
      const c2 = new AbortController();
      const p2 = sc.predict({ symbol: queued.symbol, horizon: '1d', history: history(queued.symbol), signal: c2.signal });
      await new Promise((r) => setTimeout(r, 20));
      c2.abort();
      await assert.rejects(p2, { code: 'aborted' });
      assert.equal(heldSettled, false, 'rejected while the slot was still held, not when it came free');

      c1.abort();
      await assert.rejects(p1, { code: 'aborted' });
      const p3 = await sc.predict({ symbol: later.symbol, horizon: '1d', history: history(later.symbol) });
      assert.equal(typeof p3.predictedPrice, 'number', 'the freed slot serves the next request');
      assert.equal(srv.hits(`/${queued.file}`), 0, 'the aborted request never reached the server');
    } finally {
      sc.dispose();
    }
  });
});

test('the gate: request order per origin, origins independent, an aborted waiter leaves at once, release is idempotent', async () => {
  const { createGate } = await import(path.join(await packageDir(), 'net.js'));
  const gate = createGate(1);
  const order = [];
  const r1 = await gate('http://a.test/1');
  const w2 = gate('http://a.test/2').then((release) => (order.push(2), release));
  const c = new AbortController();
  const w3 = gate('http://a.test/3', c.signal);
  const w4 = gate('http://a.test/4').then((release) => (order.push(4), release));
  const other = await gate('http://b.test/1'); // another origin does not wait for a.test
  c.abort();
  await assert.rejects(w3, { code: 'aborted' });
  assert.deepEqual(order, []);
  r1();
  r1(); // a second release must not free a second slot
  const r2 = await w2;
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(order, [2], 'one slot: 4 waits for 2');
  r2();
  (await w4)();
  assert.deepEqual(order, [2, 4]);
  other();
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(gate('http://a.test/5', pre.signal), { code: 'aborted' });
});

test('maxConcurrentRequests: an integer >= 1 or Infinity; anything else is invalid_input', async () => {
  for (const v of [0, -1, 1.5, NaN, -Infinity, '6', null, true])
    await assert.rejects(pkg.createStockcast({ maxConcurrentRequests: v }), { code: 'invalid_input', field: 'maxConcurrentRequests' }, String(v));
  for (const v of [1, 6, 64, Infinity]) (await pkg.createStockcast({ maxConcurrentRequests: v })).dispose();
});
