'use client';
// The sector view: /sector?name=Banking&horizon=10d&sort=expectedReturn&dir=desc. One
// predictSector call fills the table; every column sorts (button in its header, aria-sort).
import { useEffect, useMemo, useState } from 'react';
import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { setParams, useStockcast } from '../lib/stockcast';
import { fmtMape, fmtPrice, fmtSignedPct, signClass } from '../lib/format';
import ErrorMessage from './ErrorMessage';

const COLUMNS = [
  { key: 'symbol', label: 'Symbol', text: true },
  { key: 'name', label: 'Name', text: true },
  { key: 'currentPrice', label: 'Last' },
  { key: 'predictedPrice', label: 'Predicted' },
  { key: 'expectedReturn', label: 'Exp. return' },
  { key: 'direction', label: 'Direction', text: true },
  { key: 'modelType', label: 'Model', text: true },
  { key: 'mape', label: 'MAPE' },
  { key: 'naiveMape', label: 'Naive MAPE' },
];

function sortRows(rows, key, dir) {
  const col = COLUMNS.find((c) => c.key === key) || COLUMNS[4];
  return [...rows].sort((a, b) => {
    const x = a[col.key];
    const y = b[col.key];
    if (col.text) return dir * String(x ?? '').localeCompare(String(y ?? ''));
    const fx = Number.isFinite(x);
    const fy = Number.isFinite(y);
    if (!fx || !fy) return fx === fy ? 0 : fx ? -1 : 1; // missing values last
    return dir * (x - y);
  });
}

export default function SectorView() {
  const { sc, info, call } = useStockcast();
  const path = usePathname();
  const q = useSearchParams();
  const sectors = info ? info.sectors : [];
  const horizons = info ? info.horizons : [];
  const wantName = q.get('name');
  const name = sectors.includes(wantName) ? wantName : sectors.includes('Banking') ? 'Banking' : sectors[0];
  const wantH = q.get('horizon');
  const horizon = horizons.includes(wantH) ? wantH : horizons.includes('10d') ? '10d' : horizons[0];
  const sortKey = COLUMNS.some((c) => c.key === q.get('sort')) ? q.get('sort') : 'expectedReturn';
  const dir = q.get('dir') === 'asc' ? 1 : q.get('dir') === 'desc' ? -1 : COLUMNS.find((c) => c.key === sortKey).text ? 1 : -1;
  const [state, setState] = useState({ status: 'loading' });
  const go = (next, opts) => setParams(path, { name, horizon, sort: sortKey, dir: dir > 0 ? 'asc' : 'desc', ...next }, opts);

  useEffect(() => {
    if (!sc || !name || !horizon) return;
    let live = true;
    setState({ status: 'loading' });
    call((x) => x.predictSector({ sector: name, horizon })).then(
      (r) => {
        if (!live) return;
        const stocks = new Map(info.stocks.map((s) => [s.symbol, s]));
        const rows = r.results.map((x) => {
          const stock = stocks.get(x.symbol) || {};
          if (!x.ok) return { symbol: x.symbol, name: stock.name || '', failed: true, error: x.error };
          const p = x.prediction;
          return {
            symbol: p.symbol, name: p.name || stock.name || '', currentPrice: p.currentPrice, predictedPrice: p.predictedPrice,
            expectedReturn: p.expectedReturn, direction: p.direction, modelType: p.modelType,
            mape: p.heldOut ? p.heldOut.mape : NaN, naiveMape: p.heldOut ? p.heldOut.naiveMape : NaN,
            stale: !!p.stale, dataDate: p.dataDate,
          };
        });
        setState({ status: 'ready', r, rows });
      },
      (error) => live && setState({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [sc, info, name, horizon, call]);

  const rows = useMemo(() => (state.rows ? sortRows(state.rows, sortKey, dir) : []), [state.rows, sortKey, dir]);
  const s = state.r && state.r.summary;
  return (
    <>
      <h2 className="visually-hidden">Sector forecast</h2>
      <form id="sector-form" className="controls" onSubmit={(ev) => ev.preventDefault()}>
        <label>
          Sector
          <select id="sector-select" value={name || ''} disabled={!info} onChange={(ev) => go({ name: ev.target.value })}>
            {sectors.map((sec) => <option key={sec} value={sec}>{`${sec} (${info.bySector[sec].total})`}</option>)}
          </select>
        </label>
        <label>
          Horizon
          <select id="sector-horizon" value={horizon || ''} disabled={!info} onChange={(ev) => go({ horizon: ev.target.value })}>
            {horizons.map((h) => <option key={h} value={h}>{h}</option>)}
          </select>
        </label>
      </form>
      {state.status === 'error' && <ErrorMessage id="message" error={state.error} context={`Sector ${name}`} />}
      <section className="card" aria-labelledby="sector-title">
        <h3 id="sector-title" className="h3">{name || 'Sector'} · {horizon}</h3>
        <p id="sector-summary" className="fine" aria-live="polite">
          {state.status === 'loading' ? 'Forecasting the sector…' : s ? `${state.r.sector}: ${s.successful} of ${s.total} stocks forecast for ${state.r.horizon} (${state.r.trainedCount} with their own model), ${s.modelCalls} batched model call${s.modelCalls === 1 ? '' : 's'} in ${s.totalTimeMs.toFixed(1)} ms.` : ''}
        </p>
        <div className="scroll" tabIndex={0} role="region" aria-label="Sector table">
          <table id="sector-table" className="sortable" data-state={state.status} data-sector={state.r ? state.r.sector : undefined} data-horizon={state.r ? state.r.horizon : undefined}>
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c.key} scope="col" data-key={c.key} className={c.text ? '' : 'num'} aria-sort={c.key === sortKey ? (dir > 0 ? 'ascending' : 'descending') : 'none'}>
                    <button type="button" onClick={() => go({ sort: c.key, dir: c.key === sortKey ? (dir > 0 ? 'desc' : 'asc') : c.text ? 'asc' : 'desc' }, { replace: true })}>
                      {c.label}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) =>
                r.failed ? (
                  <tr key={r.symbol} className="failed" data-symbol={r.symbol}>
                    <td>{r.symbol}</td><td>{r.name}</td><td colSpan={7}>{`${r.error.code}: ${r.error.message}`}</td>
                  </tr>
                ) : (
                  <tr key={r.symbol} data-symbol={r.symbol}>
                    <td><Link href={`/?symbol=${encodeURIComponent(r.symbol)}&horizon=${horizon}`} prefetch={false} title={`Open ${r.symbol} in the stock view`}>{r.symbol}</Link></td>
                    <td>
                      {r.name}
                      {r.stale && <span className="pill low stale" title="Every history source failed: the last good copy of the prices kept in this browser" data-date={r.dataDate}>{`stale · ${r.dataDate}`}</span>}
                    </td>
                    <td className="num">{fmtPrice(r.currentPrice)}</td>
                    <td className="num" data-value={r.predictedPrice}>{fmtPrice(r.predictedPrice)}</td>
                    <td className={`num ${signClass(r.expectedReturn)}`}>{fmtSignedPct(r.expectedReturn)}</td>
                    <td className={r.direction}>{r.direction}</td>
                    <td>{r.modelType}</td>
                    <td className="num">{fmtMape(r.mape)}</td>
                    <td className="num">{fmtMape(r.naiveMape)}</td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
