#!/usr/bin/env node
// Size budget of the browser package: what a page that calls createStockcast() downloads, the
// way an app ships it: the browser entry (web/dist/index.js and its static imports, Emscripten's
// glue stockcast.mjs included) bundled and minified by esbuild as an app's bundler would, plus
// stockcast.wasm, each gzipped (level 9) as a server would send it. Exits 1 when the total is over
// the budget (110 KB = 112,640 bytes, gzip), or when the bundle does not hold the glue.
//   node bench/package/size.mjs [--dist DIR] [--budget BYTES] [--no-fail] [--json]
// Without --dist it measures web/dist, assembling it first with scripts/build-web.sh if missing.
// esbuild (pinned in bench/package/package-lock.json) is installed here on first use.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = process.argv.slice(2);
const opt = (n, d) => {
  if (!args.includes(n)) return d;
  const v = args[args.indexOf(n) + 1];
  if (!v) {
    console.error(`size.mjs: ${n} needs a value`);
    process.exit(2);
  }
  return v;
};
const dist = path.resolve(opt('--dist', path.join(root, 'web/dist')));
const budget = Number(opt('--budget', String(110 * 1024)));
// Only this script's report goes to stdout (--json is parsed by the tests).
if (!existsSync(path.join(dist, 'stockcast.wasm'))) execFileSync('bash', [path.join(root, 'scripts/build-web.sh'), dist], { stdio: ['ignore', 2, 2] });

async function esbuild() {
  const entry = path.join(here, 'node_modules/esbuild/lib/main.js');
  if (!existsSync(entry)) {
    // Concurrent runs: one installs, the others wait for it (mkdir is atomic).
    const lock = path.join(here, '.install-lock');
    let mine = false;
    for (let waited = 0; !mine && !existsSync(entry) && waited < 240; waited++) {
      try {
        mkdirSync(lock);
        mine = true;
      } catch {
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    if (mine) {
      try {
        if (!existsSync(entry)) {
          const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: ['ignore', 2, 2], timeout: 240_000 });
          if (r.status !== 0) throw new Error(`npm ci in ${here} failed (${r.status ?? r.signal})`);
        }
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
  }
  return import(entry);
}

const sizes = (file, bytes) => ({
  file,
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
// Code splitting on, as app bundlers (webpack, Vite, Turbopack) do: what the entry imports
// dynamically (risk.js, on the first risk call) becomes a chunk fetched only when used. The entry
// counts with every chunk it imports statically.
const bundle = async (entry) => {
  const { build } = await esbuild();
  const out = await build({ entryPoints: [path.join(dist, entry)], bundle: true, minify: true, format: 'esm', platform: 'browser', splitting: true,
    outdir: path.join(dist, '.size-out'), write: false, metafile: true, logLevel: 'error' });
  const byPath = new Map(out.outputFiles.map((f) => [path.relative(process.cwd(), f.path), f.contents]));
  // The entry's own output: dynamically imported modules (risk.js, the glues) are entry points too.
  const main = Object.entries(out.metafile.outputs).find(([, o]) => o.entryPoint && path.resolve(o.entryPoint) === path.join(dist, entry));
  const parts = [main[0]];
  for (let i = 0; i < parts.length; i++)
    for (const imp of out.metafile.outputs[parts[i]].imports) if (imp.kind === 'import-statement' && !parts.includes(imp.path)) parts.push(imp.path);
  const bytes = Buffer.concat(parts.map((p) => byPath.get(p)));
  const lazy = Object.keys(out.metafile.outputs).filter((p) => !parts.includes(p)).map((p) => byPath.get(p).length);
  const inputs = parts.flatMap((p) => Object.keys(out.metafile.outputs[p].inputs).map((i) => path.basename(i)));
  return { ...sizes(`${entry} (bundled, minified)`, bytes), lazyChunkBytes: lazy, inputs };
};
// Emscripten's glue alone, minified the same way (it is inside the entry's bundle above).
const glue = async (file, where = 'in the bundle') => {
  const { build } = await esbuild();
  const out = await build({ entryPoints: [path.join(dist, file)], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'error' });
  return sizes(`${file} (glue, minified; ${where})`, out.outputFiles[0].contents);
};
const file = (f) => sizes(f, readFileSync(path.join(dist, f)));

const rows = [await bundle('index.js'), file('stockcast.wasm')];
const glueMissing = !rows[0].inputs.includes('stockcast.mjs');
if (glueMissing) console.error('size.mjs: the browser bundle does not hold the glue (stockcast.mjs): the budget would not count it');
for (const r of rows) delete r.inputs;
const extra = [
  { ...(await bundle('worker.js')), note: 'worker script, when the worker client is used' },
  { ...(await bundle('worker-client.js')), note: 'worker client (page side)' },
  { ...file('stockcast-risk.wasm'), note: 'risk engine, fetched on first risk()/optimizePortfolio()' },
  { ...(await glue('stockcast-risk.mjs', 'lazy chunk')), note: 'risk engine glue, loaded with the risk engine' },
];
const coreGlue = await glue('stockcast.mjs');
const sum = (r, k) => r.reduce((a, x) => a + x[k], 0);
const total = { raw: sum(rows, 'raw'), gzip: sum(rows, 'gzip'), brotli: sum(rows, 'brotli') };
const over = total.gzip > budget;
if (args.includes('--json')) {
  console.log(JSON.stringify({ dist, budget, total, files: rows, glue: coreGlue, glueMissing, extra, over }, null, 1));
} else {
  const pad = (s, n) => String(s).padStart(n);
  console.log(`${'file'.padEnd(48)}${pad('raw', 9)}${pad('gzip', 9)}${pad('brotli', 9)}`);
  for (const r of rows) console.log(`${r.file.padEnd(48)}${pad(r.raw, 9)}${pad(r.gzip, 9)}${pad(r.brotli, 9)}`);
  console.log(`${'total: predict path'.padEnd(48)}${pad(total.raw, 9)}${pad(total.gzip, 9)}${pad(total.brotli, 9)}`);
  console.log(`${coreGlue.file.padEnd(48)}${pad(coreGlue.raw, 9)}${pad(coreGlue.gzip, 9)}${pad(coreGlue.brotli, 9)}`);
  for (const r of extra) console.log(`${r.file.padEnd(48)}${pad(r.raw, 9)}${pad(r.gzip, 9)}${pad(r.brotli, 9)}   ${r.note}`);
  console.log(`budget: ${budget} bytes gzip (.wasm + JS) -> ${over ? `OVER by ${total.gzip - budget}` : `ok, ${budget - total.gzip} to spare`}`);
}
if ((over || glueMissing) && !args.includes('--no-fail')) process.exit(1);
