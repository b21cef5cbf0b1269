// The adaptive ensemble and its members' own forecasts (predict({ model: 'ensemble' | a member's
// name })), computed by the core in stockcast-ensemble.wasm (docs/ensemble.md), fetched with this
// file on the first such call. Here: which files become members, one Ensemble object per routed
// LSTM (its file and the stock's embedding rows) kept in a small LRU, and the answers' shape. Every
// number (member errors over the adaptation window, weights, intervals, direction) is the core's.
//
// Members, as `stockcast predict --model KIND` adds them (cli/cmd_ensemble.cpp): 'lstm', the
// symbol's routed LSTM file; every further network the spec names (`network_files`, e.g. the
// Transformer), each with the stock's embedding row; every classical learner file of the
// manifest's factor_models whose `kind` is an ensemble member (one file per horizon). 'naive' is
// the core's own.
import { StockcastError, coreError } from './errors.js';
import { isObj } from './checks.js';
import { ENSEMBLE, LSTM } from './kinds.js';

const MAX_ENSEMBLES = 4; // resident Ensemble objects (each holds its networks and the learners)

// Per-instance state, kept on the context object: resident Ensembles (LRU), the member files' bytes
// (by URL: a new Ensemble for another symbol downloads nothing twice), the learners, the spec.
function stateOf(ctx) {
  const st = ctx.state;
  if (!st.ensembles) Object.assign(st, { ensembles: new Map(), files: new Map(), learners: null });
  return st;
}

// A file the manifest names ({url, sha256, bytes}), verified (loading.js verifiedBytes), once.
function fileBytes(ctx, spec, signal) {
  const files = stateOf(ctx).files;
  let p = files.get(spec.url);
  if (!p) {
    p = ctx.bytes(spec, signal);
    files.set(spec.url, p);
    p.catch(() => files.get(spec.url) === p && files.delete(spec.url));
  }
  return p;
}

// Deletes the Ensemble of a promise from ensembleFor: now when it has resolved (p.value), else
// once it does (a load still in flight).
function free(p) {
  if (p.value) p.value.ens.delete();
  else p.then((e) => e.ens.delete(), () => {});
}

// Frees every resident Ensemble (dispose(), clearCache()); `state`: the context's.
export function disposeEnsembles(st) {
  if (!st.ensembles) return;
  for (const p of st.ensembles.values()) free(p);
  st.ensembles.clear();
  st.files.clear();
  st.learners = null;
}

const once = (st, k, make) => { // one promise per state slot
  if (!st[k]) {
    st[k] = make();
    st[k].catch(() => (st[k] = null)); // a failure is not remembered
  }
  return st[k];
};

// A manifest entry naming a file ({file, sha256, bytes}) as a download spec.
const specOf = (ctx, e) => ({ url: ctx.url(e.file), sha256: e.sha256 ? String(e.sha256).toLowerCase() : null, bytes: e.bytes });

// The spec file's bytes (manifest `ensemble`: file, sha256, bytes), verified like a model file.
function specBytes(ctx, idx, signal) {
  return fileBytes(ctx, specOf(ctx, idx.manifest.ensemble), signal);
}

// The learner files: factor_models entries whose kind is an ensemble member, as [{kind, bytes}].
function learnerBytes(ctx, idx, members, signal) {
  return once(stateOf(ctx), 'learners', () => {
    const list = (Array.isArray(idx.manifest.factor_models) ? idx.manifest.factor_models : [])
      .filter((f) => isObj(f) && typeof f.file === 'string' && members.includes(f.kind));
    return Promise.all(list.map(async (f) => ({
      kind: f.kind,
      name: f.name,
      bytes: await fileBytes(ctx, specOf(ctx, f), signal),
    })));
  });
}

export function memberNames(idx) {
  const e = idx.manifest.ensemble;
  return (Array.isArray(e.members) ? e.members : []).map((m) => (typeof m === 'string' ? m : isObj(m) ? m.name ?? m.kind : null)).filter(Boolean);
}

// The Ensemble for `symbol`: its routed LSTM and the further networks with the stock's rows; one
// per (LSTM file, symbol), most recently used kept.
async function ensembleFor(ctx, idx, symbol, hasHistory, signal) {
  const E = await ctx.engine(signal);
  const bytesOf = (spec) => fileBytes(ctx, spec, signal);
  const lstm = await ctx.network(null, symbol, hasHistory, signal, bytesOf); // {key, bytes, stockId}
  const key = `${lstm.key}|${symbol}`;
  const st = stateOf(ctx);
  let p = st.ensembles.get(key);
  if (p) {
    st.ensembles.delete(key);
    st.ensembles.set(key, p);
    return p;
  }
  p = (async () => {
    const spec = await specBytes(ctx, idx, signal);
    const members = memberNames(idx);
    const learners = await learnerBytes(ctx, idx, members, signal);
    const ens = new E.Ensemble(spec);
    try {
      const err = ens.error();
      if (err) throw coreError(err, { url: ctx.url(idx.manifest.ensemble.file) });
      const notes = [];
      const add = (name, r) => {
        if (!r.ok) notes.push(`${name}: ${r.message}`); // the member is then excluded by the core, with its reason
      };
      add(LSTM, ens.addNetwork(LSTM, lstm.bytes, lstm.stockId));
      const files = JSON.parse(ens.spec() || '{}').network_files || {};
      for (const [name, file] of Object.entries(files)) {
        try {
          const net = await ctx.network(file, symbol, hasHistory, signal, bytesOf);
          add(name, ens.addNetwork(name, net.bytes, net.stockId));
        } catch (e) {
          if (e instanceof StockcastError && e.code === 'aborted') throw e;
          notes.push(`${name}: ${e.message}`);
        }
      }
      for (const l of learners) add(l.name, ens.addLearner(l.kind, l.bytes));
      return { ens, notes };
    } catch (e) {
      ens.delete();
      throw e;
    }
  })();
  st.ensembles.set(key, p);
  p.then((v) => (p.value = v), () => {
    if (st.ensembles.get(key) === p) st.ensembles.delete(key);
  });
  while (st.ensembles.size > MAX_ENSEMBLES) {
    const [oldest, q] = st.ensembles.entries().next().value;
    st.ensembles.delete(oldest);
    free(q);
  }
  return p;
}

