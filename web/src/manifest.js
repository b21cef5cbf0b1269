// The manifest (models/manifest.json) indexed for lookups, and routing: which model file serves
// a symbol, as which model type. Horizons and interval levels come from the manifest.
import { StockcastError, invalid } from './errors.js';
import { isObj } from './checks.js';

export const CONFIDENCE = { stock_specific: 'high', general: 'medium', general_unseen: 'low' };


function editDistance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return row[b.length];
}

export function closest(symbol, candidates) {
  let best = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(symbol, c) - (c.startsWith(symbol) || symbol.startsWith(c) ? 0.5 : 0);
    if (d < bestD) (bestD = d), (best = c);
  }
  return best;
}

export function indexManifest(m, base) {
  if (!isObj(m) || !Array.isArray(m.stocks) || !Array.isArray(m.models))
    throw new StockcastError('format_error', 'manifest.json: expected {stocks: [...], models: [...]}', { detail: 'bad_manifest' });
  const spec = (file, sha256, bytes) => {
    if (typeof file !== 'string' || !file || /^[a-z]+:|^\/|\.\./i.test(file))
      throw new StockcastError('format_error', `manifest.json: bad model file name ${JSON.stringify(file)}`, { detail: 'bad_manifest' });
    return { key: file, url: new URL(file, base).href, sha256: typeof sha256 === 'string' ? sha256.toLowerCase() : null, bytes: Number(bytes) || undefined };
  };
  const models = new Map();
  for (const md of m.models) if (isObj(md)) models.set(md.file, md);
  const generalInfo = m.models.find((md) => isObj(md) && md.kind === 'general');
  const general = generalInfo ? spec(generalInfo.file, generalInfo.sha256, generalInfo.bytes) : null;
  const stocks = new Map();
  const sectors = {};
  for (const s of m.stocks) {
    if (!isObj(s) || typeof s.symbol !== 'string' || typeof s.file !== 'string')
      throw new StockcastError('format_error', 'manifest.json: every stock needs a symbol and a file', { detail: 'bad_manifest' });
    const info = models.get(s.file) || {};
    const modelType = s.model_type || (info.kind === 'general' ? 'general' : 'stock_specific');
    const route = { spec: spec(s.file, s.sha256 || info.sha256, s.bytes || info.bytes), modelType };
    let fallback = null;
    if (modelType === 'stock_specific') {
      const fb = s.fallback;
      fallback = fb && fb.file ? { spec: spec(fb.file, fb.sha256, fb.bytes), modelType: 'general' } : general && { spec: general, modelType: 'general' };
    }
    stocks.set(s.symbol.toUpperCase(), { ...s, route, fallback });
    const sector = s.sector || 'Unknown';
    (sectors[sector] ||= []).push(s.symbol.toUpperCase());
  }
  // Horizons and interval levels are the manifest's (models/manifest.schema.json), never assumed.
  const { horizons: days, horizon_names: names, interval_levels: levels } = m;
  if (!Array.isArray(days) || !Array.isArray(names) || days.length !== names.length || !Array.isArray(levels) || !levels.length)
    throw new StockcastError('format_error', 'manifest.json: expected horizons, horizon_names (one per horizon) and interval_levels', { detail: 'bad_manifest' });
  const horizons = new Map(names.map((name, i) => [name, days[i]]));
  return {
    manifest: m,
    stocks,
    sectors: isObj(m.sectors) ? Object.fromEntries(Object.entries(m.sectors).map(([k, v]) => [k, v.map((x) => x.toUpperCase())])) : sectors,
    general,
    horizons,
    levels,
    testPeriod: m.data && Array.isArray(m.data.test) ? m.data.test : null,
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

// The route of a symbol: its manifest entry's model (with the general model as fallback), the
// general model for a symbol never trained when the caller supplies its history, else
// model_not_found with the closest known symbol.
export function routeOf(symbol, idx, hasHistory) {
  const s = idx.stocks.get(symbol);
  if (s) return { ...s.route, fallback: s.fallback };
  if (hasHistory && idx.general) return { spec: idx.general, modelType: 'general_unseen' };
  const availableStocks = [...idx.stocks.keys()];
  const suggestion = closest(symbol, availableStocks);
  throw new StockcastError('model_not_found',
    `no model serves ${symbol}${hasHistory ? '' : ' (pass its price history to use the general model)'}; did you mean ${suggestion}?`,
    { symbol, availableStocks, suggestion });
}
