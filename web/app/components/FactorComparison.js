'use client';
// Every factor model's test-year metric beside its baseline: an accessible bar chart (a table
// whose rows carry the numbers as text; the bars are drawn by SVG attributes, no inline styles,
// so the strict CSP holds). Each pair of bars is scaled to its own larger value: the models'
// metrics differ by horizon, the comparison that matters is with the baseline in the same row.
import { useState } from 'react';

const LOWER = new Set(['mae', 'rmse', 'brier']);
const COLUMN_LABELS = { r2: 'R²', mae: 'MAE', rmse: 'RMSE', brier: 'Brier', accuracy: 'Accuracy', auc: 'AUC', r2_vs_naive: 'R² vs naive', direction_hit_rate: 'Direction hit', n: 'Rows' };
const ROW_LABELS = { model: 'This model', mean: 'Mean (training)', persistence: 'Persistence', majority: 'Majority class', base_rate: 'Base rate (training)', naive: 'Naive (no change)' };

const num = (x) => typeof x === 'number' && Number.isFinite(x);
const fmt = (x) => (num(x) ? (x === 0 ? '0' : Math.abs(x) >= 1e-3 ? String(Number(x.toPrecision(4))) : x.toExponential(3)) : '—');

// A model's test metrics as rows (the model and its baselines) and columns, with the best row per column.
export function metricTable(test) {
  if (!test || typeof test !== 'object') return null;
  let rows;
  if (test.model && typeof test.model === 'object') {
    rows = Object.entries(test).filter(([, v]) => v && typeof v === 'object').map(([name, values]) => ({ name, values }));
  } else if (num(test.mae)) {
    rows = [
      { name: 'model', values: { mae: test.mae, rmse: test.rmse, r2_vs_naive: test.r2_vs_naive, direction_hit_rate: test.direction_hit_rate, n: test.n } },
      { name: 'naive', values: { mae: test.naive_mae, rmse: test.naive_rmse, r2_vs_naive: 0, n: test.n } },
    ];
  } else return null;
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.values)))].filter((k) => k !== 'n');
  keys.push('n');
  const best = {};
  for (const k of keys) {
    if (k === 'n') continue;
    let b = null;
    for (const r of rows) {
      const v = r.values[k];
      if (!num(v)) continue;
      if (!b || (LOWER.has(k) ? v < b.v : v > b.v)) b = { v, name: r.name };
    }
    if (b) best[k] = b.name;
  }
  return { columns: keys.map((k) => ({ key: k, label: COLUMN_LABELS[k] || k })), rows: rows.map((r) => ({ ...r, label: ROW_LABELS[r.name] || r.name })), best };
}

export const METRICS = {
  error: 'Absolute error: MAE (classifier: Brier score), lower is better',
  fit: 'Fit: RMSE, lower is better (factor service: R² / AUC, higher is better)',
};

// The pair to draw for one model: its metric and its best baseline's.
export function pairFor(test, metric) {
  if (!test) return null;
  const pickBest = (key, lower) => {
    let b = null;
    for (const [name, v] of Object.entries(test)) {
      if (name === 'model' || !v || typeof v !== 'object' || !num(v[key])) continue;
      if (!b || (lower ? v[key] < b.value : v[key] > b.value)) b = { name, value: v[key] };
    }
    return b;
  };
  const from = (key, lower) => {
    const b = pickBest(key, lower);
    return b && num(test.model[key]) ? { key, label: COLUMN_LABELS[key], lower, model: test.model[key], baseline: b.value, baselineName: ROW_LABELS[b.name] || b.name } : null;
  };
  if (test.model && typeof test.model === 'object') {
    if (metric === 'error') return num(test.model.mae) ? from('mae', true) : from('brier', true);
    return num(test.model.r2) ? from('r2', false) : from('auc', false);
  }
  if (metric === 'error') return num(test.mae) ? { key: 'mae', label: 'MAE', lower: true, model: test.mae, baseline: test.naive_mae, baselineName: ROW_LABELS.naive } : null;
  return num(test.rmse) ? { key: 'rmse', label: 'RMSE', lower: true, model: test.rmse, baseline: test.naive_rmse, baselineName: ROW_LABELS.naive } : null;
}


export default function FactorComparison({ models, current, onPick }) {
  const [metric, setMetric] = useState('error');
  const rows = (models || []).map((m) => ({ m, p: pairFor(m.metrics && m.metrics.test, metric) })).filter((x) => x.p);
  const wins = rows.filter(({ p }) => (p.lower ? p.model < p.baseline : p.model > p.baseline)).length;
  return (
    <section className="card" aria-labelledby="compare-title">
      <h3 id="compare-title" className="h3">Every model beside its baseline (test year)</h3>
      <form className="controls" onSubmit={(ev) => ev.preventDefault()}>
        <label>
          Metric
          <select id="compare-metric" value={metric} onChange={(ev) => setMetric(ev.target.value)}>
            {Object.entries(METRICS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select>
        </label>
      </form>
      <p id="compare-summary" className="fine" aria-live="polite">
        {models ? `The model beats its best baseline on ${wins} of ${rows.length} models on this metric.` : 'Loading the models…'}
        {' '}↓ lower is better, ↑ higher is better; the baseline is the better of the model&apos;s baselines (naive = no change).
        {' '}<span className="key-model" aria-hidden="true">■ model</span> <span className="key-base" aria-hidden="true">■ baseline</span>
      </p>
      <div className="scroll" tabIndex={0} role="region" aria-label="Model comparison chart">
        <table id="factor-chart" className="compare" data-ready={models ? 'true' : undefined} data-models={rows.length} data-metric={metric} data-wins={wins}>
          <caption className="visually-hidden">Test-year {metric === 'error' ? 'absolute error' : 'fit'} of every factor model beside its best baseline</caption>
          <thead>
            <tr>
              <th scope="col">Model and metric</th>
              <th scope="col" className="num">Model</th>
              <th scope="col" className="num">Baseline</th>
              <th scope="col" className="bars-col">Bars</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ m, p }) => {
              const better = p.lower ? p.model < p.baseline : p.model > p.baseline;
              const top = Math.max(Math.abs(p.model), Math.abs(p.baseline)) || 1;
              const w = (v) => Math.max(0, (v / top) * 100);
              return (
                <tr key={m.name} data-model={m.name} data-value={p.model} data-baseline={p.baseline} data-better={better ? 'model' : 'baseline'} aria-current={m.name === current ? 'true' : undefined}>
                  <th scope="row">
                    {onPick ? <button type="button" className="linklike" data-pick={m.name} title={`Open ${m.name} in the form above`} onClick={() => onPick(m.name)}>{m.name}</button> : m.name}
                    <span className="metric-name" title={`${p.lower ? 'lower' : 'higher'} is better; baseline: ${p.baselineName}`}>
                      {p.label} {p.lower ? '↓' : '↑'} <span className="fine">vs {p.baselineName}</span><span className="visually-hidden">{` (${p.lower ? 'lower' : 'higher'} is better)`}</span>
                    </span>
                  </th>
                  <td className={`num ${better ? 'good' : ''}`}>{fmt(p.model)}</td>
                  <td className={`num ${better ? '' : 'bad'}`}>{fmt(p.baseline)}{better ? '' : ' (baseline wins)'}</td>
                  <td className="bars-col">
                    <svg className="pair" viewBox="0 0 100 18" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                      <rect className="bar-model" x="0" y="1" height="7" width={w(p.model)} />
                      <rect className="bar-base" x="0" y="10" height="7" width={w(p.baseline)} />
                    </svg>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
