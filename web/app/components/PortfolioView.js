'use client';
// The portfolio view: /portfolio?symbols=SCOM,EQTY,KCB&method=max_sharpe. The optimiser runs
// when the URL names at least two stocks; the form writes the URL.
import { useEffect, useState } from 'react';
import { usePathname, useSearchParams } from 'next/navigation';
import { setParams, useStockcast } from '../lib/stockcast';
import { METHOD_NAMES, fmtNum, fmtPct } from '../lib/format';
import ErrorMessage from './ErrorMessage';

const DEFAULT = ['SCOM', 'EQTY', 'KCB', 'EABL'];

export default function PortfolioView() {
  const { sc, info, call } = useStockcast();
  const path = usePathname();
  const q = useSearchParams();
  const method = METHOD_NAMES[q.get('method')] ? q.get('method') : 'max_sharpe';
  const fromUrl = (q.get('symbols') || '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const key = fromUrl.join(',');
  const [picked, setPicked] = useState(() => new Set(fromUrl.length ? fromUrl : DEFAULT));
  const [pickMethod, setPickMethod] = useState(method);
  const [state, setState] = useState({ status: 'idle' });

  useEffect(() => {
    if (fromUrl.length) setPicked(new Set(fromUrl));
    setPickMethod(method);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, method]);

  useEffect(() => {
    if (!sc) return;
    const symbols = key ? key.split(',') : [];
    if (symbols.length < 2) {
      setState(symbols.length ? { status: 'error', error: { code: 'invalid_input', message: 'choose at least two stocks' } } : { status: 'idle' });
      return;
    }
    let live = true;
    setState({ status: 'loading' });
    call((x) => x.optimizePortfolio({ symbols })).then( // every method, compared below the chosen one
      (r) => live && setState({ status: 'ready', r }),
      (error) => live && setState({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [sc, key, call]);

  const toggle = (s) => setPicked((old) => {
    const n = new Set(old);
    if (n.has(s)) n.delete(s);
    else n.add(s);
    return n;
  });
  const r = state.r;
  const pf = r && ((r.portfolios || []).find((x) => x.method === method) || (r.portfolios || [])[0]);
  const syms = r ? r.symbols || key.split(',') : [];
  const names = info ? new Map(info.stocks.map((s) => [s.symbol, s.name])) : new Map();
  return (
    <>
      <h2 className="visually-hidden">Portfolio optimiser</h2>
      <form
        id="portfolio-form"
        className="controls"
        onSubmit={(ev) => {
          ev.preventDefault();
          const order = info ? info.stocks.map((s) => s.symbol).filter((s) => picked.has(s)) : [...picked];
          setParams(path, { symbols: order.join(','), method: pickMethod });
        }}
      >
        <label>
          Method
          <select id="portfolio-method" value={pickMethod} onChange={(ev) => setPickMethod(ev.target.value)}>
            {Object.entries(METHOD_NAMES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select>
        </label>
        <button type="submit" disabled={!info}>Optimise</button>
        <span className="fine">{picked.size} chosen; at least two (long-only, weights sum to 1).</span>
      </form>
      {state.status === 'error' && <ErrorMessage id="message" error={state.error} context="Portfolio" />}
      <section id="portfolio-result" className="card" data-state={state.status} data-method={pf ? pf.method : undefined} aria-labelledby="pf-title" aria-busy={state.status === 'loading'}>
        <h3 id="pf-title" className="h3">{pf ? METHOD_NAMES[pf.method] || pf.method : 'Portfolio'}</h3>
        {state.status === 'idle' && <p className="fine">Choose stocks below and press Optimise.</p>}
        {state.status === 'loading' && <p className="fine">Optimising {key.split(',').length} stocks…</p>}
        {pf && (
          <>
            <div className="scroll" tabIndex={0} role="region" aria-label="Portfolio weights">
              <table id="portfolio-table">
                <thead>
                  <tr><th scope="col">Symbol</th><th scope="col">Name</th><th scope="col" className="num">Weight</th><th scope="col" className="num">Risk contribution</th></tr>
                </thead>
                <tbody>
                  {syms.map((s, i) => (
                    <tr key={s} data-symbol={s}>
                      <td>{s}</td>
                      <td>{names.get(s) || ''}</td>
                      <td className="num" data-value={pf.weights[i]}><span className="wbar" style={{ width: `${Math.round(pf.weights[i] * 100)}px` }} />{fmtPct(pf.weights[i], 1)}</td>
                      <td className="num"><span className="wbar rc" style={{ width: `${Math.round(Math.max(0, pf.risk_contributions[i]) * 100)}px` }} />{fmtPct(pf.risk_contributions[i], 1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="fine" id="portfolio-summary">
              Expected return {fmtPct(pf.expected_return)} a year · volatility {fmtPct(pf.volatility)} a year · Sharpe {fmtNum(pf.sharpe, 3)}
              {pf.fallback ? ` · fallback: ${pf.note}` : ''} · {r.first_date || ''} to {r.last_date || ''} ({r.n_returns ?? ''} daily returns) · {fmtNum(r.latencyMs, 1)} ms
            </p>
            {(r.portfolios || []).length > 1 && (
              <div className="scroll" tabIndex={0} role="region" aria-label="Every method compared">
                <table id="portfolio-methods">
                  <caption className="fine">Every method on the same returns</caption>
                  <thead>
                    <tr><th scope="col">Method</th><th scope="col" className="num">Return (ann.)</th><th scope="col" className="num">Volatility (ann.)</th><th scope="col" className="num">Sharpe</th></tr>
                  </thead>
                  <tbody>
                    {r.portfolios.map((x) => (
                      <tr key={x.method} aria-current={x.method === method ? 'true' : undefined}>
                        <th scope="row">{METHOD_NAMES[x.method] || x.method}</th>
                        <td className="num">{fmtPct(x.expected_return)}</td>
                        <td className="num">{fmtPct(x.volatility)}</td>
                        <td className="num">{fmtNum(x.sharpe, 3)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </section>
      <fieldset id="portfolio-picker" className="picker card">
        <legend>Stocks</legend>
        {info && info.sectors.map((sector) => (
          <div key={sector} className="picker-group" role="group" aria-label={sector}>
            <h4>{sector}</h4>
            {info.stocks.filter((s) => s.sector === sector).map((s) => (
              <label key={s.symbol} title={s.name}>
                <input type="checkbox" value={s.symbol} checked={picked.has(s.symbol)} onChange={() => toggle(s.symbol)} />
                {s.symbol} <span className="fine">{s.name}</span>
              </label>
            ))}
          </div>
        ))}
      </fieldset>
    </>
  );
}
