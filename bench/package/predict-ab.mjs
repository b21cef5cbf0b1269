#!/usr/bin/env node
// A/B of two builds of the package (dist folders, each made by scripts/build-web.sh DIR) in Node:
// warm predict({symbol: 'SCOM', horizon: '10d', history}) with the package's default options, every
// call a never-seen history (the last close moved a little), models served over HTTP from models/.
// Rounds of 300 calls, the builds interleaved, after a 2 s warm-up each; a build that has the
// kernel option is also run with kernel: 'float32'.
//   node bench/package/predict-ab.mjs BEFORE_DIST AFTER_DIST [--rounds N]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

const args = process.argv.slice(2);
const dists = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1] === '--rounds')).map((d) => path.resolve(d));
if (dists.length !== 2) {
  console.error('usage: node bench/package/predict-ab.mjs BEFORE_DIST AFTER_DIST [--rounds N]');
  process.exit(2);
}
const ROUNDS = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 7);
const root = new URL('../..', import.meta.url).pathname;
const { startServer } = await import(pathToFileURL(path.join(root, 'tests/node/helpers/server.mjs')).href);
const srv = await startServer(path.join(root, 'models'));
const rows = JSON.parse(readFileSync(path.join(root, 'models/history/SCOM.json'), 'utf8')).rows.slice(-300);
let seq = 0;
const fresh = (n) => Array.from({ length: n }, () => {
  const h = rows.slice();
  h[h.length - 1] = { ...h[h.length - 1], close: h[h.length - 1].close * (1 + ++seq * 1e-9) };
  return h;
});

const variants = [];
for (const [i, dir] of dists.entries()) {
  const { createStockcast } = await import(pathToFileURL(path.join(dir, 'node.js')).href);
  const sc = await createStockcast({ baseUrl: srv.url });
  variants.push({ name: `${i ? 'B' : 'A'} ${path.relative(process.cwd(), dir) || dir}`, sc });
  try {
    const f = await createStockcast({ baseUrl: srv.url, kernel: 'float32' });
    variants.push({ name: `${i ? 'B' : 'A'} ${path.relative(process.cwd(), dir) || dir}, kernel float32`, sc: f });
  } catch {} // a build before the option
}
const round = async (sc, n) => {
  const hs = fresh(n);
  const t0 = performance.now();
  for (const history of hs) await sc.predict({ symbol: 'SCOM', horizon: '10d', history });
  return (performance.now() - t0) / n;
};
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const before = uptime();
for (const v of variants) {
  const end = performance.now() + 2000;
  while (performance.now() < end) await round(v.sc, 50);
  v.ms = [];
}
for (let r = 0; r < ROUNDS; r++) for (const v of r % 2 ? [...variants].reverse() : variants) v.ms.push(await round(v.sc, 300));
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const base = median(variants[0].ms);
for (const v of variants) console.log(`${v.name}: ${median(v.ms).toFixed(4)} ms per predict() (rounds ${v.ms.map((x) => x.toFixed(4)).join(' ')}), A ÷ this ${(base / median(v.ms)).toFixed(2)}×`);
console.log(`load: before ${before}; after ${uptime()}`);
for (const v of variants) v.sc.dispose();
srv.close();
