// risk() and optimizePortfolio(): argument checks and the request/response shapes around the
// core's risk engine (stockcast-risk.wasm through its Embind glue: a request object whose series
// are typed arrays in, the report as an object out; no JSON text). Imported by stockcast.js on the
// first call, so a page that only predicts never downloads it. Every formula is the core's.
import { StockcastError, coreError, invalid } from './errors.js';
import { checkSymbol, isObj, normalizeHistory } from './checks.js';
import { now } from './registry.js';

const PORTFOLIO_METHODS = ['equal_weight', 'min_variance', 'max_sharpe', 'risk_parity'];
const MARKET_INDEX = 'history/index/NASI.json';
const RISK_TTL_MS = 2 * 60 * 60 * 1000; // a symbol's risk report is reused for 2 hours per data date (the original's TTL)

// "history.close: …" → "history.close": the field an invalid_input message of the core names.
function fieldOf(message) {
  const m = /^([A-Za-z_][\w.[\]]*)[:\s]/.exec(String(message || ''));
  return m ? m[1] : 'request';
}

async function call(ctx, fn, request, signal) {
  let R;
  try {
    R = await ctx.engine(signal);
  } catch (e) {
    if (e instanceof StockcastError) throw e;
    throw new StockcastError('fetch_failed', `could not load the risk engine: ${e && e.message}`, { status: 0, attempts: 1, cause: e });
  }
  ctx.alive();
  const f = R[fn];
  if (typeof f !== 'function') throw new StockcastError('unsupported', `this build of the core has no ${fn}`, { detail: 'no_risk_engine' });
  const res = f(request);
  if (!res.ok) throw coreError(res, res.code === 'invalid_input' ? { field: res.field || fieldOf(res.message), reason: res.detail } : {});
  return res;
}

// 'YYYY-MM-DD' dates (checked by normalizeHistory) as yyyymmdd numbers: the core's date columns.
const dateNumbers = (dates) => Int32Array.from(dates, (d) => +d.slice(0, 4) * 10000 + +d.slice(5, 7) * 100 + +d.slice(8, 10));
const closesOf = (h) => (h.closes instanceof Float64Array ? h.closes : Float64Array.from(h.closes));

// A caller's dated rows, or the symbol's history from baseUrl.
async function datedHistory(ctx, symbol, history, field, signal) {
  if (history !== undefined && history !== null) {
    const h = normalizeHistory(history, field);
    if (!h.dates) throw invalid(field, 'dates_required', 'risk measures need {date, close, volume?} rows, not bare closes');
    return h;
  }
  if (!symbol) throw invalid('symbol', 'required', 'pass a symbol (history fetched from baseUrl) or a history');
  return ctx.history(symbol, signal);
}

async function marketIndex(ctx, signal) {
  try {
    const doc = await ctx.json(MARKET_INDEX, signal);
    const h = normalizeHistory(doc.rows);
    return { symbol: doc.symbol || 'NASI', dates: dateNumbers(h.dates), closes: closesOf(h) };
  } catch (e) {
    if (e instanceof StockcastError && e.code === 'aborted') throw e;
    return undefined; // the market index is optional: beta/correlation are left out
  }
}

export async function risk(ctx, { symbol, history, market, options }, signal, t0) {
  const sym = symbol === undefined && history !== undefined ? 'CUSTOM' : checkSymbol(symbol);
  if (options !== undefined && !isObj(options)) throw invalid('options', 'wrong_type', 'expected {window?, min_garch_returns?, ewma_lambda?}');
  const h = await datedHistory(ctx, symbol === undefined ? undefined : sym, history, 'history', signal);
  // Cached: a symbol's default report (its fetched history, the default market and options),
  // per data date, for RISK_TTL_MS; never one from stale data.
  const cacheable = (history === undefined || history === null) && market === undefined && options === undefined;
  const key = `${sym}|${h.dataDate}|${h.closes.length}`;
  if (cacheable) {
    const hit = ctx.reports.get(key);
    if (hit && ctx.now() < hit.expires) return { ...structuredClone(hit.report), cached: true, latencyMs: now() - t0 };
  }
  const request = { symbol: sym, dates: dateNumbers(h.dates), closes: closesOf(h) };
  if (h.volumes) request.volumes = h.volumes instanceof Float64Array ? h.volumes : Float64Array.from(h.volumes, (v) => (v == null ? NaN : v));
  if (h.events && h.events.length) request.events = h.events;
  if (options) request.options = options;
  if (market !== false) {
    const mk = market ? { symbol: 'MARKET', ...market } : ctx.hasBase() ? await marketIndex(ctx, signal) : undefined;
    if (mk) request.market = mk;
  }
  const res = await call(ctx, 'riskReport', request, signal);
  const report = { symbol: sym, dataDate: h.dataDate, stale: !!h.stale, ...res.report };
  if (cacheable && !h.stale) ctx.reports.set(key, { report: structuredClone(report), expires: ctx.now() + RISK_TTL_MS });
  return { ...report, cached: false, latencyMs: now() - t0 };
}

