// The frontend (web/app, Next.js App Router, static export) in headless Chromium, served by
// scripts/serve-demo.mjs exactly as `npm start` serves it: the export and the models from one
// origin, nosniff, and the strict CSP with the SHA-256 of each page's inline scripts.
// Every number shown is checked against the Node API (stockcast/node) on the same server.
//   load; pick a stock; every horizon (from sc.available().horizons); the risk panel; a bad
//   symbol and its suggestion; a model kind toggled onto the chart and the ensemble's weights; the sector table sorted by columns; a portfolio; deep links opened
//   directly; keyboard and labels; 375 px and 1440 px; a second visit with the model server
//   down (Cache Storage); a first visit with it down (fetch_failed explained); a visit with the
//   whole server stopped (service worker + Cache Storage); the factor-models view (deep links,
//   out_of_range and clamp, a stock's computed features, the comparison chart, keyboard, 375 px;
//   with the model server down on the second visit).
// No page error, console error, CSP violation or request to another origin on any of them (the
// offline visits allow only the browser's own "Failed to load resource" lines for the refused
// model requests).
// STOCKCAST_SCREENSHOTS=docs writes docs/screenshot-{stock,kinds,sector,portfolio,375}.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp, launchPersistent, startDemo, tmpDir, ROOT } from './helpers.mjs';
import { modelsDir, withTransformer } from '../node/helpers/fixtures.mjs';

const SHOTS = process.env.STOCKCAST_SCREENSHOTS ? path.resolve(ROOT, process.env.STOCKCAST_SCREENSHOTS) : null;
let srv;
let profile;
let node; // the Node API against the same server
let info;
let build;
const problems = []; // page errors, console errors, CSP violations, foreign requests, HTTP errors
let allowRefused = false; // the offline visits: refused /models/ requests are expected

before(async () => {
  build = buildApp();
  console.log(`# next build (static export): ${(build.ms / 1000).toFixed(1)} s`);
  srv = await startDemo();
  profile = tmpDir('stockcast-e2e-app-');
  const { createStockcast } = await import(pathToFileURL(path.join(ROOT, 'web/dist/node.js')).href);
  node = await createStockcast({ baseUrl: `${srv.url}models/` });
  info = await node.available();
});
after(async () => {
  node?.dispose();
  await srv?.close();
  profile?.cleanup();
});

