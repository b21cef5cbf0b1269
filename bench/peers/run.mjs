// Our WASM core against TensorFlow.js (wasm backend) and onnxruntime-web (wasm EP) on the
// stock-specific network (60 steps × 1 input, LSTM 50 → LSTM 50 → Dense 25 relu → Dense 4),
// identical weights (tests/golden/nn_stock_specific.json) and inputs, one Node process.
//   node bench/peers/run.mjs [--rounds N] [--quick] [--native FILE] [--wasm-bench FILE] [--ort-threads FILE]
//                            [--json FILE] [--doc docs/benchmarks.md] [--command "..."]
// Needs: build-wasm/ (scripts/build.sh wasm), bench/peers/node_modules (npm ci here),
// bench/peers/nn_stock_specific.onnx (scripts/export_onnx.py); scripts/bench.sh does all that.
// STOCKCAST_WASM_DIR=DIR times another build of our module (default build-wasm/).
//
// 1. parity: all three against the PyTorch golden outputs (max |Δ| ≤ 1e-5), else exit 1;
// 2. warm forward, batch 1 and 66: ≥ 2 s time-based warm-up per case, then N rounds (libraries
//    interleaved) of 1000 (batch 1) / 100 (batch 66) reps; median and p95 over all reps;
// 3. our full prediction path (pre- and post-processing) on 300 SCOM closes vs ort's raw forward;
// 4. import → first prediction in a fresh process per library (first.mjs), .wasm and model
//    fetched from a local HTTP server on 127.0.0.1;
// 5. download size: gzip -9 of the files a browser fetches for each library.
import { execFileSync, fork } from 'node:child_process';
import { createServer } from 'node:http';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { buildTfjsModel, saveTfjsModel } from './tfjs-model.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const at = (p) => path.resolve(root, p);
const nm = (p) => path.join(here, 'node_modules', p);
// Our module: build-wasm/ unless STOCKCAST_WASM_DIR names another build (to compare builds).
const wasmDir = path.resolve(process.env.STOCKCAST_WASM_DIR || at('build-wasm'));

// ------------------------------------------------------------------ arguments
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const QUICK = args.includes('--quick');
const ROUNDS = Number(opt('--rounds', QUICK ? 1 : 3));
const WARM_MS = QUICK ? 500 : 2000;
const REPS = { 1: QUICK ? 200 : 1000, 66: QUICK ? 20 : 100 };
const FIRST_RUNS = Number(opt('--first-runs', QUICK ? 1 : 5));
const TOL = 1e-5;
const WINDOW = 60;

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const uptimeBefore = process.env.BENCH_UPTIME_BEFORE || uptime();
const log = (...a) => console.error(...a);

for (const [p, how] of [[path.join(wasmDir, 'stockcast.wasm'), 'bash scripts/build.sh wasm'], ['bench/peers/node_modules/onnxruntime-web', 'npm ci --prefix bench/peers'],
  ['bench/peers/nn_stock_specific.onnx', '/usr/bin/python3 scripts/export_onnx.py']])
  if (!existsSync(at(p))) {
    console.error(`run.mjs: ${p} is missing; run ${how} (or scripts/bench.sh)`);
    process.exit(2);
  }

// A snapshot of our module, used for every measurement: build-wasm/ may be rebuilt by someone else
// while this runs (a half-written .wasm once broke a run), and all numbers must be of one build.
const tmp = mkdtempSync(path.join(tmpdir(), 'stockcast-peers-'));
const oursDir = path.join(tmp, 'ours');
const tfjsDir = path.join(tmp, 'tfjs-model');
mkdirSync(oursDir);
mkdirSync(tfjsDir);
copyFileSync(path.join(wasmDir, 'stockcast.wasm'), path.join(oursDir, 'stockcast.wasm'));
// With the package's adapter and the Emscripten glue of the same build beside it.
copyFileSync(path.join(wasmDir, 'stockcast.mjs'), path.join(oursDir, 'stockcast.mjs'));
for (const f of ['wasm.js', 'errors.js']) copyFileSync(at(`web/src/${f}`), path.join(oursDir, f));
const build = { dir: path.relative(root, wasmDir) || '.', sha256: createHash('sha256').update(readFileSync(path.join(oursDir, 'stockcast.wasm'))).digest('hex') };
// Which sources: the commit plus any uncommitted change to what the module is built from.
try {
  const git = (...a) => execFileSync('git', ['-C', root, ...a], { encoding: 'utf8' }).replace(/\s+$/, '');
  const dirty = git('status', '--porcelain', '--', 'core', 'wasm', 'CMakeLists.txt');
  build.source = `${git('rev-parse', '--short', 'HEAD')}${dirty ? ` + uncommitted changes in ${[...new Set(dirty.split('\n').map((l) => l.slice(3).split('/')[0]))].join(', ')}` : ''}`;
} catch {
  build.source = 'unknown (no git)';
}

