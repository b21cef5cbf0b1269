#!/usr/bin/env node
// Warm calls in headless Chromium (Debian's, driven by playwright-core): the package's full
// predict() and our raw forward against onnxruntime-web and TensorFlow.js (wasm backend) on the
// same network, in one page and one run, on the main thread, in a dedicated worker, at batch 66
// on one thread and over two workers (ort: 2 threads, which it gets only where the page is
// cross-origin isolated). The page is served twice, without and with COOP/COEP headers.
//   node bench/browser/warm.mjs [--rounds N] [--quick] [--isolation off,on] [--kernels float32,int16]
//                               [--baseline DIST_DIR --baseline-label TEXT] [--cases REGEX (case ids)]
//                               [--json FILE] [--doc FILE] [--command "..."]
// Every engine is warmed for 2 s (ort keeps compiling its wasm in the background at first), then
// N rounds (default 5) run every case once, the order rotated each round; a case's round is n
// calls in a row timed as one (Chromium coarsens performance.now() to 0.1 ms without isolation),
// every predict() call with a never-seen history. Ratios are of round medians from the same run.
// Needs web/dist (scripts/build-web.sh), bench/peers/node_modules (npm ci --prefix bench/peers),
// bench/peers/nn_stock_specific.onnx (scripts/export_onnx.py); scripts/bench.sh does all that.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const at = (p) => path.join(root, p);
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const QUICK = args.includes('--quick');
const ROUNDS = Number(opt('--rounds', QUICK ? 2 : 5));
const WARM_MS = QUICK ? 500 : 2000;
const ISOLATION = opt('--isolation', 'off,on').split(',');
const { requirePeerInputs, peerTree } = await import('./peer-tree.mjs');
requirePeerInputs('warm.mjs');
// The integer kernel is measured when this build of the package has it (wasm-info.js KERNELS).
// The kernels this build of the package offers (web/dist/wasm.js kernelNames; float32 alone before the choice).
const { instantiateCore } = await import(pathToFileURL(at('web/dist/wasm.js')).href);
const KERNELS = (await instantiateCore(WebAssembly.compile(readFileSync(at('web/dist/stockcast.wasm'))))).kernelNames || ['float32'];
const kernels = opt('--kernels', KERNELS.join(',')).split(',').filter((k) => KERNELS.includes(k));
const kernelOpt = (k) => (KERNELS.length > 1 ? { kernel: k } : {});
// --baseline DIR: another assembled package (e.g. main's web/dist) whose predict() runs beside ours in the same page.
const BASELINE = opt('--baseline') && path.resolve(opt('--baseline'));

const { launch } = await import(pathToFileURL(at('tests/e2e/helpers.mjs')).href);
const { startServer } = await import(pathToFileURL(at('tests/node/helpers/server.mjs')).href);

const tmp = await peerTree('warm', { pages: ['warm.html', 'warm-lib.js', 'warm-worker.js'],
  links: { golden: at('tests/golden'), ...(BASELINE ? { pkg0: BASELINE } : {}) } });