async function open(url, { width = 1280, height = 900, server = srv } = {}) {
  const ctx = await launchPersistent(profile.dir, { viewport: { width, height } });
  await ctx.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const watch = (page) => {
    page.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
    page.on('console', (m) => {
      const t = m.text();
      if (allowRefused && /Failed to load resource|ERR_CONNECTION_REFUSED|503/.test(t)) return;
      if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(t)) problems.push(`console: ${t}`);
    });
  };
  ctx.on('page', watch);
  for (const p of ctx.pages()) watch(p);
  ctx.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(server.url) && !u.startsWith('data:') && !u.startsWith('blob:')) problems.push(`foreign request: ${u}`);
  });
  ctx.on('response', (r) => {
    if (r.status() >= 400 && !(allowRefused && r.url().includes('/models/'))) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  const res = await page.goto(`${server.url}${url}`);
  return { ctx, page, res };
}

async function noProblems(page) {
  const v = await page.evaluate(() => window.__violations);
  assert.deepEqual(v, [], 'securitypolicyviolation events');
  assert.deepEqual(problems, []);
}

const readPrediction = (page) => page.evaluate(() => {
  const d = (id) => document.querySelector(id);
  return {
    symbol: d('#pred-symbol').textContent,
    horizon: d('#prediction').dataset.horizon,
    currentPrice: Number(d('#pred-current').dataset.value), currentText: d('#pred-current').textContent,
    predictedPrice: Number(d('#pred-price').dataset.value), predictedText: d('#pred-price').textContent,
    lower: Number(d('#pred-interval').dataset.lower), upper: Number(d('#pred-interval').dataset.upper), intervalText: d('#pred-interval').textContent,
    expectedReturn: Number(d('#pred-return').dataset.value),
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
  assert.ok(p.heldOut, `${p.symbol} has a test-year MAPE`);
  assert.equal(shown.mape, p.heldOut.mape);
  assert.equal(shown.naiveMape, p.heldOut.naiveMape);
  assert.equal(shown.mapeText, `${p.heldOut.mape.toFixed(2)} % vs ${p.heldOut.naiveMape.toFixed(2)} %`);
}

const ready = (page, sym, h) => page.waitForSelector(`#prediction[data-state="ready"][data-symbol="${sym}"]${h ? `[data-horizon="${h}"]` : ''}`, { timeout: 60_000 });

let firstVisit; // SCOM 10d as shown on the first visit

test('stock view: strict CSP, pick a stock, every horizon, chart, risk panel, bad symbol with its suggestion', async () => {
  const { ctx, page, res } = await open('?symbol=EQTY');
  try {
    const csp = res.headers()['content-security-policy'];
    assert.match(csp, /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')+$/, csp);
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
    assert.equal(res.headers()['x-content-type-options'], 'nosniff');
    await ready(page, 'EQTY');
    // Pick SCOM in the grouped picker.
    await page.selectOption('#stock-select', 'SCOM');
    await ready(page, 'SCOM');
    assert.match(page.url(), /symbol=SCOM/);
    firstVisit = await readPrediction(page);
    assertSame(firstVisit, await node.predict({ symbol: 'SCOM', horizon: '10d' }));
    // The chart: uPlot's canvas, the history and one point per horizon.
    await page.waitForSelector('#chart[data-ready="true"] canvas');
    assert.ok(Number(await page.getAttribute('#chart', 'data-history-points')) >= 60);
    assert.equal(Number(await page.getAttribute('#chart', 'data-horizons')), info.horizons.length);
    assert.equal(await page.locator('#horizons-table tbody tr').count(), info.horizons.length);
    // Every horizon the manifest declares, through the radio buttons.
    assert.deepEqual(await page.$$eval('input[name="horizon"]', (xs) => xs.map((x) => x.value)), info.horizons);
    for (const h of info.horizons) {
      await page.check(`input[name="horizon"][value="${h}"]`);
      await ready(page, 'SCOM', h);
      assertSame(await readPrediction(page), await node.predict({ symbol: 'SCOM', horizon: h }));
    }
    await page.check('input[name="horizon"][value="10d"]');
    await ready(page, 'SCOM', '10d');
    // Risk panel: the report equal to Node's.
    await page.waitForSelector('#risk[data-state="ready"], #risk[data-state="error"]', { timeout: 60_000 });
    assert.equal(await page.getAttribute('#risk', 'data-state'), 'ready', await page.textContent('#risk'));
    const risk = await node.risk({ symbol: 'SCOM' });
    assert.equal(Number(await page.getAttribute('#risk-score', 'data-value')), risk.risk_score.total);
    assert.equal(Number(await page.getAttribute('#risk-beta', 'data-value')), risk.market.beta);
    assert.equal(Number(await page.getAttribute('#risk-drawdown', 'data-value')), risk.drawdown.max_drawdown);
    assert.ok((await page.locator('#risk-var tbody tr').count()) >= 4, 'VaR / ES rows');
    assert.ok((await page.locator('#risk .factor').count()) >= 4, 'the score factors');
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'screenshot-stock.png'), fullPage: true });

    // An unknown symbol typed in: model_not_found with the suggestion, which recovers.
    await page.fill('#symbol-input', 'SCOMM');
    await page.click('#symbol-go');
    await page.waitForSelector('#message[data-code="model_not_found"]', { timeout: 30_000 });
    const msg = await page.textContent('#message');
    assert.match(msg, /SCOMM/);
    assert.match(msg, /Did you mean SCOM\?/);
    await page.click('#message [data-symbol="SCOM"]');
    await ready(page, 'SCOM');
    assert.equal(await page.locator('#message').count(), 0);
    assert.equal((await readPrediction(page)).predictedPrice, firstVisit.predictedPrice);

    // Model cache panel and the worker's Cache Storage.
    await page.waitForFunction(() => Number(document.querySelector('#cache-stats')?.dataset.resident) >= 2, null, { timeout: 10_000 });
    assert.ok(Number(await page.getAttribute('#cache-stats', 'data-bytes')) > 0);
    assert.match(await page.textContent('#cache-panel'), /Evictions/);
    // Health panel: the default history source with its breaker closed, latency percentiles per call.
    await page.waitForSelector('#health-panel[data-status="ok"] #health-sources tr[data-state="closed"]', { timeout: 10_000 });
    assert.match(await page.textContent('#health-panel'), /history\//);
    assert.match(await page.textContent('#health-panel'), /WebAssembly/);
    assert.equal(await page.locator('#pred-stale').count(), 0, 'fresh data has no stale badge');
    const cached = await page.evaluate(async () => {
      let n = 0;
      for (const k of await caches.keys()) n += (await (await caches.open(k)).keys()).length;
      return n;
    });
    assert.ok(cached >= 3, `Cache Storage entries: ${cached}`);
    await noProblems(page);
  } finally {
    await ctx.close();
  }
});

// The model kinds of issue 15 on the stock view. The shipped manifest's kinds when it lists more
// than the LSTM; otherwise the same models plus a 'transformer' kind (the general model's file
// renamed, tests/node/helpers/fixtures.mjs withTransformer) on a second demo server.
test('stock view: a model kind toggled onto the chart, its numbers equal the Node API\'s; the ensemble\'s weights; deep link', async () => {
  const shipped = (await node.modelInfo('SCOM')).models;
  const extra = shipped.length > 1 ? null : withTransformer(modelsDir());
  const server = extra ? await startDemo({ modelsDir: extra.dir }) : srv;
  const { createStockcast } = await import(pathToFileURL(path.join(ROOT, 'web/dist/node.js')).href);
  const api = extra ? await createStockcast({ baseUrl: `${server.url}models/` }) : node;
  const { ctx, page } = await open('?symbol=SCOM', { server });
  try {
    await ready(page, 'SCOM');
    const kinds = (await api.modelInfo('SCOM')).models;
    await page.waitForSelector('#model-kinds');
    assert.deepEqual(await page.$$eval('#model-kinds input[name="model-kind"]', (xs) => xs.map((x) => x.value)), kinds.map((k) => k.model));
    assert.equal(await page.isChecked('#model-kinds input[value="lstm"]'), true);
    assert.equal(await page.isDisabled('#model-kinds input[value="lstm"]'), true, 'the routed LSTM is always drawn');
    assert.equal(await page.getAttribute('#chart', 'data-kinds'), 'lstm');
    // Toggle the first other kind on: its fan on the chart, its numbers in the table equal Node's.
    const other = kinds.find((k) => k.servedBy !== 'routed').model;
    await page.check(`#model-kinds input[value="${other}"]`);
    await page.waitForSelector(`#model-kinds [data-kind="${other}"][data-state="ready"]`, { timeout: 60_000 });
    await page.waitForSelector(`#chart[data-ready="true"][data-kinds="lstm,${other}"] canvas`);
    assert.match(page.url(), new RegExp(`models=${other}`));
    const want = await api.predict({ symbol: 'SCOM', horizon: '10d', model: other });
    const row = `#kinds-table tr[data-kind="${other}"]`;
    assert.equal(await page.getAttribute(row, 'data-model'), want.model);
    assert.equal(Number(await page.getAttribute(`${row} td:nth-of-type(1)`, 'data-value')), want.predictedPrice);
    assert.equal(Number(await page.getAttribute(`${row} td:nth-of-type(2)`, 'data-lower')), want.interval.lower);
    assert.equal(Number(await page.getAttribute(`${row} td:nth-of-type(2)`, 'data-upper')), want.interval.upper);
    if (want.heldOut) assert.equal(Number(await page.getAttribute(`${row} td:nth-of-type(4)`, 'data-value')), want.heldOut.mape);
    assert.equal(Number(await page.getAttribute('#kinds-table tr[data-kind="lstm"] td:nth-of-type(1)', 'data-value')), (await api.predict({ symbol: 'SCOM', horizon: '10d' })).predictedPrice);
    // The ensemble (when the manifest has it): its member weights as bars, equal to Node's answer.
    if (kinds.some((k) => k.model === 'ensemble')) {
      await page.check('#model-kinds input[value="ensemble"]');
      await page.waitForSelector('#ensemble-weights[data-horizon="10d"]', { timeout: 60_000 });
      const e = await api.predict({ symbol: 'SCOM', horizon: '10d', model: 'ensemble' });
      const bars = await page.$$eval('#ensemble-weights li', (lis) => lis.map((li) => [li.dataset.member, Number(li.dataset.weight), li.dataset.included === 'true']));
      assert.deepEqual(bars, e.members.map((m) => [m.name, m.weight, m.included]));
      assert.ok(bars.length >= 2);
      // Another horizon: the weights follow.
      await page.check('input[name="horizon"][value="5d"]');
      await page.waitForSelector('#ensemble-weights[data-horizon="5d"]');
      const e5 = await api.predict({ symbol: 'SCOM', horizon: '5d', model: 'ensemble' });
      assert.deepEqual(await page.$$eval('#ensemble-weights li', (lis) => lis.map((li) => Number(li.dataset.weight))), e5.members.map((m) => m.weight));
      await page.uncheck('#model-kinds input[value="ensemble"]');
      await page.waitForSelector('#ensemble-weights', { state: 'detached' });
    }
    // Toggle it off: the chart is the LSTM's alone again.
    await page.uncheck(`#model-kinds input[value="${other}"]`);
    await page.waitForSelector('#chart[data-ready="true"][data-kinds="lstm"] canvas');
    assert.equal(await page.locator('#kinds-table').count(), 0);
    // A deep link with the kinds opened directly (every kind but the LSTM).
    const all = kinds.filter((k) => k.servedBy !== 'routed').map((k) => k.model);
    await page.goto(`${server.url}?symbol=SCOM&horizon=30d&models=${all.join(',')}`);
    await ready(page, 'SCOM', '30d');
    await page.waitForSelector(`#chart[data-ready="true"][data-kinds="lstm,${all.join(',')}"] canvas`, { timeout: 60_000 });
    for (const k of all) assert.equal(await page.isChecked(`#model-kinds input[value="${k}"]`), true, k);
    const w30 = await api.predict({ symbol: 'SCOM', horizon: '30d', model: other });
    assert.equal(Number(await page.getAttribute(`${row} td:nth-of-type(1)`, 'data-value')), w30.predictedPrice);
    assert.equal(await page.locator('#kinds-table tbody tr').count(), all.length + 1);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'screenshot-kinds.png'), fullPage: true });
    await noProblems(page);
  } finally {
    await ctx.close();
    if (extra) {
      api.dispose();
      await server.close();
      extra.cleanup();
    }
  }
});

