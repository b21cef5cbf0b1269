'use client';
// The factor-models view: /factors?model=factor_range_linear&f=0.5,0.1,…  (features typed in) or
// /factors?model=…&symbol=SCOM (features computed by the core from the stock's prices), &clamp=1 to
// move out-of-range inputs onto the model's range. The URL is the state; the form writes it.
// Below: every model's test-year metric beside its baseline (FactorComparison).
import { useEffect, useMemo, useState } from 'react';
import { usePathname, useSearchParams } from 'next/navigation';
import { setParams, useStockcast } from '../lib/stockcast';
import ErrorMessage from './ErrorMessage';
import FactorComparison, { metricTable } from './FactorComparison';

// What each of the core's factor features is (core/include/stockcast/factor_features.hpp).
const FEATURE_TEXT = {
  clv: "close location in the day's range, (close − low) / (high − low)",
  log_volume_rel_20: 'ln((1 + volume) / (1 + its 20-day mean))',
  range_rel: "the day's range, (high − low) / close",
  ret_1: '1-day log return',
  ret_5: '5-day log return',
  ret_20: '20-day log return',
  rsi_14: 'RSI over 14 days (simple averages), 0–100',
  vol_20: 'std of the last 20 daily log returns',
};

const KIND_NAMES = {
  linear: 'linear regression', logistic: 'logistic regression', random_forest: 'random forest', extra_trees: 'extra trees',
  gradient_boosting: 'gradient boosting', svr: 'RBF support-vector regression', mlp: 'multi-layer perceptron',
};