// Reports of many symbols, each failure its own item; summary as predictBatch's.
export async function riskBatch(ctx, { symbols, options }, signal, t0) {
  if (!Array.isArray(symbols)) throw invalid('symbols', symbols === undefined ? 'required' : 'wrong_type', 'expected an array of ticker symbols');
  if (symbols.length > 10000) throw invalid('symbols', 'too_many', 'at most 10000 symbols per batch');
  if (options !== undefined && !isObj(options)) throw invalid('options', 'wrong_type', 'expected {window?, min_garch_returns?, ewma_lambda?}');
  let modelCalls = 0;
  const results = await Promise.all(symbols.map(async (raw, i) => {
    const symbol = typeof raw === 'string' ? raw.trim().toUpperCase() : String(raw);
    try {
      const sym = checkSymbol(raw, `symbols[${i}]`);
      const report = await risk(ctx, { symbol: sym, options }, signal, now());
      if (!report.cached) modelCalls++;
      return { symbol: sym, ok: true, report };
    } catch (e) {
      if (e instanceof StockcastError && (e.code === 'aborted' || e.code === 'disposed')) throw e;
      return { symbol, ok: false, error: e instanceof StockcastError ? e : new StockcastError('internal_error', String(e && e.message), { cause: e }) };
    }
  }));
  const successful = results.filter((r) => r.ok).length;
  return { results, summary: { total: results.length, successful, failed: results.length - successful, totalTimeMs: now() - t0, modelCalls } };
}

// predict({ indicators: true }): RSI, MACD and volume trend from the risk report (cached).
export async function indicatorsOf(ctx, symbol, history, signal) {
  const r = history !== undefined && history !== null ? await risk(ctx, { symbol, history, market: false }, signal, now()) : await risk(ctx, { symbol }, signal, now());
  const ind = r.indicators;
  return {
    rsi: ind.rsi, rsiLabel: ind.rsi_label,
    macd: ind.macd, signal: ind.signal, histogram: ind.histogram, macdLabel: ind.macd_label,
    volumeTrend: { label: ind.volume_trend.label, ratio: ind.volume_trend.ratio, recentMean: ind.volume_trend.recent_mean, previousMean: ind.volume_trend.previous_mean },
  };
}

export async function optimizePortfolio(ctx, { symbols, method, histories, riskFreeRate, options }, signal, t0) {
  if (!Array.isArray(symbols) || symbols.length < 2) throw invalid('symbols', symbols === undefined ? 'required' : 'wrong_type', 'expected an array of at least 2 symbols');
  const syms = symbols.map((s, i) => checkSymbol(s, `symbols[${i}]`));
  const methods = method === undefined ? PORTFOLIO_METHODS : Array.isArray(method) ? method : [method];
  for (const m of methods)
    if (!PORTFOLIO_METHODS.includes(m)) throw Object.assign(invalid('method', 'unknown_method', `${JSON.stringify(m)} is not one of ${PORTFOLIO_METHODS.join(', ')}`), { allowed: PORTFOLIO_METHODS });
  if (riskFreeRate !== undefined && (typeof riskFreeRate !== 'number' || !Number.isFinite(riskFreeRate))) throw invalid('riskFreeRate', 'wrong_type', 'expected a number');
  if (histories !== undefined && !isObj(histories)) throw invalid('histories', 'wrong_type', 'expected {SYMBOL: rows}');
  if (options !== undefined && !isObj(options)) throw invalid('options', 'wrong_type', 'expected {window?, min_returns?, shrinkage?}');
  const assets = await Promise.all(syms.map(async (s) => {
    const h = await datedHistory(ctx, s, histories && histories[s], `histories.${s}`, signal);
    const a = { symbol: s, dates: dateNumbers(h.dates), closes: closesOf(h) };
    if (h.events && h.events.length) a.events = h.events.map((e) => e.date);
    return a;
  }));
  const request = { assets, methods, ...(options || {}) };
  if (riskFreeRate !== undefined) request.risk_free_rate = riskFreeRate;
  const res = await call(ctx, 'optimizePortfolio', request, signal);
  return { symbols: syms, ...res.portfolio, latencyMs: now() - t0 };
}
