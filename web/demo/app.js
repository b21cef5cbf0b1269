// stockcast demo: every forecast, risk report and portfolio comes from the package's Web Worker
// client (WebAssembly off the main thread). Models, manifest and histories are kept in Cache
// Storage, so a second visit works with the model server down. No external request of any kind.
import { createStockcastWorker } from './pkg/worker-client.js';

const BASE = 'models/';
const METHOD_NAMES = { equal_weight: 'Equal weight', min_variance: 'Minimum variance', max_sharpe: 'Maximum Sharpe', risk_parity: 'Risk parity' };
const CHART_DAYS = 120;
const HISTORY_CACHE = 'stockcast-demo-history';

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const k of kids) e.append(k);
  return e;
};
const fmtPrice = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const fmtPct = (x, d = 2) => (Number.isFinite(x) ? `${(x * 100).toFixed(d)} %` : '—');
const fmtSignedPct = (x, d = 2) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(d)} %` : '—');
const fmtMape = (x) => (Number.isFinite(x) ? `${x.toFixed(2)} %` : '—');
const fmtBytes = (n) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const state = { sc: null, info: null, stocks: new Map(), lastPrediction: null, sectorRows: [], sort: { key: 'expectedReturn', dir: -1 }, busy: 0 };
window.stockcastDemo = state; // for the console and the e2e tests

// ---------- messages ----------
function showMessage(html, kind = 'error') {
  const m = $('#message');
  m.innerHTML = html;
  m.dataset.kind = kind;
  m.hidden = false;
}
function clearMessage() {
  const m = $('#message');
  m.hidden = true;
  m.innerHTML = '';
  delete m.dataset.code;
}
function describeError(e, context) {
  const code = e && e.code ? e.code : 'error';
  let text;
  switch (code) {
    case 'model_not_found':
      text = `No model knows the symbol <b>${esc(e.symbol ?? '')}</b>.` +
        (e.suggestion ? ` Did you mean <a href="#" data-symbol="${esc(e.suggestion)}">${esc(e.suggestion)}</a>?` : '') +
        (e.availableStocks ? ` ${e.availableStocks.length} symbols are available.` : '');
      break;
    case 'invalid_input':
      text = `Invalid input${e.field ? ` in <code>${esc(e.field)}</code>` : ''}: ${esc(e.message)}`;
      break;
    case 'fetch_failed':
      text = `Could not download <code>${esc(e.url || '')}</code> (HTTP ${esc(e.status ?? '?')}, ${esc(e.attempts ?? 1)} attempt(s)), and no cached copy is available. Visit once while the model server is up to use the site offline.`;
      break;
    case 'unsupported':
      text = `Not available in this build: ${esc(e.message)}`;
      break;
    case 'insufficient_history':
      text = `Not enough price history: ${esc(e.provided ?? '?')} closes, the model needs ${esc(e.required ?? '?')}.`;
      break;
    default:
      text = esc(e && e.message ? e.message : String(e));
  }
  return `${context ? `<b>${esc(context)}</b> — ` : ''}${text} <code class="code">${esc(code)}</code>`;
}
function showError(e, context) {
  console.warn(context, e);
  showMessage(describeError(e, context));
  $('#message').dataset.code = (e && e.code) || 'error';
}
$('#message').addEventListener('click', (ev) => {
  const a = ev.target.closest('a[data-symbol]');
  if (!a) return;
  ev.preventDefault();
  $('#symbol-input').value = '';
  selectStock(a.dataset.symbol);
});

function setStatus(text, st) {
  const s = $('#status');
  s.textContent = text;
  s.dataset.state = st;
}
async function busy(fn) {
  state.busy++;
  document.body.dataset.busy = 'true';
  try {
    return await fn();
  } finally {
    if (--state.busy === 0) delete document.body.dataset.busy;
    refreshStats();
  }
}

// ---------- model cache panel ----------
const progress = new Map();
function onProgress({ url, loaded, total }) {
  progress.set(url, { loaded, total });
  const p = $('#progress');
  let l = 0;
  let t = 0;
  for (const v of progress.values()) {
    l += v.loaded;
    t += v.total || v.loaded;
  }
  const done = [...progress.values()].every((v) => v.total && v.loaded >= v.total);
  p.hidden = false;
  p.querySelector('.bar').style.width = `${t ? Math.min(100, (100 * l) / t) : 0}%`;
  const name = decodeURIComponent(url.split('/').pop());
  p.querySelector('.label').textContent = done ? `last download: ${name} ${fmtBytes(total || loaded)} ✓` : `${name}: ${fmtBytes(loaded)}${total ? ` / ${fmtBytes(total)}` : ''}`;
  p.dataset.state = done ? 'done' : 'loading';
  if (done) progress.clear();
}
let statsPending = false;
async function refreshStats() {
  if (!state.sc || statsPending) return;
  statsPending = true;
  try {
    const s = await state.sc.stats();
    state.stats = s;
    const rows = [
      ['Resident models', `${s.models.resident} / ${s.models.maxCount}`],
      ['Resident bytes', fmtBytes(s.models.residentBytes)],
      ['Model hits', s.models.hits],
      ['Model misses', s.models.misses],
      ['From Cache Storage', s.models.storeHits],
      ['Evictions', s.models.evictions],
      ['Predictions', s.predictions],
      ['Prediction cache hits', `${s.cacheHits} / ${s.cacheHits + s.cacheMisses}`],
      ['Requests', s.network.requests],
      ['Bytes downloaded', fmtBytes(s.network.bytes)],
      ['Mean model load', `${s.models.meanLoadTimeMs.toFixed(1)} ms`],
      ['WASM heap', fmtBytes(s.wasmHeapBytes)],
    ];
    const dl = $('#cache-stats');
    dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: String(v) })]));
    const ul = $('#cache-models');
    const files = s.models.residentFiles || [];
    ul.replaceChildren(...(files.length ? files.map((f) => el('li', { text: String(f) })) : [el('li', { class: 'fine', text: 'none yet' })]));
    dl.dataset.bytes = s.network.bytes;
    dl.dataset.resident = s.models.resident;
  } catch (e) {
    console.warn('stats', e);
  } finally {
    statsPending = false;
  }
}

// ---------- history (for the chart), kept in Cache Storage for offline visits ----------
async function loadHistory(symbol) {
  const url = new URL(`${BASE}history/${encodeURIComponent(symbol)}.json`, location.href).href;
  const cache = 'caches' in self ? await caches.open(HISTORY_CACHE).catch(() => null) : null;
  try {
    const r = await fetch(url, { cache: 'no-cache' });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const body = await r.clone().json();
    if (cache) await cache.put(url, r).catch(() => {});
    return body;
  } catch (e) {
    const hit = cache && (await cache.match(url));
    if (hit) return hit.json();
    return null; // the chart is then drawn without history; the prediction itself still works
  }
}

// ---------- chart ----------
function addTradingDays(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`);
  while (n > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const w = d.getUTCDay();
    if (w !== 0 && w !== 6) n--;
  }
  return d;
}
function drawChart(container, history, fan, selected) {
  const W = 860;
  const H = 300;
  const m = { l: 52, r: 64, t: 12, b: 26 };
  const rows = history ? history.rows.slice(-CHART_DAYS) : [];
  const last = fan[0];
  const lastDate = last.dataDate;
  const pts = rows.map((r) => ({ t: new Date(`${r.date}T00:00:00Z`).getTime(), y: r.close }));
  const t0 = pts.length ? pts[0].t : addTradingDays(lastDate, 0).getTime() - 60 * 864e5;
  const tLast = new Date(`${lastDate}T00:00:00Z`).getTime();
  const fc = fan.map((p) => ({ h: p.horizon, t: addTradingDays(lastDate, p.horizonDays).getTime(), y: p.predictedPrice, lo: p.interval.lower, hi: p.interval.upper }));
  const t1 = Math.max(...fc.map((f) => f.t), tLast + 864e5);
  const ys = [...pts.map((p) => p.y), last.currentPrice, ...fc.flatMap((f) => [f.lo, f.hi])];
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  const pad = (y1 - y0) * 0.06 || 1;
  y0 -= pad;
  y1 += pad;
  const X = (t) => m.l + ((t - t0) / (t1 - t0)) * (W - m.l - m.r);
  const Y = (y) => m.t + (1 - (y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const ticks = niceTicks(y0, y1, 5);
  let svg = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(last.symbol)} price history and forecast">`;
  svg += '<g class="grid axis">';
  for (const v of ticks) svg += `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(v)}" y2="${Y(v)}"/><text x="${m.l - 6}" y="${Y(v) + 4}" text-anchor="end">${v.toFixed(ticks.dp)}</text>`;
  // month labels
  const seen = new Set();
  for (const p of pts) {
    const d = new Date(p.t);
    const key = `${d.getUTCFullYear()}-${d.getUTCMonth()}`;
    if (seen.has(key) || d.getUTCDate() > 7) continue;
    seen.add(key);
    svg += `<text x="${X(p.t)}" y="${H - 8}" text-anchor="middle">${d.toLocaleString('en', { month: 'short', timeZone: 'UTC' })} ${String(d.getUTCFullYear()).slice(2)}</text>`;
  }
  svg += '</g>';
  // interval band: from the last close through every horizon's interval
  const band = [[tLast, last.currentPrice], ...fc.map((f) => [f.t, f.hi])].map(([t, y]) => `${X(t)},${Y(y)}`)
    .concat([...fc].reverse().map((f) => `${X(f.t)},${Y(f.lo)}`)).join(' ');
  svg += `<polygon class="band" points="${band}"/>`;
  svg += `<line class="today" x1="${X(tLast)}" x2="${X(tLast)}" y1="${m.t}" y2="${H - m.b}"/>`;
  if (pts.length) svg += `<polyline class="price" points="${pts.map((p) => `${X(p.t)},${Y(p.y)}`).join(' ')}"/>`;
  svg += `<polyline class="fc" points="${[[tLast, last.currentPrice], ...fc.map((f) => [f.t, f.y])].map(([t, y]) => `${X(t)},${Y(y)}`).join(' ')}"/>`;
  for (const f of fc) {
    const sel = f.h === selected;
    svg += `<circle class="pt${sel ? ' sel' : ''}" cx="${X(f.t)}" cy="${Y(f.y)}" r="${sel ? 5 : 3}"><title>${f.h}: ${fmtPrice(f.y)} [${fmtPrice(f.lo)}, ${fmtPrice(f.hi)}]</title></circle>`;
    if (sel) svg += `<line x1="${X(f.t)}" x2="${X(f.t)}" y1="${Y(f.hi)}" y2="${Y(f.lo)}" stroke="#2457c5" stroke-width="1.5"/>`;
  }
  const s = fc.find((f) => f.h === selected);
  if (s) svg += `<text class="lbl" x="${Math.min(X(s.t) + 8, W - 4)}" y="${Y(s.y) - 8}" text-anchor="${X(s.t) + 60 > W ? 'end' : 'start'}">${s.h} ${fmtPrice(s.y)}</text>`;
  svg += '</svg>';
  container.innerHTML = svg;
  if (!history) container.insertAdjacentHTML('beforeend', '<p class="fine">Price history unavailable offline for this stock; the forecast is drawn alone.</p>');
}
function niceTicks(a, b, n) {
  const raw = (b - a) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(a / step) * step; v <= b + 1e-9; v += step) out.push(+v.toFixed(10));
  out.dp = step >= 1 ? 0 : Math.min(4, Math.ceil(-Math.log10(step)));
  return out;
}