// ------------------------------------------------------------------ inputs
const golden = JSON.parse(readFileSync(at('tests/golden/nn_stock_specific.json'), 'utf8'));
const goldenX = Float32Array.from(golden.x.flat());
const goldenY = golden.y.flat();
const goldenBatch = golden.x.length;
// The bench input of bench/native and bench/wasm.
const benchX = new Float32Array(66 * WINDOW).map((_, i) => 0.01 * (i % 17) - 0.08);

// The last 300 rows of SCOM's real daily history.
const csv = readFileSync(at('models/data/nse/prices/SCOM.csv'), 'utf8').trim().split('\n');
const head = csv[0].split(',');
const col = (n) => head.indexOf(n);
const rows = csv.slice(1).map((l) => l.split(',')).filter((r) => r[col('close')] !== '' && Number(r[col('close')]) > 0).slice(-300)
  .map((r) => ({ date: r[col('date')], close: Number(r[col('close')]), ...(r[col('volume')] !== '' ? { volume: Number(r[col('volume')]) } : {}) }));
const closes = Float64Array.from(rows, (r) => r.close);
if (closes.length !== 300) throw new Error(`SCOM.csv: expected 300 closes, got ${closes.length}`);

// ------------------------------------------------------------------ timing
const stats = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[s.length >> 1], p95: s[Math.floor(s.length * 0.95)], n: s.length };
};

async function warm(fn, ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const r = fn();
    if (r && r.then) await r;
  }
}

async function reps(fn, n) {
  const ms = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = fn();
    if (r && r.then) await r;
    ms[i] = performance.now() - t0;
  }
  return ms;
}

