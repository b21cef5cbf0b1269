'use client';
// The price chart (uPlot, loaded on the client): the last 120 closes, the forecast at every
// horizon from the last close, the interval band, the selected horizon marked. The legend shows
// the values under the cursor (hover or keyboard focus moves nothing: the horizon table beside it
// lists every number).
import { useEffect, useRef } from 'react';
import { fmtPrice } from '../lib/format';

const DAYS = 120;
const DAY = 86400;

function addTradingDays(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`);
  while (n > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const w = d.getUTCDay();
    if (w !== 0 && w !== 6) n--;
  }
  return d.getTime() / 1000;
}

// Aligned columns for uPlot: history first, then the horizons; the forecast, upper and lower
// series start at the last close (null before it, so no interior gaps). Each overlay (another
// model kind's fan, same horizons) adds its own forecast, upper and lower columns.
export function chartData(fan, history, selected, overlays = []) {
  const last = fan[0];
  const tLast = new Date(`${last.dataDate}T00:00:00Z`).getTime() / 1000;
  const rows = history ? history.rows.slice(-DAYS).filter((r) => new Date(`${r.date}T00:00:00Z`).getTime() / 1000 <= tLast) : [];
  const xs = rows.map((r) => new Date(`${r.date}T00:00:00Z`).getTime() / 1000);
  const close = rows.map((r) => r.close);
  if (!xs.length || xs[xs.length - 1] !== tLast) {
    xs.push(tLast);
    close.push(last.currentPrice);
  }
  const n0 = xs.length;
  const pad = () => new Array(n0 - 1).fill(null);
  const fc = [...pad(), last.currentPrice];
  const hi = [...pad(), last.currentPrice];
  const lo = [...pad(), last.currentPrice];
  const sel = new Array(n0).fill(null);
  const extra = overlays.map(() => [[...pad(), last.currentPrice], [...pad(), last.currentPrice], [...pad(), last.currentPrice]]);
  for (const p of [...fan].sort((a, b) => a.horizonDays - b.horizonDays)) {
    xs.push(addTradingDays(last.dataDate, p.horizonDays));
    close.push(null);
    fc.push(p.predictedPrice);
    hi.push(p.interval.upper);
    lo.push(p.interval.lower);
    sel.push(p.horizon === selected ? p.predictedPrice : null);
    overlays.forEach((o, k) => {
      const q = o.fan.find((x) => x.horizon === p.horizon);
      extra[k][0].push(q ? q.predictedPrice : null);
      extra[k][1].push(q ? q.interval.upper : null);
      extra[k][2].push(q ? q.interval.lower : null);
    });
  }
  return { data: [xs, close, fc, hi, lo, sel, ...extra.flat()], historyPoints: rows.length };
}

// overlays: [{kind, label, fan, color(alpha)}], other model kinds drawn beside the routed LSTM.
export default function PriceChart({ fan, history, selected, overlays = [] }) {
  const box = useRef(null);
  const plot = useRef(null);
  const p = fan.find((x) => x.horizon === selected) || fan[0];
  const level = Math.round(p.interval.level * 100);
  const { data, historyPoints } = chartData(fan, history, selected, overlays);

  useEffect(() => {
    let live = true;
    let ro;
    (async () => {
      const { default: uPlot } = await import('uplot');
      if (!live || !box.current) return;
      const el = box.current;
      const width = () => Math.max(280, el.clientWidth);
      const height = () => (el.clientWidth < 500 ? 220 : 300);
      const price = (u, v) => (v == null ? '—' : fmtPrice(v));
      const opts = {
        width: width(),
        height: height(),
        scales: { x: { time: true } },
        series: [
          { label: 'Date', value: (u, v) => (v == null ? '—' : new Date(v * 1000).toISOString().slice(0, 10)) },
          { label: 'Close', stroke: '#1d2330', width: 1.5, value: price },
          { label: 'Forecast', stroke: '#2457c5', width: 2, dash: [6, 4], value: price, points: { show: true, size: 6, fill: '#2457c5' } },
          { label: `Upper ${level} %`, stroke: 'rgba(36,87,197,0.45)', width: 1, value: price },
          { label: `Lower ${level} %`, stroke: 'rgba(36,87,197,0.45)', width: 1, value: price },
          { label: `${selected}`, stroke: '#c2352b', width: 0, value: price, points: { show: true, size: 12, width: 2.5, fill: '#fff', stroke: '#c2352b' } },
          ...overlays.flatMap((o) => [
            { label: o.label, stroke: o.color(1), width: 2, dash: [3, 3], value: price, points: { show: true, size: 5, fill: o.color(1) } },
            { label: `${o.label} upper`, stroke: o.color(0.4), width: 1, value: price },
            { label: `${o.label} lower`, stroke: o.color(0.4), width: 1, value: price },
          ]),
        ],
        bands: [{ series: [3, 4], fill: 'rgba(36,87,197,0.14)' }, ...overlays.map((o, k) => ({ series: [7 + 3 * k, 8 + 3 * k], fill: o.color(0.1) }))],
        axes: [
          { stroke: '#5d6676', grid: { stroke: '#eceff3' }, ticks: { stroke: '#dde1e7' } },
          { stroke: '#5d6676', grid: { stroke: '#eceff3' }, ticks: { stroke: '#dde1e7' }, size: 56, values: (u, vals) => vals.map((v) => v.toFixed(v >= 100 ? 0 : 2)) },
        ],
        legend: { live: true },
        cursor: { points: { size: 7 } },
      };
      plot.current?.destroy();
      plot.current = new uPlot(opts, data, el);
      // Each other kind's upper and lower lines stay off the legend (the kinds table lists its interval).
      const legendRows = el.querySelectorAll('.u-legend .u-series');
      overlays.forEach((o, k) => [7 + 3 * k, 8 + 3 * k].forEach((j) => legendRows[j] && (legendRows[j].style.display = 'none')));
      el.dataset.ready = 'true';
      ro = new ResizeObserver(() => plot.current && plot.current.setSize({ width: width(), height: height() }));
      ro.observe(el);
    })();
    return () => {
      live = false;
      ro?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fan, history, selected, overlays]);

  return (
    <figure className="chart-fig">
      <div
        id="chart"
        ref={box}
        className="chart"
        role="img"
        aria-label={`${p.symbol}: ${historyPoints} daily closes to ${p.dataDate} (last ${fmtPrice(p.currentPrice)}) and the forecast at ${fan.length} horizons with the ${level} % interval; ${selected}: ${fmtPrice(p.predictedPrice)} (${fmtPrice(p.interval.lower)} – ${fmtPrice(p.interval.upper)})${overlays.length ? `; also drawn: ${overlays.map((o) => o.label).join(', ')}` : ''}`}
        data-history-points={historyPoints}
        data-horizons={fan.length}
        data-kinds={[fan[0].model || 'lstm', ...overlays.map((o) => o.kind)].join(',')}
      />
      {!history && <figcaption className="fine">Price history unavailable offline for this stock; the forecast is drawn alone.</figcaption>}
    </figure>
  );
}
