#!/usr/bin/env node
// Import → first prediction in headless Chromium (Debian's, driven by playwright-core), for the
// npm package (as published and as an app's esbuild bundle), onnxruntime-web and TensorFlow.js.
// Every run gets a fresh browser context (empty HTTP cache and Cache Storage); everything is
// fetched from a local HTTP server on 127.0.0.1. Runs are interleaved across libraries.
//   node bench/browser/first.mjs [--runs N] [--json FILE] [--libs ours,ours-bundled,ort,tfjs] [--doc FILE]
// --doc rewrites the block between the first: markers of FILE (docs/benchmarks.md).
// Needs web/dist (scripts/build-web.sh), bench/peers/node_modules (npm ci --prefix bench/peers)
// and bench/peers/nn_stock_specific.onnx (scripts/export_onnx.py); scripts/bench.sh does all that.
// Our answer is checked against the Node package's; the peers' against our raw forward.
import { existsSync, mkdirSync, readFileSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const at = (p) => path.join(root, p);
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const RUNS = Number(opt('--runs', 7));
const LIBS = opt('--libs', 'ours,ours-bundled,ort,tfjs').split(',');
const { requirePeerInputs, peerTree } = await import('./peer-tree.mjs');
requirePeerInputs('first.mjs');

const { launch } = await import(pathToFileURL(at('tests/e2e/helpers.mjs')).href);
const { startServer } = await import(pathToFileURL(at('tests/node/helpers/server.mjs')).href);

// The served tree: symlinks into the repository plus the generated peer files (the TensorFlow.js
// layers model with the golden weights when tfjs runs).
const tmp = await peerTree('first', { pages: ['first.html'], tfjs: LIBS.includes('tfjs') });

// An app's bundle of the browser entry (esbuild, as bench/package/size.mjs measures it).
const bundleDir = path.join(tmp, 'pkg-bundle');
mkdirSync(bundleDir);
{
  const { build } = await import(pathToFileURL(at('bench/package/node_modules/esbuild/lib/main.js')).href).catch(() => {
    execFileSync(process.execPath, [at('bench/package/size.mjs'), '--no-fail'], { stdio: ['ignore', 2, 2] }); // installs esbuild
    return import(pathToFileURL(at('bench/package/node_modules/esbuild/lib/main.js')).href);
  });
  await build({ entryPoints: [at('web/dist/index.js')], bundle: true, minify: true, format: 'esm', platform: 'browser', outfile: path.join(bundleDir, 'index.js'), logLevel: 'error' });
  copyFileSync(at('web/dist/stockcast.wasm'), path.join(bundleDir, 'stockcast.wasm'));
}

// References: the Node package's SCOM prediction; our raw forward of the same window.
const { createStockcast } = await import(pathToFileURL(at('web/dist/node.js')).href);
const srv = await startServer(tmp);
const ref = await createStockcast({ baseUrl: `${srv.url}models/` });
const refPrice = (await ref.predict({ symbol: 'SCOM', horizon: '10d' })).predictedPrice;
ref.dispose();
const { loadModule } = await import(pathToFileURL(at('tests/node/support.mjs')).href);
const M = await loadModule();
const golden = new M.LoadedModel(readFileSync(at('tests/golden/nn_stock_specific.stkm')), true);
const refY = Array.from(golden.forward(Float32Array.from({ length: 60 }, (_, i) => 0.01 * (i % 17) - 0.08), null, 1).y);
golden.delete();

const uptimeBefore = execFileSync('uptime', { encoding: 'utf8' }).trim();
const browser = await launch();
const browserVersion = browser.version();
const results = Object.fromEntries(LIBS.map((l) => [l, []]));
const failures = [];
try {
  for (let run = 0; run < RUNS + 1; run++) {
    for (const lib of LIBS) {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(`${srv.url}first.html?lib=${lib}`);
        await page.waitForFunction(() => window.__result, null, { timeout: 60_000 });
        const r = await page.evaluate(() => ({
          ...window.__result,
          // Where the time went: every fetch, relative to navigation start.
          resources: performance.getEntriesByType('resource').map((e) => ({ name: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd, bytes: e.transferSize })),
        }));
        if (r.error) throw new Error(r.error);
        const want = lib.startsWith('ours') ? [refPrice] : refY;
        const diff = Math.max(...want.map((v, i) => Math.abs(v - r.y[i]) / (lib.startsWith('ours') ? Math.abs(v) : 1)));
        if (!(diff <= 1e-5)) throw new Error(`answer ${r.y} differs from the reference ${want}`);
        // The answer's wait after the last byte arrived: this library's own work on the critical path.
        r.tailMs = r.t0 + r.firstMs - Math.max(...r.resources.map((x) => x.end));
        if (run > 0) results[lib].push(r); // run 0 warms the browser process and the OS file cache
      } catch (e) {
        failures.push(`${lib}: ${e.message}`);
      } finally {
        await context.close();
      }
    }
  }
} finally {
  await browser.close();
  srv.close();
  rmSync(tmp, { recursive: true, force: true });
}