const maxDiff = (a, b) => {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

// ------------------------------------------------------------------ the three engines
async function loadOurs() {
  const { instantiateCore } = await import(path.join(oursDir, 'wasm.js'));
  const M = await instantiateCore(new WebAssembly.Module(readFileSync(path.join(oursDir, 'stockcast.wasm'))));
  const model = new M.LoadedModel(readFileSync(at('tests/golden/nn_stock_specific.stkm')), true);
  const err = model.error();
  if (err) throw new Error(`ours: ${err.detail}: ${err.message}`);
  const ids = new Int32Array(66);
  return {
    forward(x, batch) {
      const r = model.forward(x, ids.subarray(0, batch), batch);
      if (!r.ok) throw new Error(`ours: ${r.message}`);
      return r.y;
    },
    predict() {
      const f = model.predict(closes, null, -1, 0.9);
      if (!f.ok) throw new Error(`ours predict: ${f.message}`);
      return f;
    },
  };
}

async function loadTfjs() {
  const tf = await import('@tensorflow/tfjs');
  const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // tfjs-wasm threads cannot run under Node
  wasmBackend.setWasmPaths(nm('@tensorflow/tfjs-backend-wasm/dist/'));
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
  await tf.ready();
  const model = buildTfjsModel(tf, golden, WINDOW);
  return {
    tf,
    model,
    backend: tf.getBackend(),
    forward(x, batch) {
      return tf.tidy(() => model.predict(tf.tensor3d(x, [batch, WINDOW, 1]), { batchSize: batch }).dataSync());
    },
  };
}

async function loadOrt() {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmBinary = readFileSync(nm('onnxruntime-web/dist/ort-wasm-simd-threaded.wasm'));
  const session = await ort.InferenceSession.create(readFileSync(path.join(here, 'nn_stock_specific.onnx')), { executionProviders: ['wasm'] });
  return {
    ort,
    async forward(x, batch) {
      const out = await session.run({ x: new ort.Tensor('float32', x, [batch, WINDOW, 1]) });
      return out.y.data;
    },
  };
}

// The npm package (web/dist, Node entry) when it is built: predict({symbol, horizon, history}).
async function loadPackage(base) {
  if (!existsSync(at('web/dist/node.js'))) return { missing: 'web/dist/node.js not built (bash scripts/build-web.sh)' };
  try {
    const { createStockcast } = await import(at('web/dist/node.js'));
    const sc = await createStockcast({ baseUrl: base + 'models/', wasmUrl: base + 'webdist/stockcast.wasm', predictionTtlMs: 0 });
    const req = { symbol: 'SCOM', horizon: '10d', history: rows };
    const p = await sc.predict(req);
    return { sc, first: p, predict: () => sc.predict(req) };
  } catch (e) {
    return { missing: `web package predict failed: ${e.code || ''} ${e.message}` };
  }
}

// ------------------------------------------------------------------ the local HTTP server
const ROUTES = {
  'wasm/': oursDir, 'tfjs-model/': tfjsDir, 'golden/': at('tests/golden'), 'models/': at('models'), 'webdist/': at('web/dist'), 'peers/': here,
  'ort/': nm('onnxruntime-web/dist'), 'tfjs-wasm/': nm('@tensorflow/tfjs-backend-wasm/dist'),
};
const TYPES = { '.wasm': 'application/wasm', '.json': 'application/json', '.mjs': 'text/javascript', '.js': 'text/javascript' };

const served = []; // paths requested, in order (to report what each library fetched)
function startServer() {
  const server = createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '');
    served.push(p);
    const prefix = Object.keys(ROUTES).find((k) => p.startsWith(k));
    const file = prefix && path.resolve(ROUTES[prefix], p.slice(prefix.length));
    if (!file || !file.startsWith(ROUTES[prefix]) || !existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}/` })));
}

function firstPrediction(lib, base, input) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const from = served.length;
    const child = fork(path.join(here, 'first.mjs'), [lib, base, JSON.stringify(input)],
      { cwd: here, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, STOCKCAST_WASM_DIR: oursDir } });
    let stderr = '';
    let got = null;
    child.stderr.on('data', (d) => (stderr += d));
    child.on('message', (m) => (got = { ...m, spawnMs: performance.now() - t0 }));
    child.on('exit', (code) => resolve(got ? { ...got, fetched: served.slice(from) } : { lib, error: `exit ${code}: ${stderr.slice(-500)}` }));
  });
}

// ------------------------------------------------------------------ download size
const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
function sizeSet(name, files) {
  const shown = (f) => (f.startsWith(oursDir) ? path.join(build.dir, path.basename(f)) : path.relative(root, f));
  const list = files.map((f) => ({ file: shown(f), bytes: readFileSync(f).length, gzip: gz(f) }));
  return { name, files: list, bytes: list.reduce((s, f) => s + f.bytes, 0), gzip: list.reduce((s, f) => s + f.gzip, 0) };
}
// What a page downloads for predict(): bench/package/size.mjs's measurement (the browser entry
// bundled and minified by esbuild, plus the .wasm), so the budget and this table agree.
function packageSize() {
  const r = JSON.parse(execFileSync(process.execPath, [at('bench/package/size.mjs'), '--json', '--no-fail'], { encoding: 'utf8' }));
  const files = r.files.map((f) => ({ file: `web/dist/${f.file}`, bytes: f.raw, gzip: f.gzip }));
  return { name: 'ours (npm package, predict path)', files, bytes: r.total.raw, gzip: r.total.gzip };
}

// ------------------------------------------------------------------ native / bench-wasm rows
function parseBenchOutput(file) {
  if (!file || !existsSync(file)) return null;
  const out = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = line.match(/^batch (\d+)( over 2 (?:workers|threads))?\s+([\d.]+)\s+([\d.]+)/);
    if (m) out[m[2] ? `${m[1]}x2` : m[1]] = { median: Number(m[3]), p95: Number(m[4]) };
  }
  return out;
}

// ------------------------------------------------------------------ main
const result = { date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, uptimeBefore };
log(`uptime before: ${uptimeBefore}`);

const { server, base } = await startServer();
try {
  log('loading ours, tfjs (wasm backend), onnxruntime-web ...');
  const engines = { ours: await loadOurs(), tfjs: await loadTfjs(), ort: await loadOrt() };
  await saveTfjsModel(engines.tfjs.tf, engines.tfjs.model, tfjsDir);
  result.tfjsBackend = engines.tfjs.backend;
  result.ortVersion = engines.ort.ort.env.versions?.web;

  // 1. parity -----------------------------------------------------------------------------
  result.parity = {};
  let bad = false;
  const ref66 = Array.from(engines.ours.forward(benchX, 66));
  for (const [name, e] of Object.entries(engines)) {
    const yg = Array.from(await e.forward(goldenX, goldenBatch));
    const y66 = Array.from(await e.forward(benchX, 66));
    const dGolden = maxDiff(yg, goldenY);
    const dOurs66 = maxDiff(y66, ref66);
    result.parity[name] = { vsGolden: dGolden, vsOursBatch66: dOurs66 };
    log(`parity ${name.padEnd(5)} max|y - PyTorch golden| = ${dGolden.toExponential(2)}  max|y - ours| (batch 66 bench input) = ${dOurs66.toExponential(2)}`);
    if (!(dGolden <= TOL) || !(dOurs66 <= TOL)) bad = true;
  }
  if (bad) {
    console.error(`run.mjs: PARITY FAILURE: an engine differs from the PyTorch golden outputs (or from ours) by more than ${TOL}`);
    process.exitCode = 1;
    throw new Error('parity');
  }

  // 2./3. warm timing ----------------------------------------------------------------------
  const pkg = await loadPackage(base);
  result.package = pkg.missing ? { missing: pkg.missing } : { predictedPrice: pkg.first.predictedPrice, modelVersion: pkg.first.modelVersion };
  if (pkg.missing) log(`web package: ${pkg.missing}; timing LoadedModel.predict only`);
  const cases = [];
  for (const batch of [1, 66]) {
    const x = benchX.subarray(0, batch * WINDOW);
    for (const name of Object.keys(engines)) cases.push({ key: `${name}/forward/${batch}`, batch, fn: () => engines[name].forward(x, batch) });
  }
  cases.push({ key: 'ours/predict/1', batch: 1, fn: () => engines.ours.predict() });
  if (!pkg.missing) cases.push({ key: 'package/predict/1', batch: 1, fn: () => pkg.predict() });

  const samples = Object.fromEntries(cases.map((c) => [c.key, []]));
  const roundMedians = Object.fromEntries(cases.map((c) => [c.key, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      await warm(c.fn, round === 0 ? WARM_MS : 200);
      const ms = await reps(c.fn, REPS[c.batch]);
      samples[c.key].push(...ms);
      roundMedians[c.key].push(stats(ms).median);
    }
    log(`round ${round + 1}/${ROUNDS}: ` + cases.map((c) => `${c.key} ${roundMedians[c.key][round].toFixed(4)}`).join(', '));
  }
  result.timing = Object.fromEntries(cases.map((c) => [c.key, { ...stats(samples[c.key]), roundMedians: roundMedians[c.key] }]));

  // 4. import → first prediction -----------------------------------------------------------
  // Each library twice: everything over HTTP, and its .wasm from disk (":disk", each library's
  // default in Node); ours-package-fetch is the package over Node's global fetch.
  const pkgLibs = pkg.missing ? [] : ['ours-package', 'ours-package-fetch'];
  const libs = ['ours', ...pkgLibs, 'tfjs', 'ort', 'ours:disk', ...(pkg.missing ? [] : ['ours-package:disk']), 'tfjs:disk', 'ort:disk'];
  const input = { x: Array.from(benchX.subarray(0, WINDOW)), history: rows };
  const first = Object.fromEntries(libs.map((l) => [l, []]));
  for (let i = 0; i < FIRST_RUNS; i++)
    for (const lib of libs) {
      const r = await firstPrediction(lib, base, input);
      const expected = lib.startsWith('ours-package') ? [pkg.first.predictedPrice] : ref66.slice(0, 4);
      if (!r.error && !(maxDiff(r.y, expected) <= TOL)) r.error = `output ${r.y} differs from ours ${expected}`;
      if (r.error) {
        console.error(`run.mjs: first prediction ${lib} failed: ${r.error}`);
        process.exitCode = 1;
        continue;
      }
      first[lib].push(r);
    }
  result.first = Object.fromEntries(libs.filter((l) => first[l].length).map((l) => {
    const f = first[l].map((r) => r.firstMs).sort((a, b) => a - b);
    const im = first[l].map((r) => r.importMs).sort((a, b) => a - b);
    const sp = first[l].map((r) => r.spawnMs).sort((a, b) => a - b);
    const phases = first[l][0].phases && Object.fromEntries(Object.keys(first[l][0].phases).map((k) => {
      const v = first[l].map((r) => r.phases[k]).sort((a, b) => a - b);
      return [k, v[v.length >> 1]];
    }));
    return [l, { median: f[f.length >> 1], min: f[0], max: f[f.length - 1], importMedian: im[im.length >> 1], spawnMedian: sp[sp.length >> 1], runs: f, phases, fetched: first[l][0].fetched }];
  }));
  if (pkg.sc) pkg.sc.dispose();

  // 5. download size -----------------------------------------------------------------------
  const tfw = (f) => nm(`@tensorflow/tfjs-backend-wasm/dist/${f}`);
  result.sizes = {
    ours: sizeSet(`ours (core module + Emscripten glue, ${build.dir}/, + its adapter)`, ['stockcast.wasm', 'stockcast.mjs', 'wasm.js', 'errors.js'].map((f) => path.join(oursDir, f))),
    ...(existsSync(at('web/dist/index.js')) ? { oursPackage: packageSize() } : {}),
    tfjs: sizeSet('tfjs core+layers+backend-wasm (SIMD)', [nm('@tensorflow/tfjs-core/dist/tf-core.min.js'), nm('@tensorflow/tfjs-layers/dist/tf-layers.min.js'),
      tfw('tf-backend-wasm.min.js'), tfw('tfjs-backend-wasm-simd.wasm')]),
    tfjsUnion: sizeSet('tfjs tf.min.js + backend-wasm (SIMD)', [nm('@tensorflow/tfjs/dist/tf.min.js'), tfw('tf-backend-wasm.min.js'), tfw('tfjs-backend-wasm-simd.wasm')]),
    tfjsNoSimd: sizeSet('tfjs core+layers+backend-wasm (non-SIMD)', [nm('@tensorflow/tfjs-core/dist/tf-core.min.js'), nm('@tensorflow/tfjs-layers/dist/tf-layers.min.js'),
      tfw('tf-backend-wasm.min.js'), tfw('tfjs-backend-wasm.wasm')]),
    ort: sizeSet('ort wasm bundle', [nm('onnxruntime-web/dist/ort.wasm.bundle.min.mjs'), nm('onnxruntime-web/dist/ort-wasm-simd-threaded.wasm')]),
    ortDefault: sizeSet('ort default import', [nm('onnxruntime-web/dist/ort.bundle.min.mjs'), nm('onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.wasm')]),
  };
  result.modelBytes = {
    ours: readFileSync(at('tests/golden/nn_stock_specific.stkm')).length,
    tfjs: readFileSync(path.join(tfjsDir, 'model.json')).length + readFileSync(path.join(tfjsDir, 'weights.bin')).length,
    ort: readFileSync(path.join(here, 'nn_stock_specific.onnx')).length,
  };
} finally {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
}

Object.assign(result, { wasmDir: build.dir, wasmSha256: build.sha256, source: build.source });
result.native = parseBenchOutput(opt('--native'));
result.wasmBench = parseBenchOutput(opt('--wasm-bench'));
result.ortThreads = parseBenchOutput(opt('--ort-threads'));
result.uptimeAfter = uptime();
log(`uptime after:  ${result.uptimeAfter}`);

// ------------------------------------------------------------------ report
const T = result.timing;
const f3 = (v) => (v === undefined || v === null ? '—' : v < 1 ? v.toFixed(4) : v < 100 ? v.toFixed(2) : v.toFixed(0));
const ratio = (peer, ours) => (peer && ours ? `${(peer / ours).toFixed(peer / ours < 10 ? 2 : 1)}×` : '—');
const spread = (k) => (T[k] ? T[k].roundMedians.map(f3).join(' / ') : '—');
const kb = (b) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} KB`);
const lines = [];
const row = (...c) => lines.push(`| ${c.join(' | ')} |`);