// ---------- stock view ----------
const horizon = () => document.querySelector('input[name="horizon"]:checked').value;
const level = () => Number($('#level-select').value);

async function selectStock(symbol) {
  symbol = String(symbol || '').trim().toUpperCase();
  if (!symbol) return;
  if (state.stocks.has(symbol)) $('#stock-select').value = symbol;
  await forecast(symbol);
}

async function forecast(symbol) {
  const h = horizon();
  const lv = level();
  const req = ++forecast.seq;
  await busy(async () => {
    let fan;
    let history;
    try {
      [fan, history] = await Promise.all([
        Promise.all(state.info.horizons.map((hz) => state.sc.predict({ symbol, horizon: hz, level: lv }))),
        state.stocks.has(symbol) ? loadHistory(symbol) : Promise.resolve(null),
      ]);
    } catch (e) {
      if (req !== forecast.seq) return;
      $('#prediction').dataset.state = 'error';
      showError(e, `Forecast for ${symbol}`);
      return;
    }
    if (req !== forecast.seq) return;
    clearMessage();
    const p = fan.find((x) => x.horizon === h);
    state.lastPrediction = p;
    renderPrediction(p, fan, history);
  });
  if (req === forecast.seq && state.lastPrediction && state.lastPrediction.symbol === symbol) loadRisk(symbol);
}
forecast.seq = 0;