// The cases: [group, id, where, engine, opts, calls per round]. The first row of a group is the
// one its ratios are taken against.
const n1 = QUICK ? 50 : 200, n66 = QUICK ? 5 : 20;
function cases() {
  const out = [];
  for (const where of ['main', 'worker']) {
    const g = `batch 1, ${where === 'main' ? 'main thread' : 'in a worker'}`;
    for (const k of kernels) out.push([g, `${where}-predict-${k}`, where, 'ours-predict', kernelOpt(k), n1]);
    if (BASELINE) out.push([g, `${where}-predict-baseline`, where, 'ours-predict', { pkg: '/pkg0' }, n1]);
    for (const k of kernels) out.push([g, `${where}-predictSync-${k}`, where, 'ours-predict', { ...kernelOpt(k), sync: true }, n1]);
    for (const k of kernels) out.push([g, `${where}-forward-${k}`, where, 'ours-forward', { batch: 1, ...kernelOpt(k) }, n1]);
    if (where === 'main') for (const k of kernels) out.push([g, `client-predict-${k}`, where, 'ours-worker-client', kernelOpt(k), n1]);
    out.push([g, `${where}-ort`, where, 'ort', { batch: 1 }, n1]);
    out.push([g, `${where}-tfjs`, where, 'tfjs', { batch: 1 }, QUICK ? 3 : 10]);
  }
  const g66 = 'batch 66, one thread (main)';
  for (const k of kernels) out.push([g66, `forward66-${k}`, 'main', 'ours-forward', { batch: 66, ...kernelOpt(k) }, n66]);
  out.push([g66, 'ort66', 'main', 'ort', { batch: 66 }, n66]);
  out.push([g66, 'tfjs66', 'main', 'tfjs', { batch: 66 }, QUICK ? 1 : 3]);
  const g2 = 'batch 66, two threads';
  for (const k of kernels) out.push([g2, `workers2-${k}`, 'workers2', 'ours-forward', { batch: 66, ...kernelOpt(k) }, n66]);
  out.push([g2, 'ort66-2threads', 'worker', 'ort', { batch: 66, threads: 2 }, n66]);
  return out;
}
const LABEL = {
  'ours-predict': (o) => (o.pkg ? `baseline: package \`predict()\` of ${opt('--baseline-label', BASELINE)}` : `ours: package \`${o.sync ? 'predictSync' : 'predict'}()\`, ${o.kernel || 'float32'} kernel`),
  'ours-worker-client': (o) => `ours: \`predict()\` through stockcast/worker-client (page → worker → page), ${o.kernel || 'float32'} kernel`,
  'ours-forward': (o) => `ours: raw forward, ${o.kernel || 'float32'} kernel`,
  ort: (o) => `onnxruntime-web \`session.run\`${o.threads > 1 ? `, ${o.threads} threads asked` : ''}`,
  tfjs: () => 'TensorFlow.js wasm `model.predict`',
};

const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const uptimeBefore = process.env.BENCH_UPTIME_BEFORE || uptime();
const browser = await launch();
const report = { date: new Date().toISOString(), browser: browser.version(), rounds: ROUNDS, runs: {} };
try {
  for (const iso of ISOLATION) {
    const headers = iso === 'on' ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    const srv = await startServer(tmp, { headers });
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      await page.goto(`${srv.url}warm.html`);
      await page.waitForFunction(() => window.__ready);
      const isolated = await page.evaluate(() => window.bench.crossOriginIsolated);
      const only = opt('--cases') && new RegExp(opt('--cases'));
      const list = cases().filter((c) => !only || only.test(c[1]));
      const made = {};
      for (const [, id, where, kind, o] of list) {
        try {
          made[id] = await page.evaluate(([id, where, kind, o]) => window.bench.add(id, where, kind, o), [id, where, kind, o]);
        } catch (e) {
          made[id] = { error: e.message.split('\n')[0] };
          console.error(`warm.mjs: ${id}: ${made[id].error}`);
        }
      }
      const live = list.filter((c) => !made[c[1]].error);
      // Parity: peers and our float forward agree within 1e-5 on the bench input; the integer kernel within 1e-3.
      const ref = made['main-forward-float32'] && made['main-forward-float32'].check;
      // Every predict() (package, worker client, baseline, either kernel) gives SCOM's price within 1e-3 relative of ours in float32.
      const price = made['main-predict-float32'] && made['main-predict-float32'].check[0];
      for (const [, id, , kind] of live) {
        if (kind !== 'ours-predict' && kind !== 'ours-worker-client') continue;
        if (price !== undefined && !(Math.abs(made[id].check[0] - price) <= 1e-3 * price)) throw new Error(`${id}: price ${made[id].check[0]} differs from ${price}`);
      }
      for (const [, id, , kind, o] of live) {
        if (!ref || kind === 'ours-predict' || kind === 'ours-worker-client') continue;
        const tol = o.kernel && o.kernel !== 'float32' ? 1e-3 : 1e-5;
        const d = Math.max(...ref.map((v, i) => Math.abs(v - made[id].check[i])));
        if (!(d <= tol)) throw new Error(`${id}: output ${made[id].check} differs from ours ${ref} by ${d} > ${tol}`);
      }
      const warmEnd = async (id, n) => {
        const end = Date.now() + WARM_MS;
        while (Date.now() < end) await page.evaluate(([id, n]) => window.bench.run(id, n), [id, n]);
      };
      for (const [, id, , , , n] of live) await warmEnd(id, n);
      const ms = Object.fromEntries(live.map((c) => [c[1], []]));
      for (let r = 0; r < ROUNDS; r++) {
        const order = live.map((_, i) => live[(i + r) % live.length]);
        for (const [, id, , , , n] of order) ms[id].push(await page.evaluate(([id, n]) => window.bench.run(id, n), [id, n]));
      }
      report.runs[iso] = { isolated, cases: live.map(([group, id, where, kind, o, n]) => ({ group, id, where, kind, opts: o, n, label: LABEL[kind](o), threads: made[id].threads, rounds: ms[id], median: median(ms[id]) })),
        failed: Object.entries(made).filter(([, m]) => m.error).map(([id, m]) => `${id}: ${m.error}`), errors };
    } finally {
      await context.close();
      await srv.close();
    }
  }
} finally {
  await browser.close();
  rmSync(tmp, { recursive: true, force: true });
}
report.uptime = { before: uptimeBefore, after: uptime() };

