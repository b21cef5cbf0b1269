// The native command-line tool: outputs for parity checks, and one-line errors (never a crash)
// for bad arguments and bad files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from './support.mjs';

const cli = process.env.STOCKCAST_CLI || repoPath('build/stockcast');
const run = (...args) => spawnSync(cli, args, { encoding: 'utf8' });
const tmp = mkdtempSync(path.join(tmpdir(), 'stockcast-cli-'));

test('run reproduces the PyTorch golden outputs of the Transformer; inspect shows transformer_v1', () => {
  const g = JSON.parse(readFileSync(repoPath('tests/golden/transformer.json'), 'utf8'));
  const input = path.join(tmp, 'in-transformer.json');
  writeFileSync(input, JSON.stringify({ x: g.x }));
  const r = run('run', repoPath('tests/golden/transformer.stkm'), '--input', input);
  assert.equal(r.status, 0, r.stderr);
  const y = JSON.parse(r.stdout.trim()).y;
  g.y.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - y[i][j]) <= 1e-5, `${i},${j}`)));
  const h = JSON.parse(run('inspect', repoPath('tests/golden/transformer.stkm'), '--json').stdout);
  assert.deepEqual(h.architecture, { type: 'transformer_v1', window: 30, features: 1, d_model: 64, heads: 4, encoder_layers: 2, ff_units: 64, outputs: 4, dropout: 0 });
  assert.match(run('inspect', repoPath('tests/golden/transformer.stkm')).stdout, /2 × EncoderLayer\(d 64, 4 heads, ff 64\)/);
});

test('run reproduces the PyTorch golden outputs', () => {
  const g = JSON.parse(readFileSync(repoPath('tests/golden/nn_general.json'), 'utf8'));
  const input = path.join(tmp, 'in.json');
  writeFileSync(input, JSON.stringify({ x: g.x, stock_ids: g.stock_ids }));
  const r = run('run', repoPath('tests/golden/nn_general.stkm'), '--input', input);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const y = JSON.parse(lines[0]).y;
  g.y.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - y[i][j]) <= 1e-5, `${i},${j}`)));
});

