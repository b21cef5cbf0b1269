// The demo site (web/demo) in headless Chromium, served by scripts/serve-demo.mjs with a fresh
// package build: first visit (prediction equal to the Node API's, sector table, typed error for an
// unknown symbol, risk panel, portfolio), then a second visit with the models path switched off.
// STOCKCAST_SCREENSHOT=path saves a full-page screenshot of the stock view there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildPackage, launchPersistent, startDemo, tmpDir, ROOT } from './helpers.mjs';

let pkg;
let srv;
let profile;
let node; // the Node API against the same server
const pageErrors = [];
const foreign = []; // requests to anything but the demo server: there must be none

before(async () => {
  pkg = buildPackage();
  srv = await startDemo({ pkgDir: pkg.dir });
  profile = tmpDir('stockcast-e2e-profile-');
  const { createStockcast } = await import(pathToFileURL(path.join(pkg.dir, 'node.js')).href);
  node = await createStockcast({ baseUrl: `${srv.url}models/` });
});
after(async () => {
  node?.dispose();
  await srv?.close();
  pkg?.cleanup();
  profile?.cleanup();
});

async function openDemo(query = '') {
  const ctx = await launchPersistent(profile.dir);
  const page = ctx.pages()[0] || (await ctx.newPage());
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  ctx.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(srv.url) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });
  await page.goto(`${srv.url}${query}`);
  return { ctx, page };
}

const readPrediction = (page) => page.evaluate(() => {
  const d = (id) => document.querySelector(id);
  return {
    symbol: d('#pred-symbol').textContent,
    horizon: d('#prediction').dataset.horizon,
    currentPrice: Number(d('#pred-current').dataset.value), currentText: d('#pred-current').textContent,
    predictedPrice: Number(d('#pred-price').dataset.value), predictedText: d('#pred-price').textContent,
    lower: Number(d('#pred-interval').dataset.lower), upper: Number(d('#pred-interval').dataset.upper), intervalText: d('#pred-interval').textContent,
    expectedReturn: Number(d('#pred-return').dataset.value), returnText: d('#pred-return').textContent,
    direction: d('#pred-direction').dataset.value,
    probabilities: Object.fromEntries([...d('#pred-probs').children].map((c) => [c.className, Number(c.dataset.value)])),
    mape: Number(d('#pred-mape').dataset.mape), naiveMape: Number(d('#pred-mape').dataset.naiveMape), mapeText: d('#pred-mape').textContent,
    modelType: d('#pred-model').dataset.value, confidence: d('#pred-confidence').dataset.value,
  };
});

function assertSame(shown, p) {
  assert.equal(shown.symbol, p.symbol);
  assert.equal(shown.horizon, p.horizon);
  assert.equal(shown.currentPrice, p.currentPrice);
  assert.equal(shown.predictedPrice, p.predictedPrice);
  assert.equal(shown.predictedText, p.predictedPrice.toFixed(2));
  assert.equal(shown.currentText, p.currentPrice.toFixed(2));
  assert.equal(shown.lower, p.interval.lower);
  assert.equal(shown.upper, p.interval.upper);
  assert.equal(shown.intervalText, `${p.interval.lower.toFixed(2)} – ${p.interval.upper.toFixed(2)}`);
  assert.equal(shown.expectedReturn, p.expectedReturn);
  assert.equal(shown.direction, p.direction);
  assert.deepEqual(shown.probabilities, p.probabilities);
  assert.equal(shown.modelType, p.modelType);
  assert.equal(shown.confidence, p.confidence);
  assert.ok(p.heldOut, 'SCOM has a test-year MAPE');
  assert.equal(shown.mape, p.heldOut.mape);
  assert.equal(shown.naiveMape, p.heldOut.naiveMape);
  assert.equal(shown.mapeText, `${p.heldOut.mape.toFixed(2)} % vs ${p.heldOut.naiveMape.toFixed(2)} %`);
}

let firstVisit; // SCOM 10d as shown on the first visit

