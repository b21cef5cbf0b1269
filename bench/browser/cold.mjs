#!/usr/bin/env node
// Where the core's first model load and first prediction spend their time in headless Chromium:
// the same page (bench/browser/pages/cold.html) under V8's default lazy compilation of WebAssembly
// functions and with it turned off (--js-flags=--no-wasm-lazy-compilation: every function compiled
// up front). Fresh context per run; medians of N runs after one warm-up run.
//   node bench/browser/cold.mjs [--runs N]
// Needs web/dist (scripts/build-web.sh); Chromium and playwright-core as the e2e tests install them.
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = process.argv.slice(2);
const RUNS = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 5);
const { launch, LAUNCH_ARGS } = await import(pathToFileURL(path.join(root, 'tests/e2e/helpers.mjs')).href);
const { startServer } = await import(pathToFileURL(path.join(root, 'tests/node/helpers/server.mjs')).href);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stockcast-cold-'));
symlinkSync(path.join(root, 'web/dist'), path.join(tmp, 'pkg'));
symlinkSync(path.join(root, 'models'), path.join(tmp, 'models'));
copyFileSync(path.join(here, 'pages/cold.html'), path.join(tmp, 'cold.html'));
const srv = await startServer(tmp);
const keys = ['compile', 'instantiate', 'load1', 'load2', 'predict1', 'predict2'];
console.log(`| V8 flags | ${keys.join(' | ')} |`);
console.log(`| --- | ${keys.map(() => '---').join(' | ')} |`);
try {
  for (const flags of [[], ['--js-flags=--no-wasm-lazy-compilation']]) {
    const browser = await launch({ args: [...LAUNCH_ARGS, ...flags] });
    const runs = [];
    try {
      for (let k = 0; k <= RUNS; k++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${srv.url}cold.html`);
        await page.waitForFunction(() => window.__result, null, { timeout: 60_000 });
        const r = await page.evaluate(() => window.__result);
        await context.close();
        if (r.error) throw new Error(r.error);
        if (k > 0) runs.push(r);
      }
    } finally {
      await browser.close();
    }
    const median = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[runs.length >> 1];
    console.log(`| ${flags.join(' ') || 'default (lazy)'} | ${keys.map((k) => median(k).toFixed(1)).join(' | ')} |`);
  }
} finally {
  srv.close();
  rmSync(tmp, { recursive: true, force: true });
}