function setText(id, text, value) {
  const e = $(id);
  e.textContent = text;
  if (value !== undefined) e.dataset.value = String(value);
  else delete e.dataset.value;
  return e;
}
function renderPrediction(p, fan, history) {
  const box = $('#prediction');
  box.hidden = false;
  box.dataset.state = 'ready';
  box.dataset.symbol = p.symbol;
  box.dataset.horizon = p.horizon;
  setText('#pred-symbol', p.symbol);
  setText('#pred-name', p.name || '');
  setText('#pred-sector', p.sector || 'unknown sector');
  setText('#pred-model', `model: ${p.modelType}`, p.modelType);
  const c = setText('#pred-confidence', `confidence: ${p.confidence}`, p.confidence);
  c.className = `pill ${p.confidence}`;
  setText('#pred-model-short', `${p.modelType.replace(/_/g, ' ')} · ${p.confidence}`);
  setText('#pred-data-date', p.dataDate || '');
  setText('#pred-current', fmtPrice(p.currentPrice), p.currentPrice);
  setText('#pred-horizon', `${p.horizonDays} trading day${p.horizonDays > 1 ? 's' : ''}`);
  setText('#pred-price', fmtPrice(p.predictedPrice), p.predictedPrice);
  setText('#pred-level', `${Math.round(p.interval.level * 100)} %`);
  const iv = setText('#pred-interval', `${fmtPrice(p.interval.lower)} – ${fmtPrice(p.interval.upper)}`);
  iv.dataset.lower = p.interval.lower;
  iv.dataset.upper = p.interval.upper;
  const r = setText('#pred-return', fmtSignedPct(p.expectedReturn), p.expectedReturn);
  r.className = `v ${p.expectedReturn > 0 ? 'good' : p.expectedReturn < 0 ? 'bad' : ''}`;
  const d = setText('#pred-direction', p.direction, p.direction);
  d.className = `v ${p.direction}`;
  const probs = $('#pred-probs');
  probs.replaceChildren(...['bearish', 'neutral', 'bullish'].map((k) => {
    const v = p.probabilities[k];
    return el('div', { class: k, title: `${k} ${fmtPct(v, 1)}`, style: `width:${(v * 100).toFixed(2)}%`, 'data-value': v, text: `${k} ${fmtPct(v, 1)}` });
  }));
  for (const [i, k] of ['bearish', 'neutral', 'bullish'].entries()) probs.children[i].style.width = `${(p.probabilities[k] * 100).toFixed(2)}%`;
  const ho = p.heldOut;
  const mape = $('#pred-mape');
  const note = $('#pred-mape-note');
  if (ho) {
    mape.textContent = `${fmtMape(ho.mape)} vs ${fmtMape(ho.naiveMape)}`;
    mape.dataset.mape = ho.mape;
    mape.dataset.naiveMape = ho.naiveMape;
    const better = ho.mape < ho.naiveMape;
    const same = Math.abs(ho.mape - ho.naiveMape) < 1e-9;
    note.textContent = same ? 'same as naive (the model keeps “no change” at this horizon)' : better ? `beats naive by ${(ho.naiveMape - ho.mape).toFixed(2)} pts` : `worse than naive by ${(ho.mape - ho.naiveMape).toFixed(2)} pts`;
    note.className = `note ${same ? 'flat' : better ? 'good' : 'bad'}`;
  } else {
    mape.textContent = 'not measured';
    delete mape.dataset.mape;
    delete mape.dataset.naiveMape;
    note.textContent = 'no held-out test for this routing';
    note.className = 'note';
  }
  const parts = [`model ${p.modelVersion}`, `trained ${p.trainedAt}`];
  if (ho) parts.push(`test year ${ho.period.join(' to ')} (${ho.samples} days), 90 % interval coverage ${fmtPct(ho.coverage90, 1)}, direction hit rate ${fmtPct(ho.directionHitRate, 1)}`);
  parts.push(`latency ${p.latencyMs.toFixed(1)} ms${p.cached ? ' (cached)' : ''}`);
  if (p.warnings && p.warnings.length) parts.push(`warnings: ${p.warnings.map((w) => (typeof w === 'string' ? w : w.message || w.code)).join('; ')}`);
  $('#pred-fine').textContent = parts.join(' · ');
  drawChart($('#chart'), history, fan, p.horizon);
}

