'use client';
import { Fragment, useEffect, useState } from 'react';
import { useStockcast } from '../lib/stockcast';
import { fmtNum, fmtPct } from '../lib/format';
import ErrorMessage from './ErrorMessage';

const text = (w) => (typeof w === 'string' ? w : w.message || w.code || JSON.stringify(w));

function Report({ r }) {
  const rs = r.risk_score || {};
  const v = r.volatility || {};
  const dd = r.drawdown || {};
  const mk = r.market || {};
  const ind = r.indicators || {};
  const vars = ((r.var && r.var.estimates) || []).filter((e) => typeof e === 'object');
  return (
    <>
      <div className="risk-grid">
        <section aria-labelledby="risk-score-h">
          <h3 className="h4" id="risk-score-h">Risk score</h3>
          <div className="score" id="risk-score" data-value={rs.total}>
            {fmtNum(rs.total, 1)} <small>/ 100 · {rs.level || ''}</small>
          </div>
          {(rs.factors || []).map((f) => (
            <div className="factor" key={f.name}>
              <span>{f.name.replace(/_/g, ' ')}</span>
              <meter min={0} max={100} value={Math.max(0, Math.min(100, f.score || 0))} aria-label={`${f.name.replace(/_/g, ' ')} score`} />
              <span>{f.available === false ? 'n/a' : fmtNum(f.score, 1)}</span>
            </div>
          ))}
          {rs.warnings && rs.warnings.length > 0 && (
            <ul className="fine warnings">
              {rs.warnings.map((w, i) => <li key={i}>{text(w)}</li>)}
            </ul>
          )}
        </section>
        <section aria-labelledby="risk-vol-h">
          <h3 className="h4" id="risk-vol-h">Volatility ({v.method || '?'}{v.converged === false ? ', not converged' : ''})</h3>
          <dl className="kv" id="risk-volatility">
            <dt>current daily</dt><dd>{fmtPct(v.current_vol)}</dd>
            <dt>next day</dt><dd>{fmtPct(v.next_day_vol)}</dd>
            <dt>long run daily</dt><dd>{fmtPct(v.long_run_vol)}</dd>
            {v.params && (<><dt>α / β</dt><dd>{fmtNum(v.params.alpha, 3)} / {fmtNum(v.params.beta, 3)}</dd></>)}
            {(v.forecasts || []).map((f) => (
              <Fragment key={f.horizon}><dt>{f.horizon}d vol (ann.)</dt><dd>{fmtPct(f.annualized, 1)}</dd></Fragment>
            ))}
          </dl>
        </section>
        <section aria-labelledby="risk-dd-h">
          <h3 className="h4" id="risk-dd-h">Drawdown · market</h3>
          <dl className="kv">
            <dt>max drawdown</dt><dd id="risk-drawdown" data-value={dd.max_drawdown}>{fmtPct(dd.max_drawdown, 1)}</dd>
            <dt>peak → trough</dt><dd>{dd.peak_date || '—'} → {dd.trough_date || '—'}</dd>
            <dt>recovered</dt><dd>{dd.recovery_date || 'not yet'}</dd>
            <dt>beta to {mk.index || 'NASI'}</dt><dd id="risk-beta" data-value={mk.beta}>{fmtNum(mk.beta, 3)}</dd>
            <dt>correlation</dt><dd>{fmtNum(mk.correlation, 3)}</dd>
          </dl>
          {r.market_note && <p className="fine">{r.market_note}</p>}
        </section>
        <section aria-labelledby="risk-ind-h">
          <h3 className="h4" id="risk-ind-h">Indicators</h3>
          <dl className="kv">
            <dt>RSI (14)</dt><dd id="risk-rsi" data-value={ind.rsi}>{fmtNum(ind.rsi, 1)} · {ind.rsi_label || ''}</dd>
            <dt>MACD / signal</dt><dd>{fmtNum(ind.macd, 3)} / {fmtNum(ind.signal, 3)}</dd>
            <dt>histogram</dt><dd>{fmtNum(ind.histogram, 3)} · {ind.macd_label || ''}</dd>
            <dt>volume trend</dt><dd>{(ind.volume_trend && ind.volume_trend.label) || '—'}</dd>
          </dl>
        </section>
      </div>
      <h3 className="h4">Value at risk / expected shortfall (loss as a fraction of the position)</h3>
      <div className="scroll" tabIndex={0} role="region" aria-label="Value at risk table">
        <table id="risk-var">
          <thead>
            <tr><th scope="col">method</th><th scope="col" className="num">level</th><th scope="col" className="num">horizon</th><th scope="col" className="num">VaR</th><th scope="col" className="num">ES</th></tr>
          </thead>
          <tbody>
            {vars.map((e, i) => (
              <tr key={i}>
                <td>{e.method}</td>
                <td className="num">{Math.round(e.level * 100)} %</td>
                <td className="num">{e.horizon}d</td>
                <td className="num">{fmtPct(e.var)}</td>
                <td className="num">{fmtPct(e.es)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="fine">
        Window {r.window ? `${r.window.first_date} to ${r.window.last_date}, ${r.window.returns} returns` : ''} · computed in {fmtNum(r.latencyMs, 1)} ms
      </p>
    </>
  );
}

export default function RiskPanel({ symbol }) {
  const { sc, call } = useStockcast();
  const [state, setState] = useState({ status: 'loading' });
  useEffect(() => {
    if (!sc || !symbol) return;
    let live = true;
    setState({ status: 'loading' });
    call((x) => x.risk({ symbol })).then(
      (report) => live && setState({ status: 'ready', report }),
      (error) => live && setState({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [sc, symbol, call]);
  return (
    <section id="risk" className="card risk" data-state={state.status} data-code={state.error?.code} aria-labelledby="risk-title" aria-busy={state.status === 'loading'}>
      <h2 id="risk-title" className="h3">Risk · {symbol}</h2>
      {state.status === 'loading' && <p className="fine">Computing the risk report (loads the risk engine on first use)…</p>}
      {state.status === 'error' && <ErrorMessage error={state.error} context="Risk report" />}
      {state.status === 'ready' && <Report r={state.report} />}
    </section>
  );
}
