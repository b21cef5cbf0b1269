// The manifest (models/manifest.json, models/manifest.schema.json) indexed for lookups: its
// stocks, model files (as download specs), sectors, horizons and interval levels, and the columns
// of the routing table the core routes with (routing.hpp, through the binding's RouteTable).
import { StockcastError, invalid } from './errors.js';
import { isObj } from './checks.js';

// The manifest's model kinds of the routed LSTM files (kinds.js: every other kind is a model kind of its own).
export const MODEL_TYPES = ['stock_specific', 'general'];

export function indexManifest(m, base) {
  const bad = (message) => new StockcastError('format_error', `manifest.json: ${message}`, { detail: 'bad_manifest' });
  if (!isObj(m) || !Array.isArray(m.stocks) || !Array.isArray(m.models)) throw bad('expected {stocks: [...], models: [...]}');
  // Model files by name, as download specs; a stock's own sha256/bytes win over the model list's.
  const specs = new Map();
  // A file the manifest names, as a download spec: a relative path under baseUrl, nothing else.
  const fileSpec = (file, sha256, bytes, what = 'model') => {
    if (typeof file !== 'string' || !file || /^[a-z]+:|^\/|\.\./i.test(file)) throw bad(`bad ${what} file name ${JSON.stringify(file)}`);
    return { key: file, url: new URL(file, base).href, sha256: typeof sha256 === 'string' ? sha256.toLowerCase() : null, bytes: Number(bytes) || undefined };
  };
  const spec = (file, sha256, bytes) => {
    const s = fileSpec(file, sha256, bytes);
    const known = specs.get(file);
    if (known) {
      s.sha256 ??= known.sha256;
      s.bytes ??= known.bytes;
    }
    specs.set(file, s);
    return s;
  };
  for (const md of m.models) if (isObj(md)) spec(md.file, md.sha256, md.bytes);
  // The per-stock, per-kind test metrics (kinds.js): a JSON file of their own, fetched on demand.
  const km = isObj(m.kind_metrics) ? m.kind_metrics : null;
  const kindMetrics = km ? fileSpec(km.file, km.sha256, km.bytes, 'kind_metrics') : null;
  const generalInfo = m.models.find((md) => isObj(md) && md.kind === 'general');
  const general = generalInfo ? specs.get(generalInfo.file) : null;
  const stocks = new Map();
  const sectors = {};
  const columns = { symbols: [], files: [], modelTypes: [], fallbackFiles: [], generalFile: general ? general.key : '' };
  for (const s of m.stocks) {
    if (!isObj(s) || typeof s.symbol !== 'string' || typeof s.file !== 'string' || !MODEL_TYPES.includes(s.model_type))
      throw bad(`every stock needs a symbol, a file and a model_type (${MODEL_TYPES.join(' or ')})`);
    const symbol = s.symbol.toUpperCase();
    spec(s.file, s.sha256, s.bytes);
    const fallback = isObj(s.fallback) ? spec(s.fallback.file, s.fallback.sha256, s.fallback.bytes).key : '';
    stocks.set(symbol, { ...s, symbol });
    columns.symbols.push(symbol);
    columns.files.push(s.file);
    columns.modelTypes.push(s.model_type);
    columns.fallbackFiles.push(fallback);
    (sectors[s.sector || 'Unknown'] ||= []).push(symbol);
  }
  // Horizons and interval levels are the manifest's (models/manifest.schema.json), never assumed.
  const { horizons: days, horizon_names: names, interval_levels: levels } = m;
  if (!Array.isArray(days) || !Array.isArray(names) || days.length !== names.length || !Array.isArray(levels) || !levels.length)
    throw bad('expected horizons, horizon_names (one per horizon) and interval_levels');
  return {
    manifest: m,
    stocks,
    specs,
    columns,
    sectors: isObj(m.sectors) ? Object.fromEntries(Object.entries(m.sectors).map(([k, v]) => [k, v.map((x) => x.toUpperCase())])) : sectors,
    general,
    horizons: new Map(names.map((name, i) => [name, days[i]])),
    levels,
    testPeriod: m.data && Array.isArray(m.data.test) ? m.data.test : null,
    kindMetrics, // its download spec; kinds.js keeps the loaded document beside the index
  };
}

// {name, days} of a horizon name the manifest lists ('10d').
export function horizonOf(h, idx) {
  if (h === undefined) throw invalid('horizon', 'required', `expected one of ${[...idx.horizons.keys()].join(', ')}`);
  if (typeof h !== 'string' || !idx.horizons.has(h))
    throw Object.assign(invalid('horizon', 'unknown_horizon', `${JSON.stringify(h)} is not one of ${[...idx.horizons.keys()].join(', ')}`), { allowed: [...idx.horizons.keys()] });
  return { name: h, days: idx.horizons.get(h) };
}

// An interval level the manifest lists (0.9); `level` undefined: the instance's default.
export function levelOf(level, dflt, idx) {
  const l = level === undefined ? dflt : level;
  if (typeof l !== 'number' || !idx.levels.some((x) => Math.abs(x - l) < 1e-9))
    throw Object.assign(invalid('level', 'unknown_level', `${JSON.stringify(l)} is not one of ${idx.levels.join(', ')}`), { allowed: idx.levels });
  return l;
}
