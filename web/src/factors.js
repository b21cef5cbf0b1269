// predictFactors() and models(): the classical factor models (linear, logistic, random forest,
// extra trees, gradient boosting, SVR, MLP) listed under the manifest's factor_models, evaluated by
// the core in stockcast-factors.wasm (fetched, like this file, on the first call). Argument
// checks and result shapes live here; every formula (features from prices, range checks, the
// models) is the core's.
import { StockcastError, coreError, invalid } from './errors.js';
import { isObj, normalizeHistory } from './checks.js';
import { verifiedBytes } from './loading.js';
import { now } from './registry.js';

// Features that read the day's high and low (factor_features.hpp).
const NEEDS_RANGE = new Set(['clv', 'range_rel']);

function entriesOf(manifest) {
  const list = manifest && Array.isArray(manifest.factor_models) ? manifest.factor_models : [];
  return list.filter((m) => isObj(m) && typeof m.name === 'string' && typeof m.file === 'string');
}

function describe(e) {
  return {
    name: e.name,
    file: e.file,
    kind: e.kind,
    target: e.target,
    definition: e.definition ?? null,
    horizon: e.horizon ?? null,
    classes: e.classes ?? null,
    features: Array.isArray(e.feature_ranges) ? e.feature_ranges.map((f) => ({ name: f.name, min: f.min, max: f.max }))
      : (e.features || []).map((name) => ({ name, min: null, max: null })),
    metrics: { test: e.test_metrics ?? null, validation: e.validation_metrics ?? null },
    bytes: e.bytes ?? null,
  };
}

/** Every factor model of the manifest with kind, target, features with their ranges and metrics. */
export async function models(ctx, signal) {
  return entriesOf(await ctx.manifest(signal)).map(describe);
}

// A loaded model: {handle (the core's FactorModel), info (its summary), entry, x (its input buffer)}.
async function loadFactorModel(ctx, entry, signal) {
  const F = await ctx.engine(signal);
  const url = ctx.url(entry.file);
  const sha = entry.sha256 ? String(entry.sha256).toLowerCase() : null;
  // The persistent store first (keyed by the manifest's SHA-256, used only when it still matches),
  // as for the LSTM files: a second visit works with the model server down.
  const store = ctx.store();
  const { bytes, fromStore, verified } = await verifiedBytes({ url, sha256: sha, bytes: entry.bytes }, signal,
    { store, sha256: ctx.sha256, net: ctx.net() });
  const handle = new F.FactorModel(bytes, !verified);
  const err = handle.error();
  if (err) {
    handle.delete();
    if (fromStore && store.delete) store.delete(sha).catch(() => {});
    throw coreError(err, { url });
  }
  if (store && !fromStore && verified) store.put(sha, bytes).catch(() => {});
  const info = JSON.parse(handle.info());
  return { handle, info, entry, names: info.features.map((f) => f.name), x: new Float64Array(info.features.length), metrics: { test: entry.test_metrics ?? info.metrics.test ?? null } };
}

function modelFor(ctx, entries, name, signal) {
  const entry = entries.find((e) => e.name === name);
  if (!entry) {
    const available = entries.map((e) => e.name);
    const lower = String(name).toLowerCase();
    const suggestion = available.find((a) => a.toLowerCase().includes(lower) || lower.includes(a.toLowerCase())) ?? null;
    throw new StockcastError('model_not_found', `no factor model named ${JSON.stringify(name)}; available: ${available.join(', ')}`,
      { available, availableModels: available, suggestion });
  }
  return ctx.loaded(entry.name, () => loadFactorModel(ctx, entry, signal));
}

