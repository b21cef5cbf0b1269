// The package under a strict Content-Security-Policy in headless Chromium:
//   default-src 'self'; script-src 'self' 'wasm-unsafe-eval'
// (no 'unsafe-eval', no inline script): Emscripten's glue is built with DYNAMIC_EXECUTION=0, so
// Embind makes no `new Function`. A static page (tests/e2e/csp/) predicts and computes a risk
// report, on the page and in a Web Worker; no CSP violation may be reported (event or console),
// and the numbers must equal the Node API's against the same server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildPackage, launch, E2E, ROOT } from './helpers.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };

let pkg;
let server;
let url;

before(async () => {
  pkg = buildPackage();
  const mounts = [['/pkg/', pkg.dir], ['/models/', path.join(ROOT, 'models')], ['/', path.join(E2E, 'csp')]];
  server = createServer(async (req, res) => {
    const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (p === '/favicon.ico') return res.writeHead(204, { 'content-security-policy': CSP }).end();
    const [prefix, dir] = mounts.find(([m]) => p.startsWith(m));
    let file = path.join(dir, path.normalize(p.slice(prefix.length - 1)));
    try {
      if (!file.startsWith(dir) || (await stat(file)).isDirectory()) file = path.join(dir, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'content-security-policy': CSP });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-security-policy': CSP }).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${server.address().port}/`;
});
after(async () => {
  await new Promise((r) => (server ? server.close(r) : r()));
  pkg?.cleanup();
});

test('strict CSP: predict and risk on a page and in a worker, no violation, same numbers as Node', { timeout: 180_000 }, async () => {
  const browser = await launch();
  const consoleErrors = [];
  const pageErrors = [];
  let result;
  let violations;
  try {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text())) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('response', (r) => r.status() >= 400 && consoleErrors.push(`HTTP ${r.status()} ${r.url()}`));
    const res = await page.goto(url);
    assert.equal(res.headers()['content-security-policy'], CSP);
    await page.waitForFunction(() => window.__result, null, { timeout: 120_000 });
    result = await page.evaluate(() => window.__result);
    violations = await page.evaluate(() => window.__violations);
  } finally {
    await browser.close();
  }
  assert.equal(result.error, undefined, result.error);
  assert.deepEqual(violations, [], 'securitypolicyviolation events');
  assert.deepEqual(consoleErrors, [], 'console errors');
  assert.deepEqual(pageErrors, []);

  const { createStockcast } = await import(pathToFileURL(path.join(pkg.dir, 'node.js')).href);
  const node = await createStockcast({ baseUrl: `${url}models/` });
  try {
    const p = await node.predict({ symbol: 'SCOM', horizon: '10d' });
    const r = await node.risk({ symbol: 'SCOM' });
    const want = JSON.parse(JSON.stringify({
      prediction: { symbol: p.symbol, horizon: p.horizon, currentPrice: p.currentPrice, predictedPrice: p.predictedPrice, interval: p.interval,
        expectedReturn: p.expectedReturn, logReturn: p.logReturn, direction: p.direction, probabilities: p.probabilities, modelType: p.modelType },
      risk: { risk_score: r.risk_score, volatility: r.volatility, var: r.var, drawdown: r.drawdown, market: r.market, indicators: r.indicators },
    }));
    assert.ok(want.risk.market, 'the market index was used (beta/correlation)');
    assert.deepEqual(result.page, want, 'page == Node');
    assert.deepEqual(result.worker, want, 'worker == Node');
  } finally {
    node.dispose();
  }
});
