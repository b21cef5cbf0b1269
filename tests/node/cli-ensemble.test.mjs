// The ensemble on the command line (docs/ensemble.md): predict --model KIND, backtest --model,
// ensemble-fit; the native answer equals the WebAssembly module's on the same history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnsembleModule, repoPath } from './support.mjs';

const cli = process.env.STOCKCAST_CLI || repoPath('build/stockcast');
const run = (...args) => spawnSync(cli, args, { encoding: 'utf8', cwd: repoPath('.') });
const tmp = mkdtempSync(path.join(tmpdir(), 'stockcast-ens-cli-'));
const manifest = JSON.parse(readFileSync(repoPath('models/manifest.json'), 'utf8'));

// "5d   41.48   [39.35, 43.45] 90%   +0.06%  neutral  0.34 / 0.37 / 0.30  …" -> {h, price, lower, upper, direction}
function rows(stdout) {
  return stdout.split('\n').filter((l) => /^\d+d\s/.test(l)).map((l) => {
    const m = l.match(/^(\d+)d\s+([\d.]+)\s+\[([\d.]+), ([\d.]+)\]\s+\d+%\s+\S+\s+(\w+)/);
    return { h: Number(m[1]), price: Number(m[2]), lower: Number(m[3]), upper: Number(m[4]), direction: m[5] };
  });
}

test('predict --model ensemble equals the WebAssembly ensemble on the same history', async () => {
  const r = run('predict', 'SCOM', '--model', 'ensemble');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /model ensemble/);
  const native = rows(r.stdout);
  assert.deepEqual(native.map((x) => x.h), [1, 5, 10, 30]);
  for (const line of r.stdout.split('\n').filter((l) => /^\d+d\s/.test(l)))
    assert.match(line, /(no_skill|low|medium|high); .*naive \d\.\d\d/);
  // The module with the same members and the last 300 rows (models/history/SCOM.json, same data).
  const E = await loadEnsembleModule();
  const ens = new E.Ensemble(readFileSync(repoPath(`models/${manifest.ensemble.file}`)));
  ens.addNetwork('lstm', readFileSync(repoPath('models/SCOM.stkm')), -1);
  for (const [name, file] of Object.entries(manifest.ensemble.network_files ?? {}))
    ens.addNetwork(name, readFileSync(repoPath(`models/${file}`)), -1);
  for (const l of manifest.factor_models.filter((f) => f.name.startsWith('learner_')))
    ens.addLearner(l.kind, readFileSync(repoPath(`models/${l.file}`)));
  const hist = JSON.parse(readFileSync(repoPath('models/history/SCOM.json'), 'utf8')).rows;
  const col = (k) => Float64Array.from(hist, (x) => x[k]);
  for (const n of native) {
    const a = ens.predict({ high: col('high'), low: col('low'), close: col('close'), volume: col('volume'), horizon: n.h });
    assert.equal(a.ok, true, a.message);
    assert.ok(Math.abs(a.forecast.price - n.price) <= 0.005 + 1e-9, `${n.h}d: ${a.forecast.price} vs ${n.price}`);
    assert.ok(Math.abs(a.forecast.lower - n.lower) <= 0.005 + 1e-9, `${n.h}d lower`);
    assert.ok(Math.abs(a.forecast.upper - n.upper) <= 0.005 + 1e-9, `${n.h}d upper`);
    assert.equal(a.forecast.direction, n.direction);
  }
  ens.delete();
});

test('predict --model serves each member with its own interval; unknown kinds and members fail cleanly', () => {
  for (const kind of manifest.ensemble.members.filter((k) => k !== 'lstm')) {
    const r = run('predict', 'KCB', '--model', kind);
    assert.equal(r.status, 0, `${kind}: ${r.stderr}`);
    const x = rows(r.stdout);
    assert.equal(x.length, 4, kind);
    for (const f of x) assert.ok(f.lower <= f.price && f.price <= f.upper, `${kind} ${f.h}d`);
  }
  const naive = rows(run('predict', 'KCB', '--model', 'naive').stdout);
  const close = Number(run('predict', 'KCB', '--model', 'naive').stdout.match(/last close ([\d.]+)/)[1]);
  for (const f of naive) assert.equal(f.price, close);
  const auto = run('predict', 'KCB', '--model', 'auto');
  assert.equal(auto.status, 0, auto.stderr);
  assert.match(auto.stdout, /test-year MAPE/);
  const bad = run('predict', 'KCB', '--model', 'prophet');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /^stockcast predict: invalid_input: --model 'prophet' is not a model kind/);
  if (!manifest.ensemble.members.includes('transformer')) {
    const t = run('predict', 'KCB', '--model', 'transformer');
    assert.equal(t.status, 1);
    assert.match(t.stderr, /^stockcast predict: model_not_found: .*transformer/);
  }
});

test('backtest --model KIND writes every kind\'s rows over the period; ensemble-fit writes a spec that reads back', () => {
  const prices = path.join(tmp, 'prices');
  mkdirSync(prices);
  copyFileSync(repoPath('models/data/nse/prices/SCOM.csv'), path.join(prices, 'SCOM.csv'));
  const out = path.join(tmp, 'kinds.csv');
  const r = run('backtest', '--model', 'all', '--manifest', 'models/manifest.json', '--prices', prices,
    '--from', '2021-01-04', '--to', '2021-02-26', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'symbol,origin,horizon,kind,close,predicted,lower90,upper90,actual,direction,actual_direction,p_bearish,p_neutral,p_bullish,weight');
  const kinds = new Set(lines.slice(1).map((l) => l.split(',')[3]));
  assert.deepEqual([...kinds].sort(), ['ensemble', ...manifest.ensemble.members].sort());
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    assert.ok(c[1] >= '2021-01-04' && c[1] <= '2021-02-26');
    assert.ok(Number(c[6]) <= Number(c[5]) && Number(c[5]) <= Number(c[7]));
  }
  const one = run('backtest', '--model', 'svr', '--manifest', 'models/manifest.json', '--prices', prices,
    '--from', '2021-01-04', '--to', '2021-01-29', '--out', out);
  assert.equal(one.status, 0, one.stderr);
  assert.deepEqual([...new Set(readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[3]))], ['svr']);
  const bad = run('backtest', '--model', 'arima', '--manifest', 'models/manifest.json', '--prices', prices,
    '--from', '2021-01-04', '--to', '2021-01-29', '--out', out);
  assert.equal(bad.status, 2);

  const spec = path.join(tmp, 'ensemble.json');
  const fit = run('ensemble-fit', '--symbols', 'SCOM,KCB', '--out', spec);
  assert.equal(fit.status, 0, fit.stderr);
  const doc = JSON.parse(readFileSync(spec, 'utf8'));
  assert.equal(doc.format, 'stockcast-ensemble');
  assert.equal(doc.window, 50);
  assert.equal(doc.data.stocks, 2);
  assert.deepEqual(doc.horizons.map((h) => h.horizon), [1, 5, 10, 30]);
  for (const h of doc.horizons) {
    assert.equal(h.selection.length, 64);
    assert.ok(['no_skill', 'low', 'medium', 'high'].includes(h.ensemble.confidence));
    assert.ok(h.ensemble.lower.every((v) => v <= 0) && h.ensemble.upper.every((v) => v >= 0));
  }
  const noOut = run('ensemble-fit', '--symbols', 'SCOM');
  assert.equal(noOut.status, 2);
  assert.match(noOut.stderr, /need --out/);
});