test('sector view: tab navigation, the table equals predictSector, sorted by columns; deep link opened directly', async () => {
  const { ctx, page } = await open('');
  try {
    await ready(page, 'SCOM');
    await page.click('#tab-sector'); // client-side navigation inside the static export
    await page.waitForSelector('#sector-table[data-state="ready"][data-sector="Banking"]', { timeout: 60_000 });
    const sector = await node.predictSector({ sector: 'Banking', horizon: '10d' });
    const rows = await page.$$eval('#sector-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.symbol, tr.children[3].textContent]));
    assert.equal(rows.length, sector.results.length);
    const bySym = new Map(sector.results.map((r) => [r.symbol, r.prediction.predictedPrice.toFixed(2)]));
    for (const [sym, price] of rows) assert.equal(price, bySym.get(sym), sym);
    // Sorted by expected return (descending) by default; the symbol header sorts A→Z, then Z→A.
    await page.click('#sector-table th[data-key="symbol"] button');
    await page.waitForSelector('#sector-table th[data-key="symbol"][aria-sort="ascending"]'); // re-rendered from the URL
    const sorted = await page.$$eval('#sector-table tbody tr', (trs) => trs.map((tr) => tr.dataset.symbol));
    assert.deepEqual(sorted, [...sorted].sort((a, b) => a.localeCompare(b)));
    assert.equal(await page.getAttribute('#sector-table th[data-key="symbol"]', 'aria-sort'), 'ascending');
    await page.click('#sector-table th[data-key="symbol"] button');
    await page.waitForSelector('#sector-table th[data-key="symbol"][aria-sort="descending"]');
    assert.deepEqual(await page.$$eval('#sector-table tbody tr', (trs) => trs.map((tr) => tr.dataset.symbol)), [...sorted].reverse());
    assert.match(page.url(), /sort=symbol&dir=desc/);
    // By keyboard: focus the predicted-price header's button and press Enter.
    await page.focus('#sector-table th[data-key="predictedPrice"] button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#sector-table th[data-key="predictedPrice"][aria-sort="descending"]');
    const prices = await page.$$eval('#sector-table tbody tr td[data-value]', (tds) => tds.map((td) => Number(td.dataset.value)));
    assert.deepEqual(prices, [...prices].sort((a, b) => b - a));
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'screenshot-sector.png'), fullPage: true });

    // Deep link opened directly: another sector, horizon and sort.
    const other = info.sectors.find((s) => s !== 'Banking' && info.bySector[s].total >= 2);
    await page.goto(`${srv.url}sector?name=${encodeURIComponent(other)}&horizon=5d&sort=symbol&dir=asc`);
    await page.waitForSelector(`#sector-table[data-state="ready"][data-horizon="5d"]`, { timeout: 60_000 });
    assert.equal(await page.getAttribute('#sector-table', 'data-sector'), other);
    const syms = await page.$$eval('#sector-table tbody tr', (trs) => trs.map((tr) => tr.dataset.symbol));
    assert.deepEqual(syms, [...syms].sort((a, b) => a.localeCompare(b)));
    assert.equal(syms.length, info.bySector[other].total);
    await noProblems(page);
  } finally {
    await ctx.close();
  }
});

