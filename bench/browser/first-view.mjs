#!/usr/bin/env node
// Time to the first forecast visible, in headless Chromium with a cold cache (a fresh browser
// context each run: empty HTTP cache, Cache Storage and service workers), against a site already
// served on localhost; plus the JavaScript the first view downloads (each response gzip-compressed
// here with zlib level 9, as a server would send it), split into the app (framework + pages +
// chart library) and the stockcast package (worker, glue), beside the .wasm.
//   node bench/browser/first-view.mjs --url http://127.0.0.1:8080/ [--runs 5] [--selector CSS] [--json FILE]
// The default selector is the forecast card once filled: #prediction[data-state="ready"].
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const URL_ = opt('--url');
const RUNS = Number(opt('--runs', 5));
const SELECTOR = opt('--selector', '#prediction[data-state="ready"]');
if (!URL_) {
  console.error('first-view.mjs: --url is required (serve the site first, e.g. node scripts/serve-demo.mjs)');
  process.exit(2);
}
const { launch } = await import(pathToFileURL(path.join(root, 'tests/e2e/helpers.mjs')).href);

// Which download is the package's own (the worker client, the worker with the package modules,
// the Emscripten glue): the demo's /pkg/ files, or bundler chunks holding strings that survive
// minification (an export name, the glue's hook, an error message of the package).
const isPackage = (u, body) => /\/pkg\//.test(u) || (/\/_next\//.test(u) && /createStockcastWorker|instantiateWasm|model_not_found/.test(body));

const browser = await launch();
const times = [];
let sizes;
try {
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const got = [];
    ctx.on('response', (r) => got.push(r));
    const t0 = Date.now();
    await page.goto(URL_);
    await page.waitForSelector(SELECTOR, { timeout: 60_000 });
    times.push(Date.now() - t0);
    // Only what was downloaded before the forecast showed (the risk engine loads after it), each
    // URL once (a service worker's own fetch of a file is reported a second time).
    const before = [...new Map(got.map((r) => [r.url(), r])).values()];
    if (i === 0) {
      sizes = { appJs: 0, packageJs: 0, wasm: 0, files: [] };
      for (const r of before) {
        const type = r.headers()['content-type'] || '';
        const u = r.url();
        let body;
        try {
          body = await r.body();
        } catch {
          continue;
        }
        const gz = gzipSync(body, { level: 9 }).length;
        if (/wasm/.test(type) || u.endsWith('.wasm')) sizes.wasm += gz;
        else if (/javascript/.test(type) || /\.m?js(\?|$)/.test(u)) {
          const pkg = isPackage(u, body.toString('latin1'));
          sizes[pkg ? 'packageJs' : 'appJs'] += gz;
          sizes.files.push({ url: u.replace(/^https?:\/\/[^/]+/, ''), raw: body.length, gzip: gz, package: pkg });
        }
      }
    }
    await ctx.close();
  }
} finally {
  await browser.close();
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const out = { url: URL_, runs: RUNS, times, medianMs: median, ...sizes };
console.log(`first forecast visible (cold, ${RUNS} runs): median ${median} ms  [${times.join(', ')}]`);
console.log(`JS for the first view, gzip: app ${(sizes.appJs / 1024).toFixed(1)} KB + stockcast package ${(sizes.packageJs / 1024).toFixed(1)} KB; .wasm ${(sizes.wasm / 1024).toFixed(1)} KB`);
for (const f of sizes.files) console.log(`  ${f.package ? 'pkg' : 'app'} ${String(f.gzip).padStart(7)} B gz  ${String(f.raw).padStart(8)} B  ${f.url}`);
if (opt('--json')) writeFileSync(opt('--json'), JSON.stringify(out, null, 2));
