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