const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const summary = {};
for (const [lib, rs] of Object.entries(results)) {
  if (!rs.length) continue;
  const phases = rs[0].phases && Object.fromEntries(Object.keys(rs[0].phases).map((k) => [k, median(rs.map((r) => r.phases[k]))]));
  summary[lib] = { firstMedian: median(rs.map((r) => r.firstMs)), firstMin: Math.min(...rs.map((r) => r.firstMs)), firstMax: Math.max(...rs.map((r) => r.firstMs)),
    importMedian: median(rs.map((r) => r.importMs)), tailMedian: median(rs.map((r) => r.tailMs)), phases, runs: rs.length, resources: rs[rs.length >> 1].resources };
}
const f = (v) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const lines = [];
lines.push(`Import → first prediction in headless Chromium ${browserVersion} (fresh context per run, ${RUNS} runs each, libraries interleaved, served from 127.0.0.1):`, '');
lines.push('| library | median ms | min–max ms | of which import ms | after the last fetch ms | this ÷ ours-bundled |');
lines.push('| --- | --- | --- | --- | --- | --- |');
const ref0 = summary['ours-bundled'] || summary.ours;
for (const [lib, s] of Object.entries(summary))
  lines.push(`| ${lib} | ${f(s.firstMedian)} | ${f(s.firstMin)}–${f(s.firstMax)} | ${f(s.importMedian)} | ${f(s.tailMedian)} | ${ref0 ? (s.firstMedian / ref0.firstMedian).toFixed(2) + '×' : '—'} |`);
lines.push('');
for (const [lib, s] of Object.entries(summary)) {
  const parts = [];
  if (s.phases) parts.push(`phases (median ms): ${Object.entries(s.phases).map(([k, v]) => `${k} ${f(v)}`).join(', ')}`);
  parts.push(`fetches of the median run (ms from navigation): ${s.resources.map((r) => `\`${r.name}\` ${f(r.start)}→${f(r.end)}`).join(', ')}`);
  lines.push(`- ${lib}: ${parts.join('; ')}.`);
}
lines.push('', `Load: before \`${uptimeBefore}\`; after \`${execFileSync('uptime', { encoding: 'utf8' }).trim()}\`.`);
console.log(lines.join('\n'));
if (opt('--doc')) {
  const file = path.resolve(root, opt('--doc'));
  const block = `<!-- first:begin (written by bench/browser/first.mjs; edit outside these markers) -->\nRun ${new Date().toISOString()} with \`${opt('--command', `node bench/browser/first.mjs ${args.join(' ')}`)}\`.\n\n${lines.join('\n')}\n<!-- first:end -->`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const re = /<!-- first:begin[^]*?<!-- first:end -->/;
  writeFileSync(file, re.test(old) ? old.replace(re, () => block) : `${old.trimEnd()}\n\n${block}\n`);
  console.error(`wrote ${path.relative(root, file)}`);
}
if (opt('--json')) writeFileSync(opt('--json'), JSON.stringify({ date: new Date().toISOString(), runs: RUNS, summary, failures }, null, 1));
if (failures.length) {
  console.error(`first.mjs: ${failures.length} failed run(s):\n${failures.join('\n')}`);
  process.exitCode = 1;
}