lines.push('Warm forward pass, one thread, milliseconds (median / p95 over all reps; per-round medians show the spread).',
  'Ratio = peer ÷ ours (> 1: ours is faster).', '');
row('measurement', 'ours (WASM)', 'TensorFlow.js wasm', 'onnxruntime-web', 'tfjs ÷ ours', 'ort ÷ ours', 'native (reference)');
row('---', '---', '---', '---', '---', '---', '---');
for (const b of [1, 66]) {
  const o = T[`ours/forward/${b}`], t = T[`tfjs/forward/${b}`], r = T[`ort/forward/${b}`];
  const n = result.native && result.native[b];
  row(`batch ${b} median`, f3(o.median), f3(t.median), f3(r.median), ratio(t.median, o.median), ratio(r.median, o.median), n ? f3(n.median) : '—');
  row(`batch ${b} p95`, f3(o.p95), f3(t.p95), f3(r.p95), ratio(t.p95, o.p95), ratio(r.p95, o.p95), n ? f3(n.p95) : '—');
  row(`batch ${b} round medians`, spread(`ours/forward/${b}`), spread(`tfjs/forward/${b}`), spread(`ort/forward/${b}`), '', '', '');
}
if (result.wasmBench) {
  row('bench/wasm (same module, own run)', `${f3(result.wasmBench[1]?.median)} / ${f3(result.wasmBench[66]?.median)}`, '', '', '', '', 'batch 1 / 66 median');
  const two = result.wasmBench['66x2'];
  const ort2 = result.ortThreads && result.ortThreads['66x2'];
  if (two)
    row('batch 66 over 2 workers (bench/wasm) / ort 2 threads (ort_threads.mjs)', `${f3(two.median)} / ${f3(two.p95)}`, '',
      ort2 ? `${f3(ort2.median)} / ${f3(ort2.p95)}` : '—', '', ort2 ? ratio(ort2.median, two.median) : '—', 'median / p95');
}
lines.push('', 'Full prediction (pre- and post-processing, 300 SCOM closes) against onnxruntime-web\'s raw batch-1 forward:', '');
row('path', 'median ms', 'p95 ms', 'round medians', 'ort raw forward ÷ this');
row('---', '---', '---', '---', '---');
const ortF = T['ort/forward/1'];
row('ours: LoadedModel.predict (golden network)', f3(T['ours/predict/1'].median), f3(T['ours/predict/1'].p95), spread('ours/predict/1'), ratio(ortF.median, T['ours/predict/1'].median));
if (T['package/predict/1'])
  row('ours: package predict({symbol, horizon, history}) (SCOM model)', f3(T['package/predict/1'].median), f3(T['package/predict/1'].p95), spread('package/predict/1'), ratio(ortF.median, T['package/predict/1'].median));
