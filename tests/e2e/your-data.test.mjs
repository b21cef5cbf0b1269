// The frontend's "Your data" view (/your-data) in headless Chromium under the demo server's strict
// CSP: pick the sample CSV, fine-tune in the tab (stockcast-train.wasm fetched on first use),
// live loss curves, the forecast with its interval, the held-out line beside naive, and the model
// file downloaded. No page error, console error or CSP violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildApp, launch, startDemo, ROOT } from './helpers.mjs';

let srv;
let browser;
before(async () => {
  const build = buildApp();
  console.log(`# next build (static export): ${(build.ms / 1000).toFixed(1)} s`);
  srv = await startDemo();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.close();
});

test('your data: sample CSV -> fine-tune with live curves -> forecast, held-out line, model download', async () => {
  const ctx = await browser.newContext({ acceptDownloads: true });
  const problems = [];
  await ctx.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  try {
    await page.goto(`${srv.url}your-data`);
    await page.waitForSelector('#csv-file');
    assert.equal(await page.getAttribute('#sample-csv', 'href'), '/sample-nasi.csv');
    const sample = path.join(ROOT, 'web/app/public/sample-nasi.csv');
    await page.setInputFiles('#csv-file', sample);
    await page.waitForSelector('#csv-summary');
    const rows = readFileSync(sample, 'utf8').trim().split('\n').length - 1;
    assert.match(await page.textContent('#csv-summary'), new RegExp(`${rows} rows`));
    assert.ok(!requests.some((u) => u.includes('stockcast-train')), 'the trainer is fetched on first use only');
    await page.fill('#model-name', 'mine');
    await page.click('#train');
    await page.waitForSelector('#your-data[data-state="done"]', { timeout: 120_000 });
    assert.ok(requests.some((u) => /stockcast-train\.[\w-]+\.wasm|stockcast-train\.wasm/.test(u)), 'trainer fetched');
    assert.ok((await page.$$('#loss-curves polyline')).length === 2);
    const validation = await page.textContent('#yd-validation');
    assert.match(validation, /error [\d.]+ % vs naive “no change” [\d.]+ %/);
    const seconds = Number(/([\d.]+) s, \d+ epochs/.exec(validation)[1]);
    console.log(`# fine-tune in headless Chromium (the app worker, ${rows} rows): ${seconds} s — ${validation.trim()}`);
    assert.equal(await page.locator('#yd-forecast tbody tr').count(), 4);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
    assert.equal(download.suggestedFilename(), 'MINE.stkm');
    const bytes = readFileSync(await download.path());
    assert.equal(bytes.subarray(0, 7).toString('latin1'), 'STKCAST', 'a stockcast model file');
    assert.ok(bytes.length > 10_000);
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(problems, []);
  } finally {
    await ctx.close();
  }
});