test('portfolio: deep link opened directly, then another method through the form', async () => {
  const { ctx, page } = await open('portfolio?symbols=SCOM,EQTY,KCB&method=max_sharpe');
  try {
    await page.waitForSelector('#portfolio-result[data-state="ready"][data-method="max_sharpe"]', { timeout: 60_000 });
    const want = await node.optimizePortfolio({ symbols: ['SCOM', 'EQTY', 'KCB'], method: 'max_sharpe' });
    const pf = want.portfolios.find((x) => x.method === 'max_sharpe');
    const w = await page.$$eval('#portfolio-table td[data-value]', (tds) => tds.map((td) => Number(td.dataset.value)));
    assert.deepEqual(w, pf.weights);
    assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-6, `weights sum to 1: ${w}`);
    assert.match(await page.textContent('#portfolio-summary'), /Sharpe/);
    // The form: the picker reflects the link; add EABL, switch to minimum variance.
    assert.equal(await page.isChecked('#portfolio-picker input[value="KCB"]'), true);
    await page.check('#portfolio-picker input[value="EABL"]');
    await page.selectOption('#portfolio-method', 'min_variance');
    await page.click('#portfolio-form button[type="submit"]');
    await page.waitForSelector('#portfolio-result[data-state="ready"][data-method="min_variance"]', { timeout: 60_000 });
    assert.match(page.url(), /portfolio\?symbols=[A-Z,]*EABL[A-Z,]*&method=min_variance/);
    assert.equal(await page.locator('#portfolio-table tbody tr').count(), 4);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'screenshot-portfolio.png'), fullPage: true });
    await noProblems(page);
  } finally {
    await ctx.close();
  }
});