export const fmtG = (x, d = 4) => {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5 ? String(Number(x.toPrecision(d))) : x.toExponential(d - 1);
};
const fmtPct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} %`;

export function modelLabel(m) {
  const h = m.horizon ? ` · ${m.horizon}d` : '';
  return `${m.name} (${KIND_NAMES[m.kind] || m.kind}${h})`;
}

// What the number means for the model's target.
function meaning(r) {
  const v = r.prediction;
  if (r.probabilities) {
    const [, c1] = Object.keys(r.probabilities);
    return `probability of ${c1}: ${(v * 100).toFixed(1)} % → ${r.label}`;
  }
  if (/^fwd_ret_/.test(r.target)) return `log return ${fmtG(v)}: price ${fmtPct(Math.expm1(v))} over ${r.target.slice(8)} trading day(s)`;
  if (r.target === 'next_range_rel') return `tomorrow's range ≈ ${(v * 100).toFixed(2)} % of today's close`;
  return r.target;
}

const parseF = (s) => (s ? s.split(',').map((t) => (t.trim() === '' ? NaN : Number(t))) : null);

export default function FactorsView() {
  const { sc, info, call } = useStockcast();
  const path = usePathname();
  const q = useSearchParams();
  const [list, setList] = useState(null);
  const [listError, setListError] = useState(null);
  const [draft, setDraft] = useState([]);
  const [draftClamp, setDraftClamp] = useState(false);
  const [pick, setPick] = useState('SCOM');
  const [state, setState] = useState({ status: 'idle' });

  useEffect(() => {
    if (!sc) return;
    let live = true;
    call((x) => x.models()).then((l) => live && setList(l), (e) => live && setListError(e));
    return () => {
      live = false;
    };
  }, [sc, call]);

  const wantModel = q.get('model');
  const model = list ? list.find((m) => m.name === wantModel) || (wantModel ? null : list[0]) : null;
  const shownModel = model || (list && list[0]) || null; // the form's model when the URL names an unknown one
  const f = q.get('f');
  const symbol = (q.get('symbol') || '').trim().toUpperCase();
  const clamp = q.get('clamp') === '1' || q.get('clamp') === 'true';
  const names = shownModel ? shownModel.features.map((x) => x.name) : [];
  const go = (next, opts) => setParams(path, { model: shownModel && shownModel.name, ...next }, opts);

  // The inputs follow the URL: its features, else the ranges' midpoints.
  useEffect(() => {
    if (!shownModel) return;
    const given = parseF(f);
    setDraft(given && given.length === names.length ? given.map(String) : shownModel.features.map((x) => String(Number(((x.min + x.max) / 2).toPrecision(4)))));
    setDraftClamp(clamp);
    if (symbol) setPick(symbol);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shownModel, f, clamp, symbol]);

  useEffect(() => {
    if (!sc || !list) return;
    if (!wantModel || (!f && !symbol)) {
      setState({ status: 'idle' });
      return;
    }
    let live = true;
    setState({ status: 'loading' });
    const req = symbol ? { model: wantModel, symbol, clamp } : { model: wantModel, features: parseF(f), clamp };
    call((x) => x.predictFactors(req)).then(
      (r) => {
        if (!live) return;
        setState({ status: 'ready', r });
        if (r.features) {
          const m = list.find((x) => x.name === r.model);
          if (m) setDraft(m.features.map((x) => String(r.features[x.name])));
        }
      },
      (error) => live && setState({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [sc, list, wantModel, f, symbol, clamp, call]);

  const err = state.status === 'error' ? state.error : null;
  const badField = err && err.code === 'out_of_range' && typeof err.field === 'string' ? err.field.replace(/^features\./, '') : null;
  const r = state.r;
  const table = useMemo(() => (r && r.metrics ? metricTable(r.metrics.test) : null), [r]);
  const outside = (i) => {
    const v = Number(draft[i]);
    const rg = shownModel && shownModel.features[i];
    return draft[i] !== '' && Number.isFinite(v) && rg && (v < rg.min || v > rg.max);
  };
  const stocks = info ? info.stocks : [];

  const onModel = (name) => {
    const next = list.find((m) => m.name === name);
    const same = next && next.features.map((x) => x.name).join() === names.join();
    go({ model: name, f: same && !symbol ? f : undefined, symbol: symbol || undefined, clamp: clamp ? 1 : undefined });
  };

  return (
    <>
      <h2 className="visually-hidden">Factor models</h2>
      {listError && <ErrorMessage id="message" error={listError} context="Factor models" />}
      <form id="factor-form" className="controls" onSubmit={(ev) => {
        ev.preventDefault();
        go({ f: draft.map((s) => s.trim()).join(','), clamp: draftClamp ? 1 : undefined });
      }}>
        <label>
          Model
          <select id="factor-model" value={shownModel ? shownModel.name : ''} disabled={!list} onChange={(ev) => onModel(ev.target.value)}>
            {list && (
              <>
                <optgroup label="Factor service">
                  {list.filter((m) => !m.horizon).map((m) => <option key={m.name} value={m.name}>{modelLabel(m)}</option>)}
                </optgroup>
                {[...new Set(list.filter((m) => m.horizon).map((m) => m.horizon))].map((h) => (
                  <optgroup key={h} label={`Ensemble learners, ${h}-day return`}>
                    {list.filter((m) => m.horizon === h).map((m) => <option key={m.name} value={m.name}>{modelLabel(m)}</option>)}
                  </optgroup>
                ))}
              </>
            )}
          </select>
        </label>
        {shownModel && (
          <p id="factor-target" className="fine factor-target">
            Target <code>{shownModel.target}</code>{shownModel.definition ? `: ${shownModel.definition}` : ''}
            {shownModel.classes ? ` (classes ${shownModel.classes.join(' / ')})` : ''}
          </p>
        )}
        <fieldset className="feature-grid" id="factor-features" disabled={!shownModel}>
          <legend>Features (valid range beside each: the training rows&apos; span widened by 10 % each side)</legend>
          {shownModel && shownModel.features.map((x, i) => (
            <div key={x.name} className={`feat${badField === x.name || outside(i) ? ' out' : ''}`}>
              <label htmlFor={`feat-${x.name}`}>
                <b>{x.name}</b> <span className="fine">{FEATURE_TEXT[x.name] || ''}</span>
              </label>
              <input
                id={`feat-${x.name}`}
                type="text"
                inputMode="decimal"
                autoComplete="off"
                value={draft[i] ?? ''}
                aria-describedby={`range-${x.name}`}
                aria-invalid={badField === x.name || outside(i) ? 'true' : undefined}
                onChange={(ev) => setDraft((d) => d.map((v, k) => (k === i ? ev.target.value : v)))}
              />
              <span id={`range-${x.name}`} className="range" data-min={x.min} data-max={x.max}>
                range {fmtG(x.min)} … {fmtG(x.max)}{outside(i) ? ' — outside' : ''}
              </span>
            </div>
          ))}
        </fieldset>
        <label className="check">
          <input id="factor-clamp-box" type="checkbox" checked={draftClamp} onChange={(ev) => setDraftClamp(ev.target.checked)} />
          Clamp out-of-range values onto the range
        </label>
        <button id="factor-go" type="submit" disabled={!shownModel}>Predict</button>
      </form>

      <form id="factor-stock-form" className="controls" onSubmit={(ev) => {
        ev.preventDefault();
        go({ symbol: pick, clamp: draftClamp ? 1 : undefined });
      }}>
        <label>
          Or a stock (features computed by the core from its prices)
          <select id="factor-symbol" value={pick} disabled={!info} onChange={(ev) => setPick(ev.target.value)}>
            {stocks.map((s) => <option key={s.symbol} value={s.symbol}>{`${s.symbol} — ${s.name}`}</option>)}
          </select>
        </label>
        <button id="factor-symbol-go" type="submit" disabled={!shownModel || !info}>Use its prices</button>
      </form>

      {err && (
        <div className="factor-error">
          <ErrorMessage id="message" error={err} context={wantModel || 'Factor model'} onSuggest={(name) => go({ model: name, f: f || undefined, symbol: symbol || undefined })} />
          {err.code === 'out_of_range' && (
            <p className="fine">
              The model was fitted on values inside this range; outside it its answer would be an extrapolation.{' '}
              <button id="factor-clamp" type="button" className="linklike" onClick={() => go({ f: f || undefined, symbol: symbol || undefined, clamp: 1 })}>
                Clamp to the range and predict
              </button>
            </p>
          )}
        </div>
      )}

      <section className="card" aria-labelledby="factor-title">
        <h3 id="factor-title" className="h3">{wantModel || (shownModel && shownModel.name) || 'Factor model'}</h3>
        <div id="factor-result" data-state={state.status} data-model={r ? r.model : undefined} data-symbol={r && r.symbol ? r.symbol : undefined} aria-live="polite">
          {state.status === 'idle' && <p className="fine">Enter the features and press Predict, or pick a stock.</p>}
          {state.status === 'loading' && <p className="fine">Computing…</p>}
          {r && state.status === 'ready' && (
            <>
              <div className="metrics factor-metrics">
                <div className="metric">
                  <span className="k">{r.probabilities ? `P(${Object.keys(r.probabilities)[1]})` : r.target}</span>
                  <span id="factor-prediction" className="v" data-value={r.prediction}>{fmtG(r.prediction, 6)}</span>
                  <span className="note">{meaning(r)}</span>
                </div>
                <div className="metric">
                  <span className="k">Latency</span>
                  <span id="factor-latency" className="v" data-value={r.latencyMs}>{r.latencyMs.toFixed(3)} ms</span>
                  <span className="note">in the worker, {KIND_NAMES[r.kind] || r.kind} (a model&apos;s first call includes its download)</span>
                </div>
              </div>
              {r.probabilities && (
                <dl id="factor-probs" className="kv factor-probs">
                  {Object.entries(r.probabilities).map(([c, p]) => (
                    <div key={c} className="kvrow" data-class={c} data-value={p}>
                      <dt>{c}{c === r.label ? ' (label)' : ''}</dt>
                      <dd>{(p * 100).toFixed(2)} %</dd>
                    </div>
                  ))}
                </dl>
              )}
              {r.symbol && (
                <p id="factor-source" className="fine">
                  Features computed by the core from {r.symbol}&apos;s daily prices to {r.dataDate || '?'} (shown in the inputs above).
                </p>
              )}
              {r.clamped && (
                <ul id="factor-clamped" className="fine">
                  {r.clamped.map((c) => (
                    <li key={c.field}>{`${c.field.replace(/^features\./, '')} = ${fmtG(c.value)} was clamped to the range ${fmtG(c.min)} … ${fmtG(c.max)}`}</li>
                  ))}
                </ul>
              )}
              {table && (
                <div className="scroll" tabIndex={0} role="region" aria-label="Test-year metrics beside the baselines">
                  <table id="factor-metrics">
                    <caption className="fine">Test year (2020-07 … 2021-06, never used for fitting), this model beside its baselines; the better value of each column in bold.</caption>
                    <thead>
                      <tr><th scope="col">Model</th>{table.columns.map((c) => <th key={c.key} scope="col" className="num">{c.label}</th>)}</tr>
                    </thead>
                    <tbody>
                      {table.rows.map((row) => (
                        <tr key={row.name} data-row={row.name}>
                          <th scope="row">{row.label}</th>
                          {table.columns.map((c) => (
                            <td key={c.key} className="num" data-key={c.key} data-value={row.values[c.key]}>
                              {table.best[c.key] === row.name ? <b>{fmtG(row.values[c.key])}</b> : fmtG(row.values[c.key])}
                            </td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          )}
        </div>
      </section>

      <FactorComparison models={list} current={r ? r.model : shownModel && shownModel.name} onPick={(name) => {
        onModel(name);
        if (typeof window !== 'undefined') document.getElementById('factor-model')?.focus();
      }} />
    </>
  );
}
