#!/usr/bin/env node
// Import → first prediction of two (or more) builds of the Node package, A/B: one fresh process
// per run, the builds interleaved, the models served from 127.0.0.1 (tests/node/helpers/server.mjs).
// Each child imports DIST/node.js, creates an instance on /models/ and predicts SCOM's 10-day
// horizon from the 300 {date, close} rows of models/history/SCOM.json (the history supplied, as
// bench/peers does).
//   node bench/package/first-ab.mjs [--runs N] DIST_A DIST_B ...
// e.g. `cp -r web/dist /tmp/before`, change web/src, `bash scripts/build-web.sh`, then
// `node bench/package/first-ab.mjs /tmp/before web/dist`. Prints medians in ms from the import.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

if (process.argv[2] === '--child') {
  // The child: the clock starts before the package's first import.
  const [base, dist, historyJson] = process.argv.slice(3);
  const t0 = performance.now();
  const { createStockcast } = await import(pathToFileURL(path.join(dist, 'node.js')).href);
  const imported = performance.now() - t0;
  const sc = await createStockcast({ baseUrl: `${base}models/` });
  const created = performance.now() - t0;
  const p = await sc.predict({ symbol: 'SCOM', horizon: '10d', history: JSON.parse(historyJson) });
  const first = performance.now() - t0;
  sc.dispose();
  process.send({ imported, created, first, price: p.predictedPrice }, () => process.exit(0));
} else {
  const args = process.argv.slice(2);
  const i = args.indexOf('--runs');
  const runs = i >= 0 ? Number(args.splice(i, 2)[1]) : 21;
  const dists = args.map((d) => path.resolve(d));
  if (dists.length < 1 || !(runs > 0)) {
    console.error('usage: node bench/package/first-ab.mjs [--runs N] DIST_A DIST_B ...');
    process.exit(2);
  }
  const rows = JSON.parse(readFileSync(path.join(root, 'models/history/SCOM.json'), 'utf8')).rows.map(({ date, close }) => ({ date, close }));
  const { startServer } = await import(pathToFileURL(path.join(root, 'tests/node/helpers/server.mjs')).href);
  const srv = await startServer(root);
  const results = new Map(dists.map((d) => [d, []]));
  try {
    for (let k = 0; k < runs; k++)
      for (const d of dists)
        results.get(d).push(await new Promise((resolve, reject) => {
          const child = fork(fileURLToPath(import.meta.url), ['--child', srv.url, d, JSON.stringify(rows)]);
          child.on('message', resolve);
          child.on('exit', (code) => code && reject(new Error(`${d}: the child exited with ${code}`)));
        }));
  } finally {
    srv.close();
  }
  const median = (v) => v.sort((a, b) => a - b)[v.length >> 1];
  const prices = new Set([...results.values()].flat().map((r) => r.price));
  console.log(`${runs} runs each, interleaved; medians in ms from the import (load average: ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')})`);
  console.log('| build | imported | created | first prediction |\n| --- | --- | --- | --- |');
  for (const [d, r] of results)
    console.log(`| ${path.relative(process.cwd(), d) || '.'} | ${['imported', 'created', 'first'].map((k) => median(r.map((x) => x[k])).toFixed(1)).join(' | ')} |`);
  if (prices.size !== 1) {
    console.error(`first-ab.mjs: the builds disagree on the prediction: ${[...prices].join(', ')}`);
    process.exit(1);
  }
}