else row(`ours: package predict — not timed (${result.package.missing})`, '—', '—', '—', '—');
row('onnxruntime-web raw forward, batch 1', f3(ortF.median), f3(ortF.p95), spread('ort/forward/1'), '1.00×');

lines.push('', `Import → first prediction, fresh Node process per library, the model (and the package's manifest) fetched from 127.0.0.1; the .wasm over HTTP too, or read from disk as each library does by default in Node (${FIRST_RUNS} runs each, interleaved; every library downloads through node:http, see bench/peers/first.mjs):`, '');
row('library', '.wasm from', 'median ms', 'min–max ms', 'of which import ms', 'spawn → answer ms', 'this ÷ ours-package (same .wasm source)');
row('---', '---', '---', '---', '---', '---', '---');
for (const [l, f] of Object.entries(result.first)) {
  const [name, where] = l.split(':');
  const peer = result.first[where ? 'ours-package:disk' : 'ours-package'];
  row(name === 'ours-package-fetch' ? 'ours-package over the global fetch()' : name, where || 'HTTP', f3(f.median), `${f3(f.min)}–${f3(f.max)}`, f3(f.importMedian), f3(f.spawnMedian), ratio(f.median, peer?.median));
}
lines.push('', 'Fetched over HTTP (first run): ' + Object.entries(result.first).map(([l, f]) => `${l}: ${f.fetched.map((p) => `\`${p}\``).join(', ')}`).join('; ') + '.');
if (result.first.ours?.phases)
  lines.push('', 'ours, median per phase (ms): ' + Object.entries(result.first.ours.phases).map(([k, v]) => `${k} ${f3(v)}`).join(', ') +
    ' (loadVerified: parse + SHA-256 + embedded test vector, LoadedModel(bytes, true)).');
lines.push('', 'Download size (gzip -9 of every file a browser fetches for the engine; models not included):', '');
row('library', 'files', 'bytes', 'gzip -9', 'this ÷ ours');
row('---', '---', '---', '---', '---');
for (const s of Object.values(result.sizes))
  row(s.name, s.files.map((f) => `\`${f.file.replace('bench/peers/node_modules/', '')}\` (${kb(f.gzip)})`).join(' + '), kb(s.bytes), kb(s.gzip), ratio(s.gzip, result.sizes.ours.gzip));