// ---------- risk ----------
async function loadRisk(symbol) {
  const box = $('#risk');
  const body = $('#risk-body');
  box.hidden = false;
  box.dataset.state = 'loading';
  body.innerHTML = '<p class="fine">Computing the risk report (loads the risk engine on first use)…</p>';
  const req = ++loadRisk.seq;
  let r;
  try {
    r = await busy(() => state.sc.risk({ symbol }));
  } catch (e) {
    if (req !== loadRisk.seq) return;
    box.dataset.state = 'error';
    box.dataset.code = e.code || 'error';
    body.innerHTML = `<p class="message">${describeError(e, 'Risk report')}</p>`;
    return;
  }
  if (req !== loadRisk.seq) return;
  box.dataset.state = 'ready';
  body.innerHTML = renderRisk(r);
}
loadRisk.seq = 0;

const num = (x, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : '—');
function renderRisk(r) {
  const rs = r.risk_score || {};
  const factors = (rs.factors || []).map((f) => `<div class="factor"><span>${esc(f.name.replace(/_/g, ' '))}</span><span class="track"><span class="fill" style="display:block;width:${Math.max(0, Math.min(100, f.score || 0))}%"></span></span><span>${f.available === false ? 'n/a' : num(f.score, 1)}</span></div>`).join('');
  const v = r.volatility || {};
  const vf = (v.forecasts || []).map((f) => `<dt>${f.horizon}d vol (ann.)</dt><dd>${fmtPct(f.annualized, 1)}</dd>`).join('');
  const vars = (r.var && r.var.estimates) || [];
  const varRows = vars.filter((e) => typeof e === 'object').map((e) => `<tr><td>${esc(e.method)}</td><td class="num">${Math.round(e.level * 100)} %</td><td class="num">${e.horizon}d</td><td class="num">${fmtPct(e.var)}</td><td class="num">${fmtPct(e.es)}</td></tr>`).join('');
  const dd = r.drawdown || {};
  const mk = r.market || {};
  const ind = r.indicators || {};
  const warnings = (rs.warnings || []).map((w) => `<li>${esc(typeof w === 'string' ? w : w.message || JSON.stringify(w))}</li>`).join('');
  return `<div class="risk-grid">
  <section><h4>Risk score</h4><div class="score" id="risk-score" data-value="${rs.total}">${num(rs.total, 1)} <small>/ 100 · ${esc(rs.level || '')}</small></div>${factors}${warnings ? `<ul class="fine">${warnings}</ul>` : ''}</section>
  <section><h4>Volatility (${esc(v.method || '?')}${v.converged === false ? ', not converged' : ''})</h4><dl class="kv"><dt>current daily</dt><dd>${fmtPct(v.current_vol)}</dd><dt>next day</dt><dd>${fmtPct(v.next_day_vol)}</dd><dt>long run daily</dt><dd>${fmtPct(v.long_run_vol)}</dd>${v.params ? `<dt>α / β</dt><dd>${num(v.params.alpha, 3)} / ${num(v.params.beta, 3)}</dd>` : ''}${vf}</dl></section>
  <section><h4>Drawdown · market</h4><dl class="kv"><dt>max drawdown</dt><dd>${fmtPct(dd.max_drawdown, 1)}</dd><dt>peak → trough</dt><dd>${esc(dd.peak_date || '—')} → ${esc(dd.trough_date || '—')}</dd><dt>recovered</dt><dd>${esc(dd.recovery_date || 'not yet')}</dd><dt>beta to ${esc(mk.index || 'NASI')}</dt><dd>${num(mk.beta, 3)}</dd><dt>correlation</dt><dd>${num(mk.correlation, 3)}</dd></dl>${r.market_note ? `<p class="fine">${esc(r.market_note)}</p>` : ''}</section>
  <section><h4>Indicators</h4><dl class="kv"><dt>RSI (14)</dt><dd>${num(ind.rsi, 1)} · ${esc(ind.rsi_label || '')}</dd><dt>MACD / signal</dt><dd>${num(ind.macd, 3)} / ${num(ind.signal, 3)}</dd><dt>histogram</dt><dd>${num(ind.histogram, 3)} · ${esc(ind.macd_label || '')}</dd><dt>volume trend</dt><dd>${esc((ind.volume_trend && ind.volume_trend.label) || '—')}</dd></dl></section>
</div>
<h4>Value at risk / expected shortfall (loss as a fraction of the position)</h4>
<table><thead><tr><th>method</th><th class="num">level</th><th class="num">horizon</th><th class="num">VaR</th><th class="num">ES</th></tr></thead><tbody>${varRows}</tbody></table>
<p class="fine">Window ${esc(r.window ? `${r.window.first_date} to ${r.window.last_date}, ${r.window.returns} returns` : '')} · computed in ${num(r.latencyMs, 1)} ms</p>`;
}

