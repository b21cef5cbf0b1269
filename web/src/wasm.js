// The adapter around Emscripten's generated ES-module glue (stockcast.mjs, stockcast-risk.mjs,
// built from the Embind bindings in wasm/). The package fetches, verifies and compiles each
// .wasm itself (index.js, node.js: its own fetch, SHA-256 check and compile cache) and hands the
// compiled WebAssembly.Module to the glue through the glue's instantiateWasm hook, so the glue
// never fetches anything and its Node branch (not built) is never needed.
//
// The bindings answer every call with a result: {ok: true, …} or the core's error value
// {ok: false, code, detail, message, field, required, provided} (web/src/errors.js coreError).
import { StockcastError } from './errors.js';
import createStockcastCore from './stockcast.mjs';

async function instantiate(factory, compiled, what) {
  const module = await compiled;
  // A build without the module ships an empty stand-in (scripts/build-web.sh).
  if (WebAssembly.Module.exports(module).length === 0)
    throw new StockcastError('unsupported', `this build has no ${what}`, { detail: what === 'risk engine' ? 'no_risk_engine' : what === 'trainer' ? 'no_trainer' : 'wasm_link' });
  return new Promise((resolve, reject) => {
    factory({
      instantiateWasm(imports, done) {
        let instance;
        try {
          // Synchronous instantiation of the compiled module: ~0.3 ms, where Node's asynchronous
          // WebAssembly.instantiate was measured to resolve ~65 ms late; browsers allow it on the
          // main thread for modules up to 8 MB (Chrome's limit).
          instance = new WebAssembly.Instance(module, imports);
        } catch (e) {
          reject(new StockcastError('format_error', `the .wasm does not fit this package: ${e.message}`, { detail: 'wasm_link', cause: e }));
          return {};
        }
        done(instance, module);
        return instance.exports;
      },
    }).then(resolve, reject);
  });
}

// What the package reads of a module besides its bindings: memory and the live Embind objects
// (the registry tests check both stay flat).
const probes = (M) => ({
  heapBytes: () => M.HEAP8.buffer.byteLength,
  objects: () => ({ handles: M.count_emval_handles(), ...(M.LoadedModel ? { models: M.LoadedModel.live() } : {}) }),
});

/** The forecasting module: {LoadedModel, RouteTable, servedModelType, confidenceOf, pastReturn, kernelNames, version(), heapBytes(), objects()}. */
export async function instantiateCore(compiled) {
  const M = await instantiate(createStockcastCore, compiled, 'forecasting core');
  if (typeof M.LoadedModel !== 'function')
    throw new StockcastError('format_error', 'the .wasm does not fit this package: no LoadedModel', { detail: 'wasm_link' });
  const { LoadedModel, RouteTable, servedModelType, confidenceOf, pastReturn } = M;
  // kernelNames: the LSTM arithmetics this build offers (LoadedModel.useKernel), ['float32'] before it had a choice.
  const kernelNames = M.kernelNames ? M.kernelNames() : ['float32'];
  return { LoadedModel, RouteTable, servedModelType, confidenceOf, pastReturn, kernelNames, version: () => M.version(), ...probes(M) };
}

/** The factor module: {FactorModel, version(), heapBytes(), objects()}. */
export async function instantiateFactors(compiled) {
  const { default: factory } = await import('./stockcast-factors.mjs');
  const M = await instantiate(factory, compiled, 'factor models');
  if (typeof M.FactorModel !== 'function')
    throw new StockcastError('format_error', 'the .wasm does not fit this package: no FactorModel', { detail: 'wasm_link' });
  return { FactorModel: M.FactorModel, version: () => M.version(), heapBytes: () => M.HEAP8.buffer.byteLength,
    objects: () => ({ handles: M.count_emval_handles(), factorModels: M.FactorModel.live() }) };
}

/** The ensemble module (stockcast-ensemble.wasm, docs/ensemble.md): {Ensemble, version(), heapBytes(), objects()}. */
export async function instantiateEnsemble(compiled) {
  const { default: factory } = await import('./stockcast-ensemble.mjs');
  const M = await instantiate(factory, compiled, 'ensemble');
  if (typeof M.Ensemble !== 'function')
    throw new StockcastError('format_error', 'the .wasm does not fit this package: no Ensemble', { detail: 'wasm_link' });
  // LoadedModel: the same class as the core module's, with the Transformer's forward pass (which
  // stockcast.wasm leaves out to keep the predict path small): predict({ model: 'transformer' }).
  return { Ensemble: M.Ensemble, LoadedModel: M.LoadedModel, version: () => M.version(), heapBytes: () => M.HEAP8.buffer.byteLength,
    objects: () => ({ handles: M.count_emval_handles(), ensembles: M.Ensemble.live(), models: M.LoadedModel.live() }) };
}

/** The risk module: {riskReport(request), optimizePortfolio(request)}; requests and answers are objects. */
export async function instantiateRisk(compiled) {
  const { default: factory } = await import('./stockcast-risk.mjs');
  const M = await instantiate(factory, compiled, 'risk engine');
  if (typeof M.riskReport !== 'function')
    throw new StockcastError('format_error', 'the .wasm does not fit this package: no riskReport', { detail: 'wasm_link' });
  return { riskReport: (r) => M.riskReport(r), optimizePortfolio: (r) => M.optimizePortfolio(r), ...probes(M) };
}

/** The trainer module (stockcast-train.wasm): {FineTuner, fineTune(base, request, onEpoch), requiredRows(base)}. */
export async function instantiateTrain(compiled) {
  const { default: factory } = await import('./stockcast-train.mjs');
  const M = await instantiate(factory, compiled, 'trainer');
  if (typeof M.FineTuner !== 'function')
    throw new StockcastError('format_error', 'the .wasm does not fit this package: no FineTuner', { detail: 'wasm_link' });
  return { FineTuner: M.FineTuner, fineTune: (b, r, f) => M.fineTune(b, r, f), requiredRows: (b) => M.requiredRows(b), ...probes(M) };
}