// The bars the members read: the caller's rows (high/low when every row has them), else the
// shipped history file (baseUrl/history/, which carries low and high), else the closes the
// package's history sources give (learners needing high/low are then excluded by the core).
async function barsOf(ctx, symbol, given, raw, signal) {
  let rows = raw;
  let hist = given;
  if (!hist) {
    try {
      rows = await ctx.historyRows(symbol, signal);
      hist = ctx.normalize(rows);
    } catch (e) {
      if (e instanceof StockcastError && e.code === 'aborted') throw e;
      rows = null;
      hist = await ctx.history(symbol, signal);
    }
  }
  const n = hist.closes.length;
  let high = null;
  let low = null;
  if (Array.isArray(rows) && rows.length === n && n && rows.every((r) => isObj(r) && typeof r.high === 'number' && typeof r.low === 'number')) {
    high = Float64Array.from(rows, (r) => r.high);
    low = Float64Array.from(rows, (r) => r.low);
  }
  return { hist, high, low };
}

// A member's forecast as the answers' horizon fields (the core's HorizonForecast).
const forecastOf = (f) => (f ? { price: f.price, lower: f.lower, upper: f.upper, level: f.level, logReturn: f.logReturn, expectedReturn: f.expectedReturn, direction: f.direction } : null);

export async function predictEnsemble(ctx, { served, symbol, history, raw, hzs, level, idx, route }, signal) {
  const { hist, high, low } = await barsOf(ctx, symbol, history, raw, signal);
  const keys = hzs.map((hz) => ctx.cache.key(symbol, hz, level, hist, served.kind));
  const hits = keys.map((k) => ctx.cache.get(k));
  if (hits.every(Boolean)) return hits.map((v) => ctx.cache.hit(v));
  let got = await ensembleFor(ctx, idx, symbol, !!history, signal);
  // Evicted (another symbol's Ensemble) or cleared between its load and this continuation: load again.
  if (got.ens.isDeleted()) got = await ensembleFor(ctx, idx, symbol, !!history, signal);
  const { ens, notes } = got;
  ctx.alive();
  const key = history ? '' : `${symbol}|${hist.dataDate}`; // a caller's history is not cached by the core
  const out = [];
  for (const hz of hzs) {
    const r = ens.predict({ key, high, low, close: hist.closes, volume: hist.volumes, horizon: hz.days, level });
    if (!r.ok) throw coreError(r, { symbol });
    let f = r.forecast;
    let member = null;
    if (served.kind !== ENSEMBLE) {
      member = r.members.find((m) => m.name === served.kind);
      if (!member) throw new StockcastError('model_not_found', `the ensemble has no member ${JSON.stringify(served.kind)} at ${hz.name}`, { symbol, model: served.kind });
      if (!member.included || !member.forecast)
        throw new StockcastError('model_not_found', `${served.kind} cannot forecast ${symbol} at ${hz.name}: ${member.reason}`, { symbol, model: served.kind, reason: member.reason });
      f = member.forecast;
    }
    const e = idx.manifest.ensemble;
    const p = ctx.answer({
      symbol, kind: served.kind, hz, hist, idx, lastClose: r.lastClose, h: f, warnings: [...notes], modelType: route.modelType,
      confidence: served.kind === ENSEMBLE ? r.confidence : route.confidence, measured: route.modelType !== 'general_unseen',
      modelVersion: `${served.kind}@${e.file}${e.sha256 ? `/${String(e.sha256).slice(0, 12)}` : ''}`, modelFile: e.file,
      trainedAt: idx.manifest.training_date || null,
    });
    if (served.kind === ENSEMBLE) {
      p.members = r.members.map((m) => ({ name: m.name, weight: m.weight, included: m.included, reason: m.reason, forecast: forecastOf(m.forecast), recentError: m.recentError }));
      p.window = r.window;
    } else {
      p.weight = member.weight;
      p.recentError = member.recentError;
    }
    p.adaptationCached = r.cached; // the members' errors over the window came from the core's cache
    p.explanation = ctx.explain(p);
    out.push(p);
  }
  out.forEach((p, k) => ctx.cache.put(keys[k], symbol, p));
  return out;
}
