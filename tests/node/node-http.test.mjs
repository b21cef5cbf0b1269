// The Node entry's default transport (web/src/node-http.js, node:http instead of the global
// fetch): the same answers as with fetch, global fetch never touched, redirects, compressed
// bodies, and its failures as the package's typed errors. The fault tests in registry.test.mjs
// run over this transport too.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoPath } from './support.mjs';
import { importPackage, modelsDir, packageDir } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';

let srv;
let pkg;
let models;
before(async () => {
  models = modelsDir();
  srv = await startServer(models.dir);
  pkg = await importPackage('node.js');
});
after(() => srv.close());
afterEach(() => srv.clearFaults());

const create = (o = {}) => pkg.createStockcast({ baseUrl: srv.url, retryDelayMs: 5, predictionTtlMs: 0, ...o });
const specific = () => models.manifest.stocks.find((s) => s.model_type === 'stock_specific');

test('default transport: same prediction as the global fetch, and the global fetch is never called', async () => {
  const { symbol } = specific();
  const viaFetch = await create({ fetch: globalThis.fetch });
  const expected = await viaFetch.predict({ symbol, horizon: '5d' });
  viaFetch.dispose();

  const realFetch = globalThis.fetch;
  let calls = 0;
  globalThis.fetch = (...a) => {
    calls++;
    return realFetch(...a);
  };
  try {
    srv.resetHits();
    const sc = await create();
    const got = await sc.predict({ symbol, horizon: '5d' });
    sc.dispose();
    assert.equal(calls, 0);
    assert.ok(srv.hits('/manifest.json') >= 1, 'the manifest came over HTTP');
    assert.equal(got.predictedPrice, expected.predictedPrice);
    assert.deepEqual(got.predictions, expected.predictions);
  } finally {
    globalThis.fetch = realFetch;
  }
});

test('redirects are followed (relative Location); a redirect loop is a fetch_failed, not a hang', async () => {
  srv.resetHits();
  srv.fault('/manifest.json', { redirect: '/manifest.json?moved=1' });
  const sc = await create();
  const { stocks } = await sc.available();
  assert.equal(stocks.length, models.manifest.stocks.length);
  assert.equal(srv.hits('/manifest.json'), 2);
  sc.dispose();

  srv.fault('/manifest.json', { redirect: '/manifest.json', sticky: true });
  const loop = await create({ retries: 1 });
  await assert.rejects(loop.available(), (e) => {
    assert.equal(e.code, 'fetch_failed');
    assert.equal(e.attempts, 2);
    assert.match(e.message, /redirects/);
    return true;
  });
  loop.dispose();
});

test('a gzip-encoded model is decoded before its SHA-256 is checked; progress counts decoded bytes', async () => {
  const spec = specific();
  const file = `/${spec.file}`;
  const bytes = readFileSync(`${models.dir}/${spec.file}`);
  srv.fault(file, { gzip: true });
  const seen = [];
  const sc = await create({ onProgress: (p) => p.url.endsWith(spec.file) && seen.push(p.loaded) });
  const p = await sc.predict({ symbol: spec.symbol, horizon: '1d' });
  assert.equal(typeof p.predictedPrice, 'number');
  assert.equal(seen.at(-1), bytes.length);
  sc.dispose();
});

test('an abort while the body is stalled mid-way ends the call at once; nothing cached; the next call starts a fresh load', async () => {
  const spec = specific();
  srv.fault(`/${spec.file}`, { stall: 1000 });
  const sc = await create({ fallback: false });
  const c = new AbortController();
  const t0 = Date.now();
  setTimeout(() => c.abort(), 150);
  await assert.rejects(sc.predict({ symbol: spec.symbol, horizon: '1d', signal: c.signal }), { code: 'aborted' });
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  assert.equal(sc.stats().models.resident, 0);
  const p = await sc.predict({ symbol: spec.symbol, horizon: '1d' });
  assert.equal(typeof p.predictedPrice, 'number');
  sc.dispose();
});

// HTTPS needs a certificate the client trusts: a child process gets the committed self-signed one
// through NODE_EXTRA_CA_CERTS (read at start-up), and without it the call fails as fetch_failed.
test('https: baseUrl works over node:https with a trusted certificate; an untrusted one is a fetch_failed', async () => {
  const tlsDir = repoPath('tests/node/helpers/tls');
  const tls = { key: readFileSync(path.join(tlsDir, 'key.pem')), cert: readFileSync(path.join(tlsDir, 'cert.pem')) };
  const secure = await startServer(models.dir, { tls });
  try {
    const { symbol } = specific();
    const local = await create();
    const expected = (await local.predict({ symbol, horizon: '5d' })).predictedPrice;
    local.dispose();
    const script = `
      const { createStockcast } = await import(${JSON.stringify(path.join(await packageDir(), 'node.js'))});
      const sc = await createStockcast({ baseUrl: ${JSON.stringify(secure.url)}, retries: 0 });
      try { console.log(JSON.stringify({ price: (await sc.predict({ symbol: ${JSON.stringify(symbol)}, horizon: '5d' })).predictedPrice })); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
      sc.dispose();`;
    const run = async (env) =>
      JSON.parse((await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env } })).stdout);
    assert.deepEqual(await run({ NODE_EXTRA_CA_CERTS: path.join(tlsDir, 'cert.pem') }), { price: expected });
    const untrusted = await run({ NODE_EXTRA_CA_CERTS: '' });
    assert.equal(untrusted.code, 'fetch_failed');
    assert.match(untrusted.message, /certificate/i);
  } finally {
    await secure.close();
  }
});

test('a URL that is not http(s) is a fetch_failed naming the reason', async () => {
  const sc = await create({ baseUrl: 'ftp://127.0.0.1/models/', retries: 0 });
  await assert.rejects(sc.available(), (e) => {
    assert.equal(e.code, 'fetch_failed');
    assert.match(e.message, /only http: and https:/);
    return true;
  });
  sc.dispose();
});