// Every control labelled; nothing wider than the viewport.
const audit = (page) => page.evaluate(() => {
  const unlabelled = [];
  for (const e of document.querySelectorAll('input, select, button, a[href], [tabindex="0"]')) {
    const name = (e.labels && e.labels.length && [...e.labels].map((l) => l.textContent).join(' ').trim()) || e.getAttribute('aria-label') || e.textContent.trim() || e.title;
    if (!name) unlabelled.push(e.outerHTML.slice(0, 80));
  }
  return { unlabelled, overflow: document.documentElement.scrollWidth - window.innerWidth };
});

test('375 px and 1440 px: usable, every control labelled, keyboard reaches the controls; deep link with a horizon', async () => {
  for (const width of [375, 1440]) {
    const { ctx, page } = await open('?symbol=KCB&horizon=30d', { width, height: 800 });
    try {
      await ready(page, 'KCB', '30d');
      await page.waitForSelector('#chart[data-ready="true"] canvas');
      await page.waitForSelector('#risk[data-state="ready"]', { timeout: 60_000 });
      const a = await audit(page);
      assert.deepEqual(a.unlabelled, [], `unlabelled controls at ${width} px`);
      assert.ok(a.overflow <= 0, `${a.overflow} px of horizontal overflow at ${width} px`);
      const box = await page.locator('#chart canvas').first().boundingBox();
      assert.ok(box.width <= width && box.width >= Math.min(280, width - 60), `chart width ${box.width} at ${width} px`);
      // Keyboard: tab from the top reaches the stock picker, the symbol box and a horizon.
      const reached = new Set();
      await page.locator('body').focus();
      for (let i = 0; i < 16; i++) {
        await page.keyboard.press('Tab');
        reached.add(await page.evaluate(() => document.activeElement.id || document.activeElement.name || document.activeElement.tagName));
      }
      for (const id of ['tab-sector', 'stock-select', 'symbol-input', 'horizon']) assert.ok(reached.has(id), `${id} reached by Tab at ${width} px: ${[...reached]}`);
      if (SHOTS && width === 375) await page.screenshot({ path: path.join(SHOTS, 'screenshot-375.png'), fullPage: true });
      await noProblems(page);
    } finally {
      await ctx.close();
    }
  }
});

