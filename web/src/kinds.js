// The model kinds a prediction may ask for (predict({ model })), read off the manifest, never
// listed here: the routed LSTM ('lstm', the stock-specific and general files), every other
// network the manifest's `models` list names by its `kind` (e.g. 'transformer'), and, when the
// manifest has an `ensemble` entry, its members (the classical learners, 'naive', ...) and
// 'ensemble' itself. 'auto' is today's routing: the routed LSTM.
import { isObj } from './checks.js';
import { invalid } from './errors.js';
import { MODEL_TYPES } from './manifest.js';

export const AUTO = 'auto';
export const LSTM = 'lstm';
export const ENSEMBLE = 'ensemble';

// How each kind is served: 'routed' (the routing table's LSTM file), 'network' (one model file
// the LoadedModel binding runs, like the LSTM) or 'ensemble' (the on-demand ensemble module,
// whose answer carries every member's forecast).
const cache = new WeakMap();
export function kindsOf(idx) {
  let k = cache.get(idx);
  if (k) return k;
  const m = idx.manifest;
  const served = new Map([[LSTM, { kind: LSTM, by: 'routed' }]]);
  for (const md of m.models)
    if (isObj(md) && typeof md.kind === 'string' && !MODEL_TYPES.includes(md.kind) && !served.has(md.kind))
      // Parsed by the ensemble module's LoadedModel (stockcast.wasm serves the LSTM networks only).
      served.set(md.kind, { kind: md.kind, by: 'network', spec: { ...idx.specs.get(md.file), module: 'ensemble' } });
  const ens = isObj(m.ensemble) && typeof m.ensemble.file === 'string' ? m.ensemble : null;
  if (ens) {
    for (const mb of Array.isArray(ens.members) ? ens.members : []) {
      const name = typeof mb === 'string' ? mb : isObj(mb) ? mb.name ?? mb.kind : null;
      if (typeof name === 'string' && !served.has(name)) served.set(name, { kind: name, by: 'ensemble' });
    }
    served.set(ENSEMBLE, { kind: ENSEMBLE, by: 'ensemble' });
  }
  k = { served, names: [...served.keys()], ensemble: ens };
  cache.set(idx, k);
  return k;
}

// The kind a request names ('auto' when absent), or invalid_input naming the available ones.
export function kindOf(model, idx, field = 'model') {
  const { served, names } = kindsOf(idx);
  const available = [AUTO, ...names];
  if (model === undefined || model === null || model === AUTO) return served.get(LSTM);
  if (typeof model !== 'string')
    throw Object.assign(invalid(field, 'wrong_type', `expected one of ${available.join(', ')}`), { availableModels: available });
  const s = served.get(model.trim().toLowerCase());
  if (s) return s;
  const lower = model.trim().toLowerCase();
  const suggestion = available.find((a) => a.includes(lower) || (lower && lower.includes(a))) ?? null;
  throw Object.assign(invalid(field, 'unknown_model', `${JSON.stringify(model)} is not a model kind of this manifest (available: ${available.join(', ')})`),
    { availableModels: available, suggestion });
}

// A manifest metrics entry ({mape, naive_mape, coverage90, direction_hit_rate, n}) as the
// answers' `heldOut` shape; null when absent.
export function heldOutOf(m, period) {
  if (!isObj(m)) return null;
  return { mape: m.mape, naiveMape: m.naive_mape, coverage90: m.coverage90 ?? null, directionHitRate: m.direction_hit_rate ?? null, samples: m.n ?? null, period };
}

// The manifest's test-year metrics of `kind` for a stock, per horizon name: for the routed LSTM
// its test_metrics (its own file's intervals; what 'auto' answers have always carried), else the
// stock's kind_metrics[kind]. Those come from the ensemble's test-year walk: for another network
// served by its own file (the Transformer) the point forecast there is the file's own (the same
// log return), but the interval and direction are the ensemble's calibration of that member, so
// only the point-forecast numbers (MAPE beside naive, days) describe its answers.
const measured = new WeakMap(); // kind_metrics[kind] of a network -> its point-forecast part
export function kindMetrics(stock, kind, idx) {
  if (!stock) return null;
  if (kind === LSTM && isObj(stock.test_metrics)) return stock.test_metrics;
  const all = loadedMetrics.get(idx);
  const mine = all && isObj(all[stock.symbol]) ? all[stock.symbol] : null;
  const km = mine && isObj(mine[kind]) ? mine[kind] : null;
  if (!km || kindsOf(idx).served.get(kind)?.by !== 'network') return km;
  let point = measured.get(km);
  if (!point) measured.set(km, (point = Object.fromEntries(Object.entries(km).map(([h, m]) => [h, isObj(m) ? { mape: m.mape, naive_mape: m.naive_mape, n: m.n } : m]))));
  return point;
}

// The manifest's kind-metrics file (models/kind-metrics.json: {test, stocks: {SYMBOL: {kind: {"1d":
// {...}}}}}, listed with its SHA-256), loaded once per manifest index by `load(spec)` (bytes already
// checked, parsed): only modelInfo() and predictions by another kind than the LSTM need it, so the
// manifest every first forecast waits for stays small. Resolves when kindMetrics() can answer; a
// failed load is not remembered.
const loadedMetrics = new WeakMap(); // index -> its stocks object (null: the manifest lists none)
const loadingMetrics = new WeakMap(); // index -> the load in flight
export function ensureKindMetrics(idx, load) {
  if (loadedMetrics.has(idx)) return null;
  if (!idx.kindMetrics) {
    loadedMetrics.set(idx, null);
    return null;
  }
  let p = loadingMetrics.get(idx);
  if (!p) {
    p = load(idx.kindMetrics).then((doc) => {
      loadedMetrics.set(idx, isObj(doc) && isObj(doc.stocks) ? doc.stocks : null);
    }).finally(() => loadingMetrics.delete(idx));
    loadingMetrics.set(idx, p);
  }
  return p;
}

// modelInfo(symbol).models: every kind with its test-year metrics for this stock (null: not
// measured, e.g. a symbol the manifest does not list), in the manifest's order.
export function kindsInfo(idx, stock, lstmFile) {
  const { served } = kindsOf(idx);
  return [...served.values()].map((s) => {
    const per = kindMetrics(stock, s.kind, idx);
    const metrics = per ? Object.fromEntries([...idx.horizons.keys()].map((h) => [h, heldOutOf(per[h], idx.testPeriod)])) : null;
    const file = s.by === 'routed' ? lstmFile : s.by === 'network' ? s.spec && s.spec.key : (kindsOf(idx).ensemble.file);
    return { model: s.kind, servedBy: s.by, file: file ?? null, metrics };
  });
}
