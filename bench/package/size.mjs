#!/usr/bin/env node
// Size budget of the browser package: the .wasm plus every JS file the browser entry loads,
// each gzipped (level 9) as a server would send it. Prints a table and the total; exits 1 when
// the total is over the budget (60 KB = 61,440 bytes, gzip).
//   node bench/package/size.mjs [--dist DIR] [--budget BYTES] [--no-fail] [--json]
// Without --dist it measures web/dist, assembling it first with scripts/build-web.sh if missing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const dist = path.resolve(opt('--dist', path.join(root, 'web/dist')));
const budget = Number(opt('--budget', String(60 * 1024)));
if (!existsSync(path.join(dist, 'stockcast.wasm'))) execFileSync('bash', [path.join(root, 'scripts/build-web.sh'), dist], { stdio: 'inherit' });

// What a page that calls createStockcast() downloads (the worker files only when it uses the worker).
const main = ['stockcast.wasm', 'stockcast.mjs', 'index.js', 'core.js', 'errors.js', 'net.js', 'registry.js', 'stores.js', 'wasm-info.js'];
const worker = ['worker.js', 'worker-client.js', 'rpc.js'];
// The risk engine: a second module, fetched only on the first risk()/optimizePortfolio().
const risk = ['stockcast-risk.wasm', 'stockcast-risk.mjs'].filter((f) => existsSync(path.join(dist, f)));
const measure = (f) => {
  const b = readFileSync(path.join(dist, f));
  return {
    file: f,
    raw: b.length,
    gzip: gzipSync(b, { level: 9 }).length,
    brotli: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};
const rows = main.map(measure);
const wrows = worker.map(measure);
const rrows = risk.map(measure);
const sum = (r, k) => r.reduce((a, x) => a + x[k], 0);
const total = { raw: sum(rows, 'raw'), gzip: sum(rows, 'gzip'), brotli: sum(rows, 'brotli') };
const over = total.gzip > budget;
if (args.includes('--json')) {
  console.log(JSON.stringify({ dist, budget, total, files: rows, workerFiles: wrows, riskFiles: rrows, riskGzip: sum(rrows, 'gzip'), over }, null, 1));
} else {
  const pad = (s, n) => String(s).padStart(n);
  console.log(`${'file'.padEnd(28)}${pad('raw', 10)}${pad('gzip', 10)}${pad('brotli', 10)}`);
  for (const r of [...rows, ...wrows.map((w) => ({ ...w, file: `${w.file} (worker)` })), ...rrows.map((w) => ({ ...w, file: `${w.file} (risk)` }))])
    console.log(`${r.file.padEnd(28)}${pad(r.raw, 10)}${pad(r.gzip, 10)}${pad(r.brotli, 10)}`);
  console.log(`${'total (gzip)'.padEnd(28)}${pad(total.raw, 10)}${pad(total.gzip, 10)}${pad(total.brotli, 10)}   (worker and risk files not included)`);
  if (rrows.length) console.log(`risk engine, loaded on first use: ${sum(rrows, 'gzip')} bytes gzip`);
  console.log(`budget: ${budget} bytes gzip (.wasm + JS) -> ${over ? `OVER by ${total.gzip - budget}` : `ok, ${budget - total.gzip} to spare`}`);
}
if (over && !args.includes('--no-fail')) process.exit(1);
