// The ensemble module (stockcast-ensemble.wasm, docs/ensemble.md) with the shipped files: the spec
// checked against the manifest, the routed LSTM and the learners added from their bytes, a real
// history (models/history/*.json), the answer's members and weights, the cache, typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadEnsembleModule, repoPath } from './support.mjs';

const E = await loadEnsembleModule();
const manifest = JSON.parse(readFileSync(repoPath('models/manifest.json'), 'utf8'));
const specBytes = readFileSync(repoPath(`models/${manifest.ensemble.file}`));
const LEARNERS = manifest.factor_models.filter((f) => f.name.startsWith('learner_'));

function history(symbol) {
  const rows = JSON.parse(readFileSync(repoPath(`models/history/${symbol}.json`), 'utf8')).rows;
  const col = (k) => Float64Array.from(rows, (r) => r[k]);
  return { key: `${symbol}|${rows.at(-1).date}`, high: col('high'), low: col('low'), close: col('close'), volume: col('volume') };
}

// The members as the package adds them: the routed LSTM and every learner file.
function ensembleFor(symbol) {
  const ens = new E.Ensemble(specBytes);
  assert.equal(ens.error(), null);
  const entry = manifest.stocks.find((s) => s.symbol === symbol);
  assert.equal(entry.model_type, 'stock_specific');  // stock id -1 (a general network takes its embedding row)
  assert.equal(ens.addNetwork('lstm', readFileSync(repoPath(`models/${entry.file}`)), -1).ok, true);
  for (const [name, file] of Object.entries(manifest.ensemble.network_files ?? {}))  // the pooled Transformer: no embedding
    assert.equal(ens.addNetwork(name, readFileSync(repoPath(`models/${file}`)), -1).ok, true);
  for (const l of LEARNERS) {
    const r = ens.addLearner(l.kind, readFileSync(repoPath(`models/${l.file}`)));
    assert.equal(r.ok, true, r.message);
  }
  return ens;
}

test('the spec is the one the manifest lists (bytes and SHA-256), with window 50 and every member', () => {
  assert.equal(specBytes.length, manifest.ensemble.bytes);
  assert.equal(createHash('sha256').update(specBytes).digest('hex'), manifest.ensemble.sha256);
  assert.equal(manifest.ensemble.window, 50);
  const ens = new E.Ensemble(specBytes);
  const spec = JSON.parse(ens.spec());
  ens.delete();
  assert.deepEqual(spec.members, manifest.ensemble.members);
  assert.ok(spec.members.includes('naive') && spec.members.includes('lstm'));
});

test('an ensemble forecast of SCOM from its shipped history: weights, members, interval, cache', () => {
  const ens = ensembleFor('SCOM');
  try {
    const h = history('SCOM');
    for (const horizon of [1, 5, 10, 30]) {
      const a = ens.predict({ ...h, horizon, level: 0.9 });
      assert.equal(a.ok, true, a.message);
      assert.equal(a.cached, false);
      assert.equal(a.window, 50);
      assert.ok(['no_skill', 'low', 'medium', 'high'].includes(a.confidence));
      const f = a.forecast;
      assert.equal(f.horizon, horizon);
      assert.ok(f.lower < f.price && f.price < f.upper, JSON.stringify(f));
      assert.ok(Math.abs(f.price / h.close.at(-1) - Math.exp(f.logReturn)) < 1e-12);
      assert.ok(Math.abs(f.pBearish + f.pNeutral + f.pBullish - 1) < 1e-12);
      assert.ok(['bearish', 'neutral', 'bullish'].includes(f.direction));
      const names = a.members.map((m) => m.name).sort();
      assert.deepEqual(names, [...manifest.ensemble.members].sort());
      let sum = 0;
      for (const m of a.members) {
        assert.equal(m.included, true, `${m.name}: ${m.reason}`);
        assert.equal(m.reason, null);
        assert.ok(m.weight >= 0 && m.weight <= 1);
        assert.ok(m.recentError >= 0);
        assert.ok(m.forecast.lower <= m.forecast.price && m.forecast.price <= m.forecast.upper);
        sum += m.weight;
      }
      assert.ok(Math.abs(sum - 1) < 1e-9, `weights sum to ${sum}`);
      // The ensemble's log return is (shrink ×) the weighted mean of the members': within their range.
      const lr = a.members.map((m) => m.forecast.logReturn);
      assert.ok(f.logReturn >= Math.min(...lr) - 1e-12 && f.logReturn <= Math.max(...lr) + 1e-12);
      const again = ens.predict({ ...h, horizon, level: 0.9 });
      assert.equal(again.cached, true);
      assert.equal(again.forecast.price, f.price);
      assert.deepEqual(again.members.map((m) => m.weight), a.members.map((m) => m.weight));
      const wide = ens.predict({ ...h, horizon, level: 0.95 });
      assert.equal(wide.cached, true);
      assert.ok(wide.forecast.upper > f.upper && wide.forecast.lower < f.lower);
    }
    assert.ok(ens.cacheSize() >= 4);
  } finally {
    ens.delete();
  }
});

test('members without their inputs are excluded and named; the rest still answer', () => {
  const ens = ensembleFor('EQTY');
  try {
    const { key, close } = history('EQTY');
    const a = ens.predict({ key, close, horizon: 5 });  // no high/low/volume: the learners cannot run
    assert.equal(a.ok, true, a.message);
    for (const m of a.members) {
      if (['lstm', 'transformer', 'naive'].includes(m.name)) assert.equal(m.included, true);
      else {
        assert.equal(m.included, false, m.name);
        assert.equal(m.weight, 0);
        assert.match(m.reason, /high, low and volume/);
        assert.equal(m.forecast, null);
      }
    }
  } finally {
    ens.delete();
  }
});

test('bad input answers the error value, never throws', () => {
  const ens = ensembleFor('KCB');
  try {
    const h = history('KCB');
    let r = ens.predict({ ...h, horizon: 7 });
    assert.equal(r.ok, false);
    assert.equal(r.code, 'invalid_input');
    assert.equal(r.field, 'horizon');
    r = ens.predict({ ...h, horizon: 5, level: 0.5 });
    assert.equal(r.field, 'level');
    r = ens.predict({ ...h, horizon: '5' });
    assert.equal(r.field, 'horizon');
    r = ens.predict({ ...h, key: 12, horizon: 5 });
    assert.equal(r.field, 'key');
    const short = { close: h.close.slice(0, 60), horizon: 30 };
    r = ens.predict(short);
    assert.equal(r.code, 'insufficient_history');
    assert.equal(r.required, 81);
    assert.equal(r.provided, 60);
    const nan = Float64Array.from(h.close);
    nan[100] = NaN;
    r = ens.predict({ close: nan, horizon: 1 });
    assert.equal(r.field, 'close');
    r = ens.predict(null);
    assert.equal(r.code, 'invalid_input');
    r = ens.addNetwork('x', new Uint8Array([1, 2, 3]), -1);
    assert.equal(r.ok, false);
    assert.equal(r.code, 'format_error');
    r = ens.addLearner('svr', readFileSync(repoPath('models/SCOM.stkm')));
    assert.equal(r.ok, false);
  } finally {
    ens.delete();
  }
  const bad = new E.Ensemble(new TextEncoder().encode('{"format": "other"}'));
  assert.equal(bad.error().code, 'format_error');
  assert.equal(bad.error().detail, 'bad_header');
  assert.equal(bad.predict({ close: new Float64Array(10), horizon: 1 }).ok, false);
  bad.delete();
  assert.equal(E.Ensemble.live(), 0);
});