lines.push('', `Model files: ours \`.stkm\` ${kb(result.modelBytes.ours)}, tfjs model.json + weights.bin ${kb(result.modelBytes.tfjs)}, ONNX ${kb(result.modelBytes.ort)} (uncompressed).`);
lines.push('', 'Parity (max |Δ|): ' + Object.entries(result.parity).map(([k, v]) => `${k} vs PyTorch golden ${v.vsGolden.toExponential(1)}, vs ours on the batch-66 input ${v.vsOursBatch66.toExponential(1)}`).join('; ') + '.');
lines.push('', `Our module: \`${result.wasmDir}/stockcast.wasm\` (.wasm SHA-256 ${result.wasmSha256.slice(0, 16)}…; sources: commit ${result.source}); machine: ${result.cpu}, ${result.cores} cores, Node ${result.node}, tfjs backend \`${result.tfjsBackend}\`, onnxruntime-web ${result.ortVersion}. ${ROUNDS} round(s), ${REPS[1]}/${REPS[66]} reps per round (batch 1/66), ${WARM_MS} ms warm-up per case.`);
lines.push(`Load: before \`${result.uptimeBefore}\`; after \`${result.uptimeAfter}\`.`);
const table = lines.join('\n');
console.log(table);

const jsonOut = opt('--json');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 1));
const doc = opt('--doc');
if (doc) {
  const cmd = opt('--command', `node bench/peers/run.mjs ${args.join(' ')}`);
  const block = `<!-- bench:begin (written by bench/peers/run.mjs; edit outside these markers) -->\nRun ${result.date} with \`${cmd}\`.\n\n${table}\n<!-- bench:end -->`;
  const file = path.isAbsolute(doc) ? doc : at(doc);
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n<!-- bench:begin -->\n<!-- bench:end -->\n';
  const re = /<!-- bench:begin[^]*?<!-- bench:end -->/;
  writeFileSync(file, re.test(old) ? old.replace(re, () => block) : `${old.trimEnd()}\n\n${block}\n`);
  log(`wrote ${path.relative(root, file)}`);
}