test('first visit: SCOM prediction equals the Node API, sector table, typed error, risk, portfolio', async () => {
  const { ctx, page } = await openDemo('?symbol=EQTY');
  try {
    await page.waitForSelector('#prediction[data-state="ready"][data-symbol="EQTY"]', { timeout: 60_000 });
    // Selecting SCOM in the grouped picker.
    await page.selectOption('#stock-select', 'SCOM');
    await page.waitForSelector('#prediction[data-state="ready"][data-symbol="SCOM"]', { timeout: 30_000 });
    const want = await node.predict({ symbol: 'SCOM', horizon: '10d' });
    firstVisit = await readPrediction(page);
    assertSame(firstVisit, want);
    assert.equal(await page.locator('#chart svg polyline.price').count(), 1, 'the price history is drawn');
    assert.equal(await page.locator('#chart svg circle.pt').count(), 4, 'one forecast point per horizon');

    // Another horizon.
    await page.check('input[name="horizon"][value="5d"]');
    await page.waitForSelector('#prediction[data-state="ready"][data-symbol="SCOM"][data-horizon="5d"]', { timeout: 30_000 });
    assertSame(await readPrediction(page), await node.predict({ symbol: 'SCOM', horizon: '5d' }));
    await page.check('input[name="horizon"][value="10d"]');
    await page.waitForSelector('#prediction[data-horizon="10d"]', { timeout: 30_000 });

    // Risk panel: a report, or the typed error shown in place (never a spinner forever).
    await page.waitForSelector('#risk[data-state="ready"], #risk[data-state="error"]', { timeout: 60_000 });
    if ((await page.getAttribute('#risk', 'data-state')) === 'ready') {
      const risk = await node.risk({ symbol: 'SCOM' });
      assert.equal(Number(await page.getAttribute('#risk-score', 'data-value')), risk.risk_score.total);
    }
    if (process.env.STOCKCAST_SCREENSHOT) await page.screenshot({ path: path.resolve(ROOT, process.env.STOCKCAST_SCREENSHOT), fullPage: true });

    // An unknown symbol typed in: the typed error as a message, the page keeps working.
    await page.fill('#symbol-input', 'SCOMM');
    await page.click('#symbol-go');
    await page.waitForSelector('#message[data-code="model_not_found"]', { state: 'visible', timeout: 30_000 });
    const msg = await page.textContent('#message');
    assert.match(msg, /SCOMM/);
    assert.match(msg, /Did you mean SCOM\?/);
    assert.match(msg, /model_not_found/);
    await page.click('#message a[data-symbol="SCOM"]');
    await page.waitForSelector('#message', { state: 'hidden', timeout: 30_000 });
    assert.equal((await readPrediction(page)).predictedPrice, want.predictedPrice);

    // Sector view: one predictSector call fills the table; headers sort.
    await page.click('#tab-sector');
    await page.waitForSelector('#sector-table[data-state="ready"][data-sector="Banking"]', { timeout: 60_000 });
    const sector = await node.predictSector({ sector: 'Banking', horizon: '10d' });
    const rows = await page.$$eval('#sector-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.symbol, tr.children[3].textContent]));
    assert.equal(rows.length, sector.results.length);
    const bySym = new Map(sector.results.map((r) => [r.symbol, r.prediction.predictedPrice.toFixed(2)]));
    for (const [sym, price] of rows) assert.equal(price, bySym.get(sym), sym);
    await page.click('#sector-table th[data-key="symbol"]');
    const sorted = await page.$$eval('#sector-table tbody tr', (trs) => trs.map((tr) => tr.dataset.symbol));
    assert.deepEqual(sorted, [...sorted].sort((a, b) => a.localeCompare(b)));
    await page.click('#sector-table th[data-key="symbol"]');
    const reversed = await page.$$eval('#sector-table tbody tr', (trs) => trs.map((tr) => tr.dataset.symbol));
    assert.deepEqual(reversed, [...sorted].reverse());

    // Portfolio view: weights and risk contributions, or the typed error in place.
    await page.click('#tab-portfolio');
    await page.selectOption('#portfolio-method', 'min_variance');
    await page.click('#portfolio-form button[type="submit"]');
    await page.waitForSelector('#portfolio-result[data-state="ready"], #portfolio-result[data-state="error"]', { timeout: 60_000 });
    if ((await page.getAttribute('#portfolio-result', 'data-state')) === 'ready') {
      const w = await page.$$eval('#portfolio-table td[data-value]', (tds) => tds.map((td) => Number(td.dataset.value)));
      assert.ok(w.length >= 2);
      assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-6, `weights sum to 1: ${w}`);
    }

    // Model cache panel.
    const resident = Number(await page.getAttribute('#cache-stats', 'data-resident'));
    assert.ok(resident >= 2, `resident models: ${resident}`);
    assert.ok(Number(await page.getAttribute('#cache-stats', 'data-bytes')) > 0);
    // The worker's Cache Storage holds the model files before we leave.
    const cached = await page.evaluate(async () => {
      let n = 0;
      for (const k of await caches.keys()) n += (await (await caches.open(k)).keys()).length;
      return n;
    });
    assert.ok(cached >= 3, `Cache Storage entries: ${cached}`);
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(foreign, [], 'no request leaves the demo origin');
  } finally {
    await ctx.close();
  }
});

test('second visit with the model server unavailable still predicts (Cache Storage)', async () => {
  assert.ok(firstVisit, 'the first visit ran');
  srv.setModelsAvailable(false);
  srv.resetHits();
  const { ctx, page } = await openDemo();
  try {
    await page.waitForSelector('#prediction[data-state="ready"][data-symbol="SCOM"]', { timeout: 60_000 });
    const shown = await readPrediction(page);
    assert.equal(shown.predictedPrice, firstVisit.predictedPrice);
    assert.equal(shown.mape, firstVisit.mape);
    assert.ok(srv.hits('/models/manifest.json') >= 1, 'the page did try the model server');
    assert.equal(Number(await page.getAttribute('#cache-stats', 'data-bytes')), 0, 'nothing downloaded');
    assert.equal(await page.locator('#chart svg polyline.price').count(), 1, 'the chart history came from Cache Storage');
    assert.equal(await page.isVisible('#message'), false);
    assert.deepEqual(pageErrors, []);
  } finally {
    await ctx.close();
    srv.setModelsAvailable(true);
  }
});