test('inspect shows the architecture and dumps weights with Keras names and shapes', () => {
  const r = run('inspect', repoPath('tests/golden/nn_general.stkm'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /LSTM\(50\) → LSTM\(50\) → ⊕ Embedding\(66×10\) → Dense\(25, relu\) → Dense\(4\)/);
  const j = JSON.parse(run('inspect', repoPath('tests/golden/nn_general.stkm'), '--json').stdout);
  assert.equal(j.architecture.embedding_count, 66);
  const w = JSON.parse(run('inspect', repoPath('tests/golden/nn_general.stkm'), '--weights-json').stdout);
  assert.deepEqual(w['lstm1.kernel'].shape, [1, 200]);
  assert.deepEqual(w['lstm1.recurrent_kernel'].shape, [50, 200]);
  assert.deepEqual(w['lstm2.bias'].shape, [200]);
  assert.deepEqual(w['embedding.embeddings'].shape, [66, 10]);
  assert.deepEqual(w['dense1.kernel'].shape, [60, 25]);
  const g = JSON.parse(readFileSync(repoPath('tests/golden/nn_general.json'), 'utf8'));
  assert.deepEqual(w['dense2.kernel'].values.slice(0, 5), g.weights['dense2.kernel'].values.slice(0, 5).map(Math.fround));
});

test('bad arguments and bad files: one line on stderr, non-zero exit, no crash', () => {
  const badInput = path.join(tmp, 'bad.json');
  writeFileSync(badInput, '{"x": [[1, 2, 3]]}');
  const nanInput = path.join(tmp, 'nan.json');
  writeFileSync(nanInput, JSON.stringify({ x: [Array(60).fill(0)], stock_ids: [99] }));
  const cases = [
    [],
    ['frobnicate'],
    ['inspect'],
    ['inspect', repoPath('no/such/file.stkm')],
    ['inspect', repoPath('tests/hostile/tensors_overlap.stkm')],
    ['inspect', repoPath('tests/hostile/wrong_hash.stkm'), '--json'],
    ['inspect', repoPath('tests/golden/nn_general.stkm'), '--bogus'],
    ['run', repoPath('tests/golden/nn_general.stkm')],
    ['run', repoPath('tests/golden/nn_general.stkm'), '--input'],
    ['run', repoPath('tests/golden/nn_general.stkm'), '--input', badInput],
    ['run', repoPath('tests/golden/nn_general.stkm'), '--input', nanInput],
    ['run', repoPath('tests/hostile/truncated_in_data.stkm'), '--input', badInput],
  ];
  for (const args of cases) {
    const r = run(...args);
    assert.ok(r.status > 0 && r.signal === null, `${args.join(' ')}: status ${r.status} signal ${r.signal}`);
    const line = r.stderr.trim().split('\n')[0];
    assert.ok(line.length > 10, `${args.join(' ')}: ${r.stderr}`);
  }
  assert.match(run('inspect', repoPath('tests/hostile/tensors_overlap.stkm')).stderr, /tensor_overlap/);
  assert.match(run('run', repoPath('tests/golden/nn_general.stkm'), '--input', nanInput).stderr, /stock_ids/);
});

test('predict routes by the one rule (routing.hpp): own model, general, unseen with a price file, unknown with a suggestion', () => {
  const own = run('predict', 'scom');
  assert.equal(own.status, 0, own.stderr);
  assert.match(own.stdout, /^SCOM .* model SCOM\.stkm \(stock_specific, confidence high\)/);
  const general = run('predict', 'KAPC');
  assert.equal(general.status, 0, general.stderr);
  assert.match(general.stdout, /model general\.stkm \(general, confidence medium\)/);
  // A price file for a symbol the manifest does not list: the general model, neutral embedding.
  const prices = mkdtempSync(path.join(tmpdir(), 'stockcast-prices-'));
  writeFileSync(path.join(prices, 'ACME.csv'), readFileSync(repoPath('models/data/nse/prices/SCOM.csv'), 'utf8').replaceAll('SCOM', 'ACME'));
  const unseen = run('predict', 'ACME', '--prices', prices);
  assert.equal(unseen.status, 0, unseen.stderr);
  assert.match(unseen.stdout, /^ACME \(not in the manifest.*model general\.stkm \(general_unseen, confidence low\)/);
  const unknown = run('predict', 'SCOMM');
  assert.equal(unknown.status, 1);
  assert.equal(unknown.stdout, '');
  assert.match(unknown.stderr, /^stockcast predict: model_not_found: no model serves SCOMM .*did you mean SCOM\?\n$/);
});

test('factors: --features and --symbol give the same numbers as the WebAssembly core', async () => {
  const { loadFactorsModule } = await import('./support.mjs');
  const F = await loadFactorsModule();
  const manifest = JSON.parse(readFileSync(repoPath('models/manifest.json'), 'utf8'));
  const entry = (name) => manifest.factor_models.find((m) => m.name === name);
  const wasm = (name, x, clamp = false) => {
    const m = new F.FactorModel(readFileSync(repoPath(`models/${entry(name).file}`)), true);
    try {
      return m.predict(Float64Array.from(x), clamp);
    } finally {
      m.delete();
    }
  };
  for (const name of ['factor_range_linear', 'factor_highrange_logistic', 'learner_gradient_boosting_5d', 'learner_mlp_10d']) {
    const x = entry(name).feature_ranges.map((f) => (f.min + f.max) / 2);
    const file = repoPath(`models/${entry(name).file}`);
    const r = run('factors', file, '--features', x.join(','), '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.model, name);
    assert.equal(j.kind, entry(name).kind);
    // (the JSON output's keys are sorted)
    assert.deepEqual(Object.keys(j.features).sort(), [...entry(name).features].sort());
    const w = wasm(name, x);
    assert.ok(Math.abs(j.prediction - w.value) <= 1e-12 * Math.max(1, Math.abs(w.value)), `${name}: ${j.prediction} vs ${w.value}`);
    if (entry(name).kind === 'logistic') {
      assert.ok(Math.abs(Object.values(j.probabilities).reduce((a, b) => a + b) - 1) < 1e-12);
      assert.ok(entry(name).classes.includes(j.label));
    }
    assert.deepEqual(j.metrics.test, entry(name).test_metrics);
    // The plain output: one line naming the model, kind, target and the value.
    const plain = run('factors', file, '--features', x.join(','));
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(plain.stdout.trim().split('\n').length, 1);
    assert.match(plain.stdout, new RegExp(`^${name} \\(${entry(name).kind}\\) ${entry(name).target}: `));
  }
  // --symbol: the core computes the features from the price CSV; the same features given raw agree.
  const file = repoPath('models/factors/factor_range_linear.stkm');
  const s = run('factors', file, '--symbol', 'SCOM', '--prices', repoPath('models/data/nse/prices'), '--json', '--clamp');
  assert.equal(s.status, 0, s.stderr);
  const j = JSON.parse(s.stdout);
  assert.match(j.dataDate, /^\d{4}-\d{2}-\d{2}$/);
  assert.deepEqual(Object.keys(j.features).sort(), [...entry('factor_range_linear').features].sort());
  const xs = entry('factor_range_linear').features.map((n) => j.features[n]);
  assert.ok(xs.every(Number.isFinite));
  const raw = JSON.parse(run('factors', file, '--features', xs.map((v) => v.toPrecision(17)).join(','), '--json', '--clamp').stdout);
  assert.equal(raw.prediction, j.prediction);
  assert.equal(j.prediction, wasm('factor_range_linear', xs, true).value);
  // Out of range: the typed code and the field on one line; --clamp says what it moved.
  const far = entry('factor_range_linear').feature_ranges.map((f) => (f.min + f.max) / 2);
  far[2] = 50;
  const oor = run('factors', file, '--features', far.join(','));
  assert.notEqual(oor.status, 0);
  assert.equal(oor.stdout, '');
  assert.equal(oor.stderr.trim().split('\n').length, 1);
  assert.match(oor.stderr, /^stockcast factors: out_of_range: .*range_rel/);
  const clamped = JSON.parse(run('factors', file, '--features', far.join(','), '--clamp', '--json').stdout);
  assert.equal(clamped.clamped[0].field, 'features.range_rel');
  assert.equal(clamped.clamped[0].value, 50);
});

test('factors: bad arguments give one line on stderr and a non-zero exit', () => {
  const file = repoPath('models/factors/factor_range_linear.stkm');
  const cases = [
    ['factors'],
    ['factors', file],
    ['factors', file, '--features'],
    ['factors', file, '--features', '0.5,0.1'],
    ['factors', file, '--features', '0.5,abc,0,0,0,0,50,0.02'],
    ['factors', file, '--features', '0.5,,0,0,0,0,50,0.02'],
    ['factors', file, '--features', '1,2,3,4,5,6,7,8', '--symbol', 'SCOM'],
    ['factors', file, '--symbol', 'NOPE', '--prices', repoPath('models/data/nse/prices')],
    ['factors', file, '--symbol', 'SCOM', '--prices', path.join(tmp, 'no-such-dir')],
    ['factors', file, '--features', '1,2,3,4,5,6,7,8', '--bogus'],
    ['factors', file, 'second-model', '--features', '1,2,3,4,5,6,7,8'],
    ['factors', repoPath('no/such/model.stkm'), '--features', '1'],
    ['factors', repoPath('tests/golden/nn_general.stkm'), '--features', '1'],
    ['factors', repoPath('tests/hostile/wrong_hash.stkm'), '--features', '1'],
  ];
  for (const args of cases) {
    const r = run(...args);
    assert.notEqual(r.status, 0, `${args.join(' ')}: exit ${r.status}`);
    assert.equal(r.signal, null, `${args.join(' ')}: killed by ${r.signal}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], /^stockcast( factors)?: \S/, args.join(' '));
  }
});