// features: [v, …] in the model's order, a typed array, or {name: v, …} with exactly its names.
function fillFeatures(m, features) {
  const { x, names } = m;
  if (Array.isArray(features) || (ArrayBuffer.isView(features) && !(features instanceof DataView))) {
    if (features.length !== names.length)
      throw Object.assign(invalid('features', 'wrong_length', `expected ${names.length} values (${names.join(', ')}), got ${features.length}`), { expected: names });
    for (let i = 0; i < names.length; i++) {
      const v = features[i];
      if (typeof v !== 'number') throw invalid(`features.${names[i]}`, 'wrong_type', `expected a number at index ${i}, got ${v === null ? 'null' : typeof v}`);
      x[i] = v;
    }
    return x;
  }
  if (!isObj(features)) throw invalid('features', 'wrong_type', `expected an array of ${names.length} numbers or {${names.join(', ')}}`);
  for (let i = 0; i < names.length; i++) {
    const v = features[names[i]];
    if (v === undefined) throw invalid(`features.${names[i]}`, 'missing', `required by this model (${names.join(', ')})`);
    if (typeof v !== 'number') throw invalid(`features.${names[i]}`, 'wrong_type', `expected a number, got ${v === null ? 'null' : typeof v}`);
    x[i] = v;
  }
  for (const k of Object.keys(features))
    if (!names.includes(k)) throw Object.assign(invalid(`features.${k}`, 'unknown_feature', `not a feature of this model (${names.join(', ')})`), { expected: names });
  return x;
}

// Daily bars from caller rows ({date, close, low?, high?, volume?}) or a fetched history document.
function barsOf(rows, names, field) {
  const h = normalizeHistory(rows, field);
  const n = h.closes.length;
  let low = null;
  let high = null;
  if (n && isObj(rows[0]) && rows.every((r) => typeof r.low === 'number' && typeof r.high === 'number')) {
    low = new Float64Array(n);
    high = new Float64Array(n);
    for (let i = 0; i < n; i++) (low[i] = rows[i].low), (high[i] = rows[i].high);
  }
  const needs = names.find((f) => NEEDS_RANGE.has(f));
  if (needs && !low) throw invalid(field, 'high_low_required', `the feature ${needs} needs every row's low and high ({date, close, low, high, volume})`);
  return { closes: h.closes, volumes: h.volumes, low, high, dataDate: h.dataDate };
}

export async function predictFactors(ctx, req, signal, t0) {
  const { model, features, symbol, history, clamp } = req;
  if (typeof model !== 'string' || !model) throw invalid('model', model === undefined ? 'required' : 'wrong_type', 'expected a factor model name (see models())');
  if (clamp !== undefined && typeof clamp !== 'boolean') throw invalid('clamp', 'wrong_type', 'expected a boolean');
  const given = (features !== undefined) + (symbol !== undefined) + (history !== undefined);
  if (given !== 1) throw invalid('features', given ? 'ambiguous' : 'required', 'pass exactly one of features, symbol or history');
  const entries = entriesOf(await ctx.manifest(signal));
  const m = await modelFor(ctx, entries, model, signal);
  let res;
  let computed = null;
  let dataDate = null;
  if (features !== undefined) {
    res = m.handle.predict(fillFeatures(m, features), clamp === true);
  } else {
    let rows = history;
    const field = history !== undefined ? 'history' : 'symbol';
    if (symbol !== undefined) {
      if (typeof symbol !== 'string' || !symbol) throw invalid('symbol', 'wrong_type', 'expected a symbol');
      rows = await ctx.historyRows(symbol.toUpperCase(), signal);
    }
    const b = barsOf(rows, m.names, field);
    dataDate = b.dataDate;
    res = m.handle.predictHistory(b.high, b.low, b.closes, b.volumes, clamp === true);
    if (res.ok) {
      computed = {};
      for (let i = 0; i < m.names.length; i++) computed[m.names[i]] = res.features[i];
    }
  }
  if (!res.ok) throw coreError(res);
  const out = { model: m.entry.name, kind: m.info.kind, target: m.info.target, prediction: res.value };
  if (res.label !== undefined) {
    const [c0, c1] = m.info.classes;
    out.probabilities = { [c0]: res.p0, [c1]: res.p1 };
    out.label = res.label;
  }
  if (res.clamped) out.clamped = res.clamped;
  if (computed) (out.features = computed), (out.dataDate = dataDate), symbol !== undefined && (out.symbol = symbol.toUpperCase());
  out.metrics = m.metrics;
  out.latencyMs = now() - t0;
  ctx.record(m.info.kind, out.latencyMs);
  return out;
}
