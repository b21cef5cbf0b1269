#!/usr/bin/env node
// Cold predictBatch of every symbol (issue 19): a fresh Node process and a fresh instance per run,
// `createStockcast({baseUrl, maxConcurrentRequests})` then `predictBatch({symbols: all, horizon:
// '10d'})` timed, which downloads the manifest (unless create's early fetch has it already), every
// model file and one history per symbol (~83 requests). Two static servers on 127.0.0.1, each in its own process:
//   python: `python3 -m http.server` (listen backlog 5, HTTP/1.0: one connection per request)
//   node:   tests/node/helpers/server.mjs (backlog 511, keep-alive)
// and settings of the package (--limits, default "default,Infinity"): `default` passes no
// maxConcurrentRequests (6 requests per origin; a build from before the option: no limit), a
// number or Infinity passes it (Infinity: every request at once, as before the limit).
// Configurations interleaved run by run; prints the median, min and max of the batch's wall time.
//   node bench/http/cold-batch.mjs [--runs N] [--limits LIST] [--dist DIR] [--python CMD] [--json]
// Models: what the tests serve (tests/node/helpers/fixtures.mjs: models/ when the trained models
// are complete, else fixtures). --dist: the package to time (default web/dist, built if missing).
import { execFileSync, fork, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const helper = (p) => pathToFileURL(path.join(root, 'tests/node/helpers', p)).href;

if (process.argv[2] === '--child') {
  // One run: a fresh process, so no compiled module, cache or kept-alive connection carries over.
  const [base, dist, limit, symbolsJson] = process.argv.slice(3);
  const { createStockcast } = await import(pathToFileURL(path.join(dist, 'node.js')).href);
  const sc = await createStockcast({ baseUrl: base, ...(limit === 'default' ? {} : { maxConcurrentRequests: Number(limit) }) });
  const symbols = JSON.parse(symbolsJson);
  const t0 = performance.now();
  const r = await sc.predictBatch({ symbols, horizon: '10d' });
  const ms = performance.now() - t0;
  const s = sc.stats().network;
  sc.dispose();
  process.send({ ms, ok: r.summary.successful, total: r.summary.total, requests: s.requests, retries: s.retries }, () => process.exit(0));
} else if (process.argv[2] === '--node-server') {
  // The Node static server, in its own process like python's.
  const { startServer } = await import(helper('server.mjs'));
  const srv = await startServer(process.argv[3]);
  process.send(srv.url);
} else {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
  const runs = Number(opt('--runs', '5'));
  const dist = path.resolve(opt('--dist', path.join(root, 'web/dist')));
  const python = opt('--python', 'python3');
  const limits = opt('--limits', 'default,Infinity').split(',');
  if (!(runs > 0) || !limits.every((l) => l === 'default' || Number(l) >= 1)) {
    console.error('usage: node bench/http/cold-batch.mjs [--runs N] [--limits default,Infinity,N,...] [--dist DIR] [--python CMD] [--json]');
    process.exit(2);
  }
  if (!existsSync(path.join(dist, 'node.js'))) execFileSync('bash', [path.join(root, 'scripts/build-web.sh'), dist], { stdio: ['ignore', 2, 2] });
  const { modelsDir } = await import(helper('fixtures.mjs'));
  const models = modelsDir();
  const symbols = JSON.stringify(models.manifest.stocks.map((s) => s.symbol));

  const freePort = () => new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    }).on('error', reject);
  });
  const accepting = async (port) => {
    for (let i = 0; i < 200; i++) {
      const ok = await new Promise((r) => connect(port, '127.0.0.1').on('connect', function () { this.destroy(); r(true); }).on('error', () => r(false)));
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nothing listening on ${port}`);
  };

  const port = await freePort();
  const py = spawn(python, ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', models.dir], { stdio: 'ignore' });
  const nodeServer = fork(fileURLToPath(import.meta.url), ['--node-server', models.dir], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const stop = () => {
    py.kill();
    nodeServer.kill();
  };
  process.on('exit', stop);
  await accepting(port);
  const servers = { python: `http://127.0.0.1:${port}/`, node: await new Promise((r) => nodeServer.once('message', r)) };
  const configs = Object.entries(servers).flatMap(([server, base]) => limits.map((limit) => ({ server, base, limit, times: [], last: null })));

  const once = (c) => new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', c.base, dist, c.limit, symbols], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', resolve);
    child.once('exit', (code) => code && reject(new Error(`run ${c.server} / ${c.limit} exited with ${code}`)));
  });
  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const loadBefore = load();
  for (let run = 0; run < runs; run++) {
    for (const c of configs) {
      const r = await once(c);
      if (r.ok !== r.total) throw new Error(`${c.server} / ${c.limit}: ${r.total - r.ok} of ${r.total} predictions failed`);
      c.times.push(r.ms);
      c.last = r;
    }
  }
  stop();
  const median = (a) => {
    const s = [...a].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const rows = configs.map((c) => ({
    server: c.server, maxConcurrentRequests: c.limit, medianMs: median(c.times), minMs: Math.min(...c.times), maxMs: Math.max(...c.times),
    runs: c.times.length, requests: c.last.requests, retries: c.last.retries,
  }));
  const info = { date: new Date().toISOString(), node: process.version, python: execFileSync(python, ['--version'], { encoding: 'utf8' }).trim(),
    models: models.real ? 'models/' : 'fixtures', symbols: models.manifest.stocks.length, loadBefore, loadAfter: load() };
  if (args.includes('--json')) console.log(JSON.stringify({ ...info, rows }, null, 1));
  else {
    console.log(`cold predictBatch of ${info.symbols} symbols (${info.models}), fresh process per run, ${runs} runs, ${dist}; ${info.node}, ${info.python}; load ${info.loadBefore} -> ${info.loadAfter}`);
    console.log('server   maxConcurrentRequests   median ms    min ms    max ms  requests (last run)');
    for (const r of rows)
      console.log(`${r.server.padEnd(8)} ${r.maxConcurrentRequests.padEnd(21)} ${r.medianMs.toFixed(0).padStart(11)} ${r.minMs.toFixed(0).padStart(9)} ${r.maxMs.toFixed(0).padStart(9)} ${String(r.requests).padStart(9)}`);
  }
}