// ---------- sector view ----------
async function runSector() {
  const sector = $('#sector-select').value;
  const hz = $('#sector-horizon').value;
  const table = $('#sector-table');
  table.dataset.state = 'loading';
  await busy(async () => {
    let r;
    try {
      r = await state.sc.predictSector({ sector, horizon: hz });
    } catch (e) {
      table.dataset.state = 'error';
      showError(e, `Sector ${sector}`);
      return;
    }
    clearMessage();
    state.sectorRows = r.results.map((x) => {
      const stock = state.stocks.get(x.symbol) || {};
      if (!x.ok) return { symbol: x.symbol, name: stock.name || '', failed: true, error: x.error };
      const p = x.prediction;
      return { symbol: p.symbol, name: p.name || stock.name || '', currentPrice: p.currentPrice, predictedPrice: p.predictedPrice, expectedReturn: p.expectedReturn, direction: p.direction, modelType: p.modelType, mape: p.heldOut ? p.heldOut.mape : NaN, naiveMape: p.heldOut ? p.heldOut.naiveMape : NaN };
    });
    const s = r.summary;
    $('#sector-summary').textContent = `${r.sector}: ${s.successful} of ${s.total} stocks forecast for ${hz} (${r.trainedCount} with their own model), ${s.modelCalls} batched model call${s.modelCalls === 1 ? '' : 's'} in ${s.totalTimeMs.toFixed(1)} ms.`;
    table.dataset.state = 'ready';
    table.dataset.sector = r.sector;
    renderSectorTable();
  });
}
function renderSectorTable() {
  const { key, dir } = state.sort;
  const th = [...document.querySelectorAll('#sector-table th')];
  const type = (th.find((t) => t.dataset.key === key) || {}).dataset?.type;
  const rows = [...state.sectorRows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (type === 'text') return dir * String(x ?? '').localeCompare(String(y ?? ''));
    const fx = Number.isFinite(x);
    const fy = Number.isFinite(y);
    if (!fx || !fy) return fx === fy ? 0 : fx ? -1 : 1; // missing values last
    return dir * (x - y);
  });
  for (const t of th) t.setAttribute('aria-sort', t.dataset.key === key ? (dir > 0 ? 'ascending' : 'descending') : 'none');
  $('#sector-table tbody').replaceChildren(...rows.map((r) => {
    if (r.failed) return el('tr', { class: 'failed', 'data-symbol': r.symbol }, el('td', { text: r.symbol }), el('td', { text: r.name }), el('td', { colSpan: 7, text: `${r.error.code}: ${r.error.message}` }));
    const tr = el('tr', { 'data-symbol': r.symbol });
    const cells = [
      [r.symbol], [r.name], [fmtPrice(r.currentPrice), 'num'], [fmtPrice(r.predictedPrice), 'num'],
      [fmtSignedPct(r.expectedReturn), `num ${r.expectedReturn > 0 ? 'good' : r.expectedReturn < 0 ? 'bad' : ''}`],
      [r.direction, r.direction], [r.modelType], [fmtMape(r.mape), 'num'], [fmtMape(r.naiveMape), 'num'],
    ];
    for (const [text, cls] of cells) tr.append(el('td', { text, class: cls || '' }));
    tr.title = 'Open in the stock view';
    tr.style.cursor = 'pointer';
    tr.addEventListener('click', () => {
      showView('stock');
      selectStock(r.symbol);
    });
    return tr;
  }));
}
$('#sector-table thead').addEventListener('click', (ev) => {
  const t = ev.target.closest('th');
  if (!t) return;
  const key = t.dataset.key;
  state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : t.dataset.type === 'text' ? 1 : -1 };
  renderSectorTable();
});

