// The trainer in WebAssembly (stockcast-train.wasm, loaded by the package on the first fineTune):
// parity with the native CLI (`stockcast finetune`) on the same series and seed, progress per
// epoch through a JavaScript callback, cancellation between epochs, and typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTrainModule, repoPath } from './support.mjs';

const M = await loadTrainModule();
const cli = process.env.STOCKCAST_CLI || repoPath('build/stockcast');
const base = new Uint8Array(readFileSync(repoPath('models/general.stkm')));
const tmp = mkdtempSync(path.join(tmpdir(), 'stockcast-ft-'));

// The last `n` rows of an NSE index (not among the general model's stocks).
function tail(sym, n) {
  const lines = readFileSync(repoPath(`models/data/nse/indices/${sym}.csv`), 'utf8').trim().split('\n');
  return [lines[0], ...lines.slice(1).slice(-n)];
}
const requestOf = (lines, name, options) => {
  const rows = lines.slice(1).map((l) => l.split(','));
  return { name, dates: rows.map((r) => r[0]), closes: Float64Array.from(rows, (r) => +r[3]), options };
};
const inspect = (file, flag) => JSON.parse(execFileSync(cli, ['inspect', file, flag], { encoding: 'utf8', maxBuffer: 1 << 26 }));

test('WASM and native fine-tuning give the same model from the same series and seed', { skip: !existsSync(cli) && 'no native CLI' }, () => {
  const lines = tail('FNK25', 1000);
  const csv = path.join(tmp, 'fnk25.csv');
  writeFileSync(csv, lines.join('\n') + '\n');
  const nativeFile = path.join(tmp, 'native.stkm');
  execFileSync(cli, ['finetune', '--base', repoPath('models/general.stkm'), '--prices', csv, '--name', 'MYIDX', '--out', nativeFile, '--quiet', '--seed', '7']);
  const r = M.fineTune(base, requestOf(lines, 'MYIDX', { seed: 7 }), () => false);
  assert.equal(r.ok, true, r.message);
  const wasmFile = path.join(tmp, 'wasm.stkm');
  writeFileSync(wasmFile, r.bytes);
  const a = inspect(nativeFile, '--json'), b = inspect(wasmFile, '--json');
  // Same training path: epochs run and the epoch whose weights were kept.
  assert.deepEqual(b.metrics.training.epochs, a.metrics.training.epochs);
  assert.deepEqual(b.metrics.training.best_epoch, a.metrics.training.best_epoch);
  assert.ok(a.metrics.training.best_epoch >= 1);
  // Weights: the file stores float16; the float32 weights before rounding differ by float
  // rounding only (native: -march=native with FMA and AVX reduction order; WASM: SIMD128, no
  // FMA), so a stored value may sit one float16 step away when it lies at a rounding boundary.
  const wa = inspect(nativeFile, '--weights-json'), wb = inspect(wasmFile, '--weights-json');
  let differing = 0, total = 0, maxAbs = 0;
  for (const [name, t] of Object.entries(wa)) {
    assert.deepEqual(wb[name].shape, t.shape, name);
    t.values.forEach((x, i) => {
      const d = Math.abs(x - wb[name].values[i]);
      total++;
      if (d > 0) differing++;
      maxAbs = Math.max(maxAbs, d);
      assert.ok(d <= Math.max(1e-6, Math.abs(x) * 2 ** -10), `${name}[${i}]: ${x} vs ${wb[name].values[i]}`);
    });
  }
  assert.ok(differing <= total * 0.01, `${differing} of ${total} weights differ`);
  // Calibration (doubles in the header): within 1e-6 relative.
  const close = (x, y, what) => assert.ok(Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x)), `${what}: ${x} vs ${y}`);
  a.output.scale.forEach((x, i) => close(x, b.output.scale[i], `output.scale[${i}]`));
  a.intervals.lower.flat().forEach((x, i) => close(x, b.intervals.lower.flat()[i], `lower[${i}]`));
  a.intervals.upper.flat().forEach((x, i) => close(x, b.intervals.upper.flat()[i], `upper[${i}]`));
  console.log(`parity: ${differing} of ${total} stored weights differ (max ${maxAbs}); bytes identical: ${Buffer.compare(readFileSync(nativeFile), Buffer.from(r.bytes)) === 0}`);
});

test('progress reaches JavaScript every epoch; a true answer cancels', () => {
  const req = requestOf(tail('NASI', 500), 'X', { maxEpochs: 5, patience: 100 });
  const seen = [];
  const r = M.fineTune(base, req, (p) => (seen.push(p), false));
  assert.equal(r.ok, true);
  assert.deepEqual(seen.map((p) => p.epoch), [1, 2, 3, 4, 5]);
  for (const p of seen) assert.ok(Number.isFinite(p.trainLoss) && Number.isFinite(p.valLoss));
  let calls = 0;
  const c = M.fineTune(base, req, () => ++calls >= 2);
  assert.equal(c.ok, false);
  assert.equal(c.code, 'cancelled');
  assert.equal(calls, 2);
});

test('FineTuner runs epoch by epoch (the package yields between them)', () => {
  const req = requestOf(tail('NASI', 500), 'X', { maxEpochs: 4, patience: 100 });
  const s = new M.FineTuner();
  try {
    const st = s.start(base, req);
    assert.equal(st.ok, true);
    assert.ok(st.trainWindows >= 64 && st.holdoutWindows >= 64);
    let n = 0;
    while (!s.done()) assert.equal(s.epoch().ok, true), n++;
    assert.equal(n, 4);
    const r = s.finish();
    assert.equal(r.ok, true);
    assert.equal(r.epochs, 4);
    assert.ok(r.bytes instanceof Uint8Array && r.bytes.length > 1000);
    const one = M.fineTune(base, req, () => false);
    assert.deepEqual(Buffer.from(one.bytes), Buffer.from(r.bytes), 'the two ways give the same file');
  } finally {
    s.delete();
  }
});

test('typed errors: too short, bad closes, bad dates, bad name, diverged', () => {
  const need = M.requiredRows(base);
  assert.equal(need, 247);
  const short = M.fineTune(base, requestOf(tail('NASI', need - 1), 'X'), () => false);
  assert.equal(short.code, 'insufficient_history');
  assert.equal(short.required, need);
  assert.equal(short.provided, need - 1);
  const req = requestOf(tail('NASI', 400), 'X');
  for (const bad of [NaN, 0, -1]) {
    const closes = req.closes.slice();
    closes[10] = bad;
    const r = M.fineTune(base, { ...req, closes }, () => false);
    assert.equal(r.code, 'invalid_input');
    assert.equal(r.field, 'history.close');
  }
  const dup = req.dates.slice();
  dup[10] = dup[9];
  assert.equal(M.fineTune(base, { ...req, dates: dup }, () => false).field, 'history.dates');
  assert.equal(M.fineTune(base, { ...req, name: '' }, () => false).field, 'name');
  const div = M.fineTune(base, { ...req, options: { learningRate: 1e4 } }, () => false);
  // clipping keeps Adam's steps near the learning rate: 1e4 blows the validation loss up
  assert.equal(div.code, 'numerical_error');
  assert.equal(div.detail, 'diverged');
});