let factorFirst; // the factor deep link and its number, for the visit with the model server down
const factorReady = (page, model, extra = '') => page.waitForSelector(`#factor-result[data-state="ready"][data-model="${model}"]${extra}`, { timeout: 60_000 });

test('factor models: deep link equals predictFactors, out_of_range explained and clamped, a stock, the comparison chart, keyboard, 375 px', async () => {
  const list = await node.models();
  const lin = list.find((m) => m.name === 'factor_range_linear');
  const x = lin.features.map((f) => Number(((f.min + f.max) / 2).toPrecision(3)));
  x[0] = 0.5;
  const { ctx, page } = await open(`factors?model=factor_range_linear&f=${x.join(',')}`);
  try {
    // The deep link: the same number as the Node API, its metrics beside the baselines, the latency.
    await factorReady(page, 'factor_range_linear');
    const want = await node.predictFactors({ model: 'factor_range_linear', features: x });
    assert.equal(Number(await page.getAttribute('#factor-prediction', 'data-value')), want.prediction);
    factorFirst = { url: `factors?model=factor_range_linear&f=${x.join(',')}`, prediction: want.prediction };
    assert.equal(await page.inputValue('#feat-clv'), '0.5');
    const rows = await page.$$eval('#factor-metrics tbody tr', (trs) => trs.map((tr) => tr.dataset.row));
    assert.deepEqual(rows, Object.keys(want.metrics.test));
    assert.equal(Number(await page.getAttribute('#factor-metrics tr[data-row="persistence"] td[data-key="mae"]', 'data-value')), want.metrics.test.persistence.mae);
    assert.ok(Number(await page.getAttribute('#factor-latency', 'data-value')) >= 0);
    // Each input labelled, its valid range beside it.
    for (const f of lin.features) {
      assert.equal(await page.getAttribute(`#feat-${f.name}`, 'aria-describedby'), `range-${f.name}`);
      assert.equal(Number(await page.getAttribute(`#range-${f.name}`, 'data-max')), f.max);
      assert.match(await page.textContent(`label[for="feat-${f.name}"]`), new RegExp(f.name));
    }
    // The comparison chart: every model beside its baseline, the numbers of the manifest.
    await page.waitForSelector('#factor-chart[data-ready="true"]');
    assert.equal(Number(await page.getAttribute('#factor-chart', 'data-models')), list.length);
    assert.equal(await page.locator('#factor-chart tbody tr svg rect').count(), 2 * list.length);
    assert.equal(Number(await page.getAttribute('#factor-chart tr[data-model="factor_range_linear"]', 'data-baseline')), lin.metrics.test.persistence.mae);
    assert.equal(await page.getAttribute('#factor-chart tr[data-model="factor_range_linear"]', 'data-better'), 'baseline');
    assert.equal(Number(await page.getAttribute('#factor-chart tr[data-model="learner_mlp_1d"]', 'data-value')), list.find((m) => m.name === 'learner_mlp_1d').metrics.test.mae);
    await page.selectOption('#compare-metric', 'fit');
    await page.waitForSelector('#factor-chart[data-metric="fit"]');
    assert.equal(Number(await page.getAttribute('#factor-chart tr[data-model="factor_highrange_logistic"]', 'data-value')), list.find((m) => m.name === 'factor_highrange_logistic').metrics.test.model.auc);
    // A model name in the chart opens it in the form (same features kept: the learners share them).
    await page.click('#factor-chart button[data-pick="learner_mlp_1d"]');
    await factorReady(page, 'learner_mlp_1d');
    assert.equal(Number(await page.getAttribute('#factor-prediction', 'data-value')), (await node.predictFactors({ model: 'learner_mlp_1d', features: x })).prediction);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'factor-model');
    await page.selectOption('#factor-model', 'factor_range_linear');
    await factorReady(page, 'factor_range_linear');

    // Out of range typed in: the typed message, then "clamp" recovers with the Node API's number.
    await page.fill('#feat-range_rel', '50');
    assert.equal(await page.getAttribute('#feat-range_rel', 'aria-invalid'), 'true');
    await page.click('#factor-go');
    await page.waitForSelector('#message[data-code="out_of_range"]', { timeout: 30_000 });
    const r = lin.features.find((f) => f.name === 'range_rel');
    const g = (v) => String(Number(v.toPrecision(4)));
    assert.equal((await page.textContent('#message')).replace(/\s+/g, ' ').trim(), `factor_range_linear — range_rel = 50 is outside this model's valid range ${g(r.min)} … ${g(r.max)}. out_of_range`);
    await page.click('#factor-clamp');
    await factorReady(page, 'factor_range_linear');
    assert.match(page.url(), /clamp=1/);
    const far = [...x];
    far[2] = 50;
    const clamped = await node.predictFactors({ model: 'factor_range_linear', features: far, clamp: true });
    assert.equal(Number(await page.getAttribute('#factor-prediction', 'data-value')), clamped.prediction);
    assert.match(await page.textContent('#factor-clamped'), /range_rel = 50 was clamped/);
    assert.equal(await page.locator('#message').count(), 0);

    // A classifier: probabilities; then a stock: the core computes the features from its prices.
    await page.selectOption('#factor-model', 'factor_highrange_logistic');
    await page.selectOption('#factor-symbol', 'SCOM');
    await page.click('#factor-symbol-go');
    await factorReady(page, 'factor_highrange_logistic', '[data-symbol="SCOM"]');
    assert.match(page.url(), /model=factor_highrange_logistic.*symbol=SCOM/);
    const s = await node.predictFactors({ model: 'factor_highrange_logistic', symbol: 'SCOM', clamp: true });
    assert.equal(Number(await page.getAttribute('#factor-prediction', 'data-value')), s.prediction);
    for (const [c, p] of Object.entries(s.probabilities)) assert.equal(Number(await page.getAttribute(`#factor-probs [data-class="${c}"]`, 'data-value')), p);
    assert.equal(Number(await page.inputValue('#feat-rsi_14')), s.features.rsi_14);
    assert.match(await page.textContent('#factor-source'), new RegExp(`SCOM.*${s.dataDate}`));
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'screenshot-factors.png'), fullPage: true });
    await noProblems(page);
  } finally {
    await ctx.close();
  }
  // Through the navigation, at 375 px: labelled, no overflow, the controls reached by Tab; a deep link with a symbol.
  const small = await open('', { width: 375, height: 800 });
  try {
    const p = small.page;
    await ready(p, 'SCOM');
    await p.click('#tab-factors');
    await p.waitForSelector('#factor-chart[data-ready="true"]', { timeout: 60_000 });
    await p.goto(`${srv.url}factors?model=learner_gradient_boosting_5d&symbol=KCB&clamp=1`);
    await factorReady(p, 'learner_gradient_boosting_5d', '[data-symbol="KCB"]');
    const k = await node.predictFactors({ model: 'learner_gradient_boosting_5d', symbol: 'KCB', clamp: true });
    assert.equal(Number(await p.getAttribute('#factor-prediction', 'data-value')), k.prediction);
    await p.waitForSelector('#factor-chart[data-ready="true"]');
    const a = await audit(p);
    assert.deepEqual(a.unlabelled, [], 'unlabelled controls at 375 px');
    assert.ok(a.overflow <= 0, `${a.overflow} px of horizontal overflow at 375 px`);
    const reached = new Set();
    await p.locator('body').focus();
    for (let i = 0; i < 24; i++) {
      await p.keyboard.press('Tab');
      reached.add(await p.evaluate(() => document.activeElement.id || document.activeElement.name || document.activeElement.tagName));
    }
    for (const id of ['tab-factors', 'factor-model', 'feat-clv', 'feat-vol_20', 'factor-clamp-box', 'factor-go', 'factor-symbol', 'factor-symbol-go']) assert.ok(reached.has(id), `${id} reached by Tab: ${[...reached]}`);
    await noProblems(p);
  } finally {
    await small.ctx.close();
  }
});