const f = (v) => (v < 1 ? v.toFixed(4) : v < 10 ? v.toFixed(3) : v.toFixed(1));
const lines = [`Warm calls in headless Chromium ${report.browser}, one page per isolation mode, ${ROUNDS} rounds (cases interleaved, order rotated per round); ms per call = median of the round means; "ort ÷ this" and "tfjs ÷ this": the median over rounds of the peer's round mean ÷ this row's in the same round (> 1: this is faster).`, ''];
for (const [iso, run] of Object.entries(report.runs)) {
  lines.push(`**${iso === 'on' ? 'Cross-origin isolated (COOP/COEP)' : 'Not isolated (no COOP/COEP)'}** (\`crossOriginIsolated\` ${run.isolated}):`, '');
  lines.push('| case | ms per call | rounds (ms) | ort ÷ this | tfjs ÷ this |', '| --- | --- | --- | --- | --- |');
  for (const group of [...new Set(run.cases.map((c) => c.group))]) {
    const cs = run.cases.filter((c) => c.group === group);
    // Paired within each round (the cases of a round run back to back): the median over rounds of
    // peer ÷ this, which a load that drifts between rounds disturbs less than a ratio of medians.
    const ratio = (kind, c, digits) => {
      const peer = cs.find((x) => x.kind === kind);
      if (!peer) return '—';
      c.ratios = { ...c.ratios, [kind]: median(c.rounds.map((v, r) => peer.rounds[r] / v)) };
      return `${c.ratios[kind].toFixed(digits)}×`;
    };
    lines.push(`| *${group}* | | | | |`);
    for (const c of cs)
      lines.push(`| ${c.label}${c.where === 'workers2' ? ' (2 workers × 33)' : ''}${c.kind === 'ort' && c.threads !== undefined ? ` (ran with ${c.threads})` : ''} | ${f(c.median)} | ${c.rounds.map(f).join(' / ')} | ${ratio('ort', c, 2)} | ${ratio('tfjs', c, 1)} |`);
  }
  if (run.failed.length) lines.push('', `Not measured: ${run.failed.join('; ')}.`);
  lines.push('');
}
lines.push(`Load: before \`${report.uptime.before}\`; after \`${report.uptime.after}\`.`);
console.log(lines.join('\n'));
if (opt('--json')) writeFileSync(opt('--json'), JSON.stringify(report, null, 1));
if (opt('--doc')) {
  const file = path.resolve(root, opt('--doc'));
  const block = `<!-- warm:begin (written by bench/browser/warm.mjs; edit outside these markers) -->\nRun ${report.date} with \`${opt('--command', `node bench/browser/warm.mjs ${args.join(' ')}`)}\`.\n\n${lines.join('\n')}\n<!-- warm:end -->`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const re = /<!-- warm:begin[^]*?<!-- warm:end -->/;
  writeFileSync(file, re.test(old) ? old.replace(re, () => block) : `${old.trimEnd()}\n\n${block}\n`);
  console.error(`wrote ${path.relative(root, file)}`);
}
