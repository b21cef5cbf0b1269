// fineTune(): adapts the general model to the caller's own series in the trainer module
// (stockcast-train.wasm, fetched on the first call; the training itself is the C++ core's,
// core/src/train/finetune.cpp). Imported by stockcast.js on the first fineTune(), like risk.js.
// The core runs one epoch per call (FineTuner); between epochs this yields to the event loop, so
// onProgress reaches the page, the page stays responsive and an AbortSignal is seen within one
// epoch. Nothing is registered or stored unless the whole run succeeds.
import { StockcastError, abortedError, coreError, invalid } from './errors.js';
import { checkSymbol, isObj, normalizeHistory } from './checks.js';
import { now } from './registry.js';

const NAME = /^[A-Z0-9_.-]{1,32}$/;
const OPTION_KEYS = ['maxEpochs', 'patience', 'batch', 'learningRate', 'dropout', 'holdout', 'seed'];
const yieldTask = () => new Promise((resolve) => setTimeout(resolve, 0));

// ctx: {manifest(signal), baseBytes(spec, signal), engine(signal), register(entry), alive(), sha256(bytes)}
export async function fineTune(ctx, req, signal, t0 = now()) {
  const { history, name, base = 'general', maxEpochs, onProgress, options = {} } = req;
  const sym = checkSymbol(name, 'name');
  if (!NAME.test(sym)) throw invalid('name', 'bad_name', `${JSON.stringify(name)}: use 1-32 of A-Z 0-9 _ - .`);
  if (onProgress !== undefined && typeof onProgress !== 'function') throw invalid('onProgress', 'wrong_type', 'expected a function');
  if (!isObj(options)) throw invalid('options', 'wrong_type', `expected an object with some of ${OPTION_KEYS.join(', ')}`);
  for (const k of Object.keys(options))
    if (!OPTION_KEYS.includes(k)) throw invalid(`options.${k}`, 'unknown_option', `expected one of ${OPTION_KEYS.join(', ')}`);
  if (maxEpochs !== undefined && !(Number.isInteger(maxEpochs) && maxEpochs >= 0 && maxEpochs <= 10000))
    throw invalid('maxEpochs', 'out_of_range', 'expected an integer 0-10000');
  if (history === undefined || history === null) throw invalid('history', 'required', 'expected [{date, close, volume?}] rows, oldest first');
  const hist = normalizeHistory(history);
  if (!hist.dates) throw invalid('history', 'needs_dates', 'fine-tuning needs {date, close} rows (dates order the series and split it)');
  const idx = await ctx.manifest(signal);
  if (idx.stocks.has(sym))
    throw invalid('name', 'clashes_with_shipped_symbol', `${sym} is a shipped symbol; give your model another name`);
  if (base !== 'general') throw invalid('base', 'unsupported', "only base: 'general' can be fine-tuned");
  if (!idx.general) throw new StockcastError('model_not_found', 'the manifest lists no general model to fine-tune', { availableStocks: [] });
  const [bytes, engine] = await Promise.all([ctx.baseBytes(idx.general, signal), ctx.engine(signal)]);
  ctx.alive();
  const request = {
    name: sym, dates: hist.dates, closes: hist.closes, volumes: hist.volumes || undefined,
    options: { ...options, ...(maxEpochs !== undefined ? { maxEpochs } : {}) },
  };
  const tuner = new engine.FineTuner();
  let res;
  try {
    const st = tuner.start(bytes, request);
    if (!st.ok) throw coreError(st, st.code === 'invalid_input' ? { reason: st.detail } : {});
    while (!tuner.done()) {
      if (signal && signal.aborted) throw abortedError(signal);
      const p = tuner.epoch();
      if (!p.ok) throw coreError(p);
      if (onProgress) onProgress({ epoch: p.epoch, maxEpochs: p.maxEpochs, trainLoss: p.trainLoss, valLoss: p.valLoss, best: p.best });
      await yieldTask();
      ctx.alive();
    }
    if (signal && signal.aborted) throw abortedError(signal);
    res = tuner.finish();
    if (!res.ok) throw coreError(res);
  } finally {
    tuner.delete();
  }
  const sha256 = await ctx.sha256(res.bytes);
  if (signal && signal.aborted) throw abortedError(signal);
  const metrics = {
    valMape: res.valMape, valNaiveMape: res.valNaiveMape, coverage90: res.coverage90, epochs: res.epochs, bestEpoch: res.bestEpoch,
    trainWindows: res.trainWindows, holdoutWindows: res.holdoutWindows, holdoutFrom: res.holdoutFrom,
  };
  await ctx.register({ symbol: sym, bytes: res.bytes, sha256, history: hist, metrics });
  return {
    model: { name: sym, file: `${sym}.stkm`, bytes: res.bytes, sha256, byteLength: res.bytes.length },
    metrics,
    seconds: (now() - t0) / 1000,
  };
}
