// Requests sharing one AbortSignal add one 'abort' listener to it between them, not one each
// (web/src/net.js onAbort): Node warns past 10 listeners on one EventTarget
// (MaxListenersExceededWarning), and a long-lived signal must not collect listeners. Counts
// only, no timing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { importPackage, modelsDir } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';

let srv;
let pkg;
let models;
const warnings = [];
const onWarning = (w) => warnings.push(w);

before(async () => {
  models = modelsDir();
  srv = await startServer(models.dir);
  pkg = await importPackage('node.js');
  process.on('warning', onWarning);
});
after(() => {
  process.off('warning', onWarning);
  return srv.close();
});

const listeners = (signal) => getEventListeners(signal, 'abort').length;
const leakWarnings = () => warnings.filter((w) => w.name === 'MaxListenersExceededWarning');
const tick = () => new Promise((r) => setImmediate(r));

test('1,000 predictions on one signal: no MaxListenersExceededWarning, at most one listener while in flight, none after', async () => {
  const symbols = models.manifest.stocks.map((s) => s.symbol);
  const caller = new AbortController();
  const instance = new AbortController();
  const sc = await pkg.createStockcast({ baseUrl: srv.url, retryDelayMs: 5, signal: instance.signal });
  try {
    const before = listeners(caller.signal);
    const calls = [];
    for (let i = 0; i < 1000; i++) calls.push(sc.predict({ symbol: symbols[i % symbols.length], horizon: '10d', signal: caller.signal }));
    let peak = 0;
    let settled = false;
    const all = Promise.all(calls).finally(() => (settled = true));
    while (!settled) {
      peak = Math.max(peak, listeners(caller.signal), listeners(instance.signal));
      await tick();
    }
    const out = await all;
    assert.equal(out.length, 1000);
    assert.ok(peak <= 1, `${peak} abort listeners on one signal at once`);
    assert.equal(listeners(caller.signal), before, 'listeners removed once every request settled');
    assert.equal(listeners(instance.signal), 1, "the instance's own listener only");
    // A cold batch of every symbol on one signal, then again warm.
    for (let k = 0; k < 2; k++) {
      if (k === 0) sc.clearCache();
      const r = await sc.predictBatch({ symbols, horizon: '5d', signal: caller.signal });
      assert.equal(r.summary.failed, 0);
      assert.equal(listeners(caller.signal), before);
    }
    await tick();
    assert.deepEqual(leakWarnings().map((w) => w.message), []);
  } finally {
    sc.dispose();
  }
});

test('aborting the shared signal still rejects every request waiting on it, and leaves no listener', async () => {
  const symbols = models.manifest.stocks.map((s) => s.symbol);
  const caller = new AbortController();
  const sc = await pkg.createStockcast({ baseUrl: srv.url, retryDelayMs: 5 });
  try {
    const calls = symbols.map((symbol) => sc.predict({ symbol, horizon: '10d', signal: caller.signal }));
    await tick();
    caller.abort();
    const out = await Promise.allSettled(calls);
    for (const r of out) if (r.status === 'rejected') assert.equal(r.reason.code, 'aborted');
    assert.ok(out.some((r) => r.status === 'rejected'), 'the abort reached requests in flight');
    assert.equal(listeners(caller.signal), 0);
    // The instance still works.
    const p = await sc.predict({ symbol: symbols[0], horizon: '10d' });
    assert.equal(p.symbol, symbols[0]);
    assert.deepEqual(leakWarnings().map((w) => w.message), []);
  } finally {
    sc.dispose();
  }
});
