// The JavaScript side of the core's C ABI (wasm/bindings.cpp, wasm/risk_bindings.cpp): it
// instantiates a compiled module and turns calls into numbers in linear memory and back. No
// Emscripten glue: the modules are standalone and import only the functions below.
//
// Results keep the shapes the rest of the package uses: {ok: true, ...} or the core's error
// value {ok: false, code, detail, message, field?, required?, provided?}.

import { StockcastError } from './errors.js';

const HORIZON_FIELDS = 11; // the layout of append_forecast in wasm/bindings.cpp
const DIRECTIONS = ['bearish', 'neutral', 'bullish'];
const utf8 = new TextDecoder();
const encoder = new TextEncoder();

class CoreAbort extends Error {}

// `needs`: an export the module must have (a stand-in without it means this build lacks it).
function instantiate(module, needs) {
  if (!WebAssembly.Module.exports(module).some((e) => e.name === needs))
    throw new StockcastError('unsupported', `this build's .wasm has no ${needs}`, { detail: needs === 'sc_risk_report' ? 'no_risk_engine' : 'wasm_link' });
  let memory;
  const imports = {
    env: { emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: {
      // Reached only through abort() (allocation failure): the instance is unusable afterwards.
      proc_exit(code) {
        throw new CoreAbort(`stockcast core aborted (${code})`);
      },
      // libc asks for its environment at start-up (the LTO build of the risk module links it):
      // an empty one, 0 variables in 0 bytes.
      environ_sizes_get(count, size) {
        const u32 = new Uint32Array(memory.buffer);
        u32[count >> 2] = 0;
        u32[size >> 2] = 0;
        return 0;
      },
      environ_get: () => 0,
    },
  };
  // Synchronous instantiation of the compiled module: ~0.3 ms, where Node's asynchronous
  // WebAssembly.instantiate was measured to resolve ~65 ms late; browsers allow it on the main
  // thread for modules up to 8 MB (Chrome's limit).
  let instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (e) {
    throw new StockcastError('format_error', `the .wasm does not fit this package: ${e.message}`, { detail: 'wasm_link', cause: e });
  }
  memory = instance.exports.memory;
  instance.exports._initialize();
  return instance.exports;
}

// Views over linear memory, rebuilt when it grows (growth detaches the old buffer).
function memoryViews(memory) {
  let buffer = null;
  const v = {};
  return () => {
    if (memory.buffer !== buffer) {
      buffer = memory.buffer;
      v.u8 = new Uint8Array(buffer);
      v.i32 = new Int32Array(buffer);
      v.f32 = new Float32Array(buffer);
      v.f64 = new Float64Array(buffer);
    }
    return v;
  };
}

// An argument check of this wrapper, in the shape of the core's error values.
const inputError = (field, reason) => ({ ok: false, code: 'invalid_input', detail: 'invalid_input', message: `${field}: ${reason}`, field });

// The module's argument buffer, at least `bytes` long; its address. The core answers null when its
// memory cannot grow: writing there would overwrite address 0.
function scratch(x, bytes) {
  const at = x.sc_scratch(bytes);
  if (!at) throw new CoreAbort('stockcast core: out of memory');
  return at;
}

function cString(u8, ptr) {
  let end = ptr;
  while (u8[end] !== 0) end++;
  return utf8.decode(u8.subarray(ptr, end));
}

function numbers(values, what) {
  if (values instanceof Float64Array || values instanceof Float32Array || Array.isArray(values)) return values;
  if (ArrayBuffer.isView(values)) return values;
  throw new TypeError(`${what}: expected an array of numbers`);
}

/** The forecasting module: {LoadedModel, version(), heapBytes()}. */
export async function instantiateCore(compiled) {
  const x = instantiate(await compiled, 'sc_model_load');
  const view = memoryViews(x.memory);

  function lastError() {
    const { u8, i32, f64 } = view();
    const p = x.sc_error() >> 2;
    const e = { ok: false, code: cString(u8, i32[p]), detail: cString(u8, i32[p + 1]), message: cString(u8, i32[p + 2]) };
    const field = cString(u8, i32[p + 3]);
    if (field) e.field = field;
    const required = f64[(p >> 1) + 2];
    if (required >= 0) {
      e.required = required;
      e.provided = f64[(p >> 1) + 3];
    }
    return e;
  }

  // Copies typed arrays into the scratch buffer back to back (8-byte aligned); returns pointers.
  function stage(arrays) {
    let bytes = 0;
    const at = arrays.map((a) => {
      const start = bytes;
      if (a) bytes += Math.ceil((a.length * a.BYTES_PER_ELEMENT) / 8) * 8;
      return start;
    });
    const base = scratch(x, bytes || 8);
    const { u8 } = view();
    return arrays.map((a, k) => {
      if (!a) return 0;
      u8.set(new Uint8Array(a.buffer, a.byteOffset, a.length * a.BYTES_PER_ELEMENT), base + at[k]);
      return base + at[k];
    });
  }

  // Reads one encoded forecast at f64 index i; returns [forecast, next index].
  function readForecast(f64, i) {
    const lastClose = f64[i];
    const n = f64[i + 1];
    const horizons = new Array(n);
    i += 2;
    for (let h = 0; h < n; h++, i += HORIZON_FIELDS) {
      horizons[h] = {
        horizon: f64[i], logReturn: f64[i + 1], expectedReturn: f64[i + 2], price: f64[i + 3], lower: f64[i + 4],
        upper: f64[i + 5], level: f64[i + 6], direction: DIRECTIONS[f64[i + 7] + 1], pBearish: f64[i + 8],
        pNeutral: f64[i + 9], pBullish: f64[i + 10],
      };
    }
    return [{ ok: true, lastClose, horizons }, i];
  }

  const f64Of = (a) => (a instanceof Float64Array ? a : Float64Array.from(numbers(a, 'values')));

  // A parsed model in WASM memory. Construct with the file bytes; check error() before use and
  // delete() it in every case (a failed parse holds nothing).
  class LoadedModel {
    #p = 0;
    #error = null;
    constructor(bytes, verifyHash = true) {
      const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer || bytes, bytes.byteOffset || 0, bytes.byteLength);
      const [ptr] = stage([data]);
      this.#p = x.sc_model_load(ptr, data.length, verifyHash ? 1 : 0);
      if (!this.#p) this.#error = lastError();
    }
    error() {
      return this.#p ? null : this.#error || { ok: false, code: 'disposed', detail: 'disposed', message: 'this model was deleted' };
    }
    // The file's JSON header text (docs/model-format.md).
    header() {
      if (!this.#p) return null;
      const { u8 } = view();
      const at = x.sc_model_header(this.#p);
      return utf8.decode(u8.subarray(at, at + x.sc_model_header_size(this.#p)));
    }
    // Raw network: {ok, y: Float32Array(batch × outputs)}.
    forward(input, stockIds, batch) {
      if (!this.#p) return this.error();
      const xs = input instanceof Float32Array ? input : Float32Array.from(input);
      const ids = stockIds && stockIds.length ? Int32Array.from(stockIds) : null;
      if (ids && ids.length !== batch) return inputError('stockIds', 'expected one id per window');
      const [px, pids] = stage([xs, ids]);
      if (!x.sc_model_forward(this.#p, px, xs.length, pids, batch | 0)) return lastError();
      const at = x.sc_model_outputs(this.#p) >> 2;
      return { ok: true, y: view().f32.slice(at, at + x.sc_model_output_count(this.#p)) };
    }
    // One history, oldest first; volumes may be null. {ok, lastClose, horizons[]} or an error.
    predict(closes, volumes, stockId, level) {
      if (!this.#p) return this.error();
      const c = f64Of(closes);
      const v = volumes == null ? null : f64Of(volumes);
      if (v && v.length !== c.length) return inputError('volumes', 'expected one per close');
      const [pc, pv] = stage([c, v]);
      if (!x.sc_model_predict(this.#p, pc, pv, c.length, stockId | 0, +level)) return lastError();
      return readForecast(view().f64, x.sc_model_results(this.#p) >> 3)[0];
    }
    // Many histories in one network call: closes (and volumes, or null) concatenated, history i
    // at offsets[i]..offsets[i+1]. {ok, results: [forecast or error value each]}.
    predictBatch(closes, volumes, offsets, stockIds, level) {
      if (!this.#p) return this.error();
      const c = f64Of(closes);
      const v = volumes == null ? null : f64Of(volumes);
      const off = Int32Array.from(offsets);
      const ids = Int32Array.from(stockIds);
      if (v && v.length !== c.length) return inputError('volumes', 'expected one per close');
      if (off.length !== ids.length + 1) return inputError('offsets', 'expected one more entry than stockIds');
      const [pc, pv, po, pi] = stage([c, v, off, ids]);
      if (!x.sc_model_predict_batch(this.#p, pc, pv, c.length, po, pi, ids.length, +level)) return lastError();
      const results = new Array(ids.length);
      const f64 = view().f64;
      let i = x.sc_model_results(this.#p) >> 3;
      const failed = [];
      for (let k = 0; k < ids.length; k++) {
        if (f64[i++] === 1) [results[k], i] = readForecast(f64, i);
        else failed.push(k);
      }
      failed.forEach((k, j) => {
        x.sc_model_item_error(this.#p, j);
        results[k] = lastError();
      });
      return { ok: true, results };
    }
    delete() {
      if (this.#p) x.sc_model_free(this.#p);
      this.#p = 0;
    }
  }

  const version = cString(view().u8, x.sc_version());
  return { LoadedModel, version: () => version, heapBytes: () => x.memory.buffer.byteLength };
}

/** The risk module: {riskReportJson(text), optimizePortfolioJson(text)} (JSON text in and out). */
export async function instantiateRisk(compiled) {
  const x = instantiate(await compiled, 'sc_risk_report');
  const view = memoryViews(x.memory);
  const call = (fn) => (request) => {
    const bytes = encoder.encode(request);
    const at = scratch(x, bytes.length || 1);
    view().u8.set(bytes, at);
    const out = fn(at, bytes.length);
    return utf8.decode(view().u8.subarray(out, out + x.sc_response_size()));
  };
  return {
    riskReportJson: call(x.sc_risk_report),
    optimizePortfolioJson: call(x.sc_optimize_portfolio),
    heapBytes: () => x.memory.buffer.byteLength,
  };
}
