#!/usr/bin/env node
// Where a warm predict() spends its time in headless Chromium: V8's sampling profiler (the CDP
// Profiler domain, through playwright's CDPSession) over many calls of the package's predict()
// (every call a never-seen history, as bench/browser/warm.mjs), on the page's main thread.
// Self time is summed per function and per category: the WebAssembly forward pass and the rest of
// the core, the Embind glue (copies across the boundary, value objects), the package's JavaScript
// by file, the browser's promise/microtask machinery, and garbage collection.
//   node bench/browser/profile.mjs [--calls N] [--kernel float32|int16] [--sync] [--top N] [--json FILE]
// Function names inside the .wasm come from its name section, which the release link strips: relink
// the same objects with names (the command of build-wasm/CMakeFiles/stockcast_wasm.dir/link.txt plus
// --profiling-funcs, -o DIR/stockcast.mjs), copy web/dist, put DIR's stockcast.wasm and .mjs in the
// copy and point STOCKCAST_DIST at it; without names every wasm function is one row
// (docs/benchmarks.md#where-the-browser-time-goes-benchbrowserprofilemjs).
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const at = (p) => path.join(root, p);
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const CALLS = Number(opt('--calls', 4000));
const TOP = Number(opt('--top', 25));
const dist = path.resolve(process.env.STOCKCAST_DIST || at('web/dist'));
if (!existsSync(path.join(dist, 'index.js'))) {
  console.error(`profile.mjs: ${dist}/index.js is missing; run bash scripts/build-web.sh`);
  process.exit(2);
}
const { launch } = await import(pathToFileURL(at('tests/e2e/helpers.mjs')).href);
const { startServer } = await import(pathToFileURL(at('tests/node/helpers/server.mjs')).href);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stockcast-profile-'));
symlinkSync(dist, path.join(tmp, 'pkg'));
symlinkSync(at('models'), path.join(tmp, 'models'));
for (const f of ['warm.html', 'warm-lib.js', 'warm-worker.js']) copyFileSync(path.join(here, 'pages', f), path.join(tmp, f));
const srv = await startServer(tmp);
const browser = await launch();
let profile, msPerCall;
try {
  const page = await browser.newPage();
  await page.goto(`${srv.url}warm.html`);
  await page.waitForFunction(() => window.__ready);
  const o = { ...(opt('--kernel') ? { kernel: opt('--kernel') } : {}), ...(args.includes('--sync') ? { sync: true } : {}) };
  await page.evaluate((o) => window.bench.add('p', 'main', 'ours-predict', o), o);
  for (let i = 0; i < 10; i++) await page.evaluate(() => window.bench.run('p', 200)); // warm: V8 tiers up
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 }); // µs
  await cdp.send('Profiler.start');
  msPerCall = await page.evaluate((n) => window.bench.run('p', n), CALLS);
  ({ profile } = await cdp.send('Profiler.stop'));
} finally {
  await browser.close();
  srv.close();
  rmSync(tmp, { recursive: true, force: true });
}

// Self time per node: samples × the mean interval.
const total = profile.endTime - profile.startTime; // µs
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) || 0) + 1);
const perSample = total / profile.samples.length;
const byFn = new Map();
const byCat = new Map();
const category = (cf) => {
  const file = cf.url ? path.basename(new URL(cf.url, 'http://x').pathname) : '';
  if (cf.url.endsWith('.wasm') || /^(wasm-function|\$)/.test(cf.functionName) || file === '') {
    if (cf.functionName === '(garbage collector)') return 'garbage collection';
    if (cf.functionName === '(program)' || cf.functionName === '(idle)' || cf.functionName === '(root)') return `V8 ${cf.functionName}`;
    if (/^(wasm-function|\$)|^[a-z_].*::|^stockcast|^Eigen|^emscripten|^_embind|^std|^__|^dl|^em|^memcpy|^memset/.test(cf.functionName) || cf.url.endsWith('.wasm'))
      return /nn::|kernels|gemm|lstm_cell|cell_block|Network::forward/.test(cf.functionName) ? 'wasm: forward pass (nn::Network::forward and its kernels)' : 'wasm: the rest of the core and Embind C++';
    return `native/builtin: ${cf.functionName || '(anonymous)'}`;
  }
  if (file === 'stockcast.mjs') return 'Embind JS glue (stockcast.mjs): conversions, value objects';
  if (file === 'warm-lib.js' || file === 'warm.html') return 'benchmark harness';
  return `package: ${file}`;
};
for (const n of profile.nodes) {
  const c = counts.get(n.id) || 0;
  if (!c) continue;
  const us = c * perSample;
  const cf = n.callFrame;
  const name = `${cf.functionName || '(anonymous)'} ${cf.url ? `${path.basename(new URL(cf.url, 'http://x').pathname)}:${cf.lineNumber + 1}` : ''}`.trim();
  byFn.set(name, (byFn.get(name) || 0) + us);
  const cat = category(cf);
  byCat.set(cat, (byCat.get(cat) || 0) + us);
}
const busy = [...byCat].filter(([k]) => !/\(idle\)|\(program\)|\(root\)/.test(k)).reduce((a, [, v]) => a + v, 0);
const lines = [`${CALLS} warm predict() calls on the main thread, ${msPerCall.toFixed(4)} ms per call (under the profiler); sampled every 50 µs; per call µs = self time ÷ ${CALLS}.`, '',
  '| category | µs per call | share of busy time |', '| --- | --- | --- |'];
for (const [k, v] of [...byCat].sort((a, b) => b[1] - a[1])) lines.push(`| ${k} | ${(v / CALLS).toFixed(1)} | ${/\(idle\)|\(program\)|\(root\)/.test(k) ? '—' : `${((100 * v) / busy).toFixed(1)} %`} |`);
lines.push('', `Top ${TOP} functions by self time:`, '', '| function | µs per call |', '| --- | --- |');
for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, TOP)) lines.push(`| \`${k}\` | ${(v / CALLS).toFixed(2)} |`);
lines.push('', `Load: \`${execFileSync('uptime', { encoding: 'utf8' }).trim()}\`.`);
console.log(lines.join('\n'));
if (opt('--json')) writeFileSync(opt('--json'), JSON.stringify({ msPerCall, byCat: Object.fromEntries(byCat), byFn: Object.fromEntries(byFn) }, null, 1));