test('second visit with the model server down: the same forecast from Cache Storage, nothing downloaded', async () => {
  assert.ok(firstVisit, 'the first visit ran');
  srv.setModelsAvailable(false);
  srv.resetHits();
  allowRefused = true;
  const { ctx, page } = await open('');
  try {
    await ready(page, 'SCOM');
    const shown = await readPrediction(page);
    assert.equal(shown.predictedPrice, firstVisit.predictedPrice);
    assert.equal(shown.mape, firstVisit.mape);
    assert.ok(srv.hits('/models/manifest.json') >= 1, 'the page did try the model server');
    await page.waitForFunction(() => document.querySelector('#cache-stats')?.dataset.bytes !== undefined);
    assert.equal(Number(await page.getAttribute('#cache-stats', 'data-bytes')), 0, 'nothing downloaded');
    assert.ok(Number(await page.getAttribute('#chart', 'data-history-points')) >= 60, 'the chart history came from Cache Storage');
    // Every history source failed: the forecast says it uses the stored copy, with its date.
    assert.match(await page.getAttribute('#pred-stale', 'data-date'), /^\d{4}-\d{2}-\d{2}$/);
    assert.match(await page.textContent('#pred-stale'), /stale data/);
    assert.equal(await page.locator('#message').count(), 0);
    // The factor deep link too: manifest and factor file from Cache Storage, the same number.
    assert.ok(factorFirst, 'the factor test ran');
    await page.goto(`${srv.url}${factorFirst.url}`);
    await factorReady(page, 'factor_range_linear');
    assert.equal(Number(await page.getAttribute('#factor-prediction', 'data-value')), factorFirst.prediction);
    assert.equal(await page.locator('#message').count(), 0);
    await noProblems(page);
  } finally {
    await ctx.close();
    srv.setModelsAvailable(true);
    allowRefused = false;
  }
});