// ---------- portfolio view ----------
async function runPortfolio() {
  const symbols = [...document.querySelectorAll('#portfolio-picker input:checked')].map((i) => i.value);
  const method = $('#portfolio-method').value;
  const out = $('#portfolio-result');
  out.hidden = false;
  if (symbols.length < 2) {
    out.dataset.state = 'error';
    out.innerHTML = '<p class="message">Choose at least two stocks.</p>';
    return;
  }
  out.dataset.state = 'loading';
  out.innerHTML = `<p class="fine">Optimising ${symbols.length} stocks…</p>`;
  let r;
  try {
    r = await busy(() => state.sc.optimizePortfolio({ symbols, method }));
  } catch (e) {
    out.dataset.state = 'error';
    out.dataset.code = e.code || 'error';
    out.innerHTML = `<p class="message">${describeError(e, 'Portfolio')}</p>`;
    return;
  }
  const pf = (r.portfolios || []).find((x) => x.method === method) || (r.portfolios || [])[0];
  if (!pf) {
    out.innerHTML = '<p class="message">The optimiser returned no portfolio.</p>';
    return;
  }
  const syms = r.symbols || symbols;
  const rows = syms.map((s, i) => `<tr data-symbol="${esc(s)}"><td>${esc(s)}</td><td>${esc((state.stocks.get(s) || {}).name || '')}</td><td class="num" data-value="${pf.weights[i]}"><span class="wbar" style="width:${Math.round(pf.weights[i] * 120)}px"></span>${fmtPct(pf.weights[i], 1)}</td><td class="num"><span class="wbar rc" style="width:${Math.round(Math.max(0, pf.risk_contributions[i]) * 120)}px"></span>${fmtPct(pf.risk_contributions[i], 1)}</td></tr>`).join('');
  out.dataset.state = 'ready';
  out.innerHTML = `<h3>${esc(METHOD_NAMES[pf.method] || pf.method)}</h3>
<table id="portfolio-table"><thead><tr><th>Symbol</th><th>Name</th><th class="num">Weight</th><th class="num">Risk contribution</th></tr></thead><tbody>${rows}</tbody></table>
<p class="fine">Expected return ${fmtPct(pf.expected_return)} a year · volatility ${fmtPct(pf.volatility)} a year · Sharpe ${num(pf.sharpe, 3)}${pf.fallback ? ` · fallback: ${esc(pf.note)}` : ''} · ${esc(r.first_date || '')} to ${esc(r.last_date || '')} (${esc(r.n_returns ?? '')} daily returns) · ${num(r.latencyMs, 1)} ms</p>`;
}