test('a first visit with the model server down: fetch_failed as a helpful message, not a broken page', async () => {
  srv.setModelsAvailable(false);
  allowRefused = true;
  const fresh = tmpDir('stockcast-e2e-fresh-');
  const ctx = await launchPersistent(fresh.dir);
  try {
    const page = ctx.pages()[0] || (await ctx.newPage());
    page.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
    await page.goto(srv.url);
    await page.waitForSelector('#message[data-code="fetch_failed"]', { timeout: 60_000 });
    assert.match(await page.textContent('#message'), /model server is not answering.*manifest\.json.*503/s);
    assert.equal(await page.getAttribute('#status', 'data-state'), 'error');
    assert.deepEqual(problems, []);
  } finally {
    await ctx.close();
    fresh.cleanup();
    srv.setModelsAvailable(true);
    allowRefused = false;
  }
});

test('offline: with the whole server stopped, the service worker serves the app shell and the forecast still shows', async () => {
  assert.ok(firstVisit, 'the first visit ran');
  const url = srv.url;
  await srv.close();
  srv = null;
  allowRefused = true;
  const ctx = await launchPersistent(profile.dir);
  try {
    const page = ctx.pages()[0] || (await ctx.newPage());
    page.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
    await page.goto(url);
    await ready(page, 'SCOM');
    assert.equal((await readPrediction(page)).predictedPrice, firstVisit.predictedPrice);
    assert.equal(await page.evaluate(() => !!navigator.serviceWorker.controller), true, 'served by the service worker');
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'screenshot-offline.png') });
    assert.deepEqual(problems, []);
  } finally {
    await ctx.close();
    allowRefused = false;
  }
});