// ---------- views ----------
function showView(name) {
  for (const b of document.querySelectorAll('.tabs button')) b.setAttribute('aria-selected', String(b.dataset.view === name));
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== `view-${name}`;
  clearMessage();
  if (name === 'sector' && !state.sectorRows.length) runSector();
}
for (const b of document.querySelectorAll('.tabs button')) b.addEventListener('click', () => showView(b.dataset.view));

// ---------- start ----------
async function main() {
  let sc;
  try {
    sc = await createStockcastWorker({ baseUrl: BASE, wasmUrl: 'pkg/stockcast.wasm', riskWasmUrl: 'pkg/stockcast-risk.wasm', store: 'cache-storage', cacheSize: 8, onProgress });
    state.sc = sc;
    state.info = await sc.available();
  } catch (e) {
    setStatus('Could not start', 'error');
    showError(e, 'Starting stockcast');
    return;
  }
  const info = state.info;
  setStatus(`Ready · ${info.totalStocks} stocks, ${info.trainedCount} with their own model · data to ${info.dataRange ? info.dataRange.to : '?'}`, 'ready');
  for (const s of info.stocks) state.stocks.set(s.symbol, s);
  const sel = $('#stock-select');
  sel.replaceChildren();
  const secSel = $('#sector-select');
  const picker = $('#portfolio-picker');
  const defaults = new Set(['SCOM', 'EQTY', 'KCB', 'EABL']);
  for (const sector of info.sectors) {
    const stocks = info.stocks.filter((s) => s.sector === sector);
    const g = el('optgroup', { label: `${sector} (${stocks.length})` });
    for (const s of stocks) g.append(el('option', { value: s.symbol, text: `${s.symbol} — ${s.name}${s.modelType === 'stock_specific' ? ' ★' : ''}` }));
    sel.append(g);
    secSel.append(el('option', { value: sector, text: `${sector} (${stocks.length})` }));
    picker.append(el('h4', { text: sector }));
    for (const s of stocks) picker.append(el('label', { title: s.name }, el('input', { type: 'checkbox', value: s.symbol, checked: defaults.has(s.symbol) }), `${s.symbol} `, el('span', { class: 'fine', text: s.name })));
  }
  if (info.sectors.includes('Banking')) secSel.value = 'Banking';
  sel.addEventListener('change', () => {
    $('#symbol-input').value = '';
    selectStock(sel.value);
  });
  $('#stock-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    selectStock($('#symbol-input').value || sel.value);
  });
  for (const r of document.querySelectorAll('input[name="horizon"]')) r.addEventListener('change', () => selectStock($('#symbol-input').value || sel.value));
  $('#level-select').addEventListener('change', () => selectStock($('#symbol-input').value || sel.value));
  $('#sector-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    runSector();
  });
  $('#sector-horizon').addEventListener('change', runSector);
  $('#sector-select').addEventListener('change', runSector);
  $('#portfolio-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    runPortfolio();
  });
  $('#cache-clear').addEventListener('click', async () => {
    await sc.clearCache();
    refreshStats();
  });
  $('#cache-store').textContent = 'Model files, the manifest and histories are kept in Cache Storage: after this visit the page predicts with the model server down.';
  document.body.dataset.ready = 'true';
  const q = new URLSearchParams(location.search);
  const initial = (q.get('symbol') || 'SCOM').toUpperCase();
  if (q.get('view')) showView(q.get('view'));
  await selectStock(state.stocks.has(initial) ? initial : info.stocks[0].symbol);
  setInterval(refreshStats, 2000);
}
window.addEventListener('unhandledrejection', (ev) => {
  showError(ev.reason, 'Unexpected');
});
main();
