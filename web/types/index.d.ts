// Types of the stockcast package (browser entry; the Node entry and the worker client share them).

export type Horizon = '1d' | '5d' | '10d' | '30d';
export type IntervalLevel = 0.8 | 0.9 | 0.95;
export type ModelType = 'stock_specific' | 'general' | 'general_unseen';
export type Confidence = 'high' | 'medium' | 'low';
export type Direction = 'bearish' | 'neutral' | 'bullish';

/** One daily row, oldest first; dates strictly increasing ('YYYY-MM-DD'). */
export interface HistoryRow {
  date: string | Date;
  close: number;
  volume?: number | null;
}
/** Closes oldest first, or dated rows. */
export type History = ArrayLike<number> | HistoryRow[];

export interface ProgressEvent {
  url: string;
  loaded: number;
  /** From Content-Length or the manifest; undefined when unknown. */
  total?: number;
}

/** Persistent store of model files (key: SHA-256 hex) and last-known-good JSON (key: 'url:' + URL). */
export interface ModelStore {
  get(key: string): Promise<Uint8Array | ArrayBuffer | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete?(key: string): Promise<void>;
}

export interface StockcastOptions {
  /** Where manifest.json, the .stkm files and history/<SYMBOL>.json live (relative URLs resolve against the page). */
  baseUrl?: string | URL;
  /** Parsed models kept resident (LRU). Default 20. */
  cacheSize?: number;
  /** Bound on the resident models' file bytes (LRU). Default unbounded. */
  maxCacheBytes?: number;
  /** fetch implementation (default globalThis.fetch; the Node entry's default is node:http(s), see docs/package.md). */
  fetch?: typeof fetch;
  /** Aborts every operation of this instance in flight (and later ones). */
  signal?: AbortSignal;
  /** Download progress of model files, in bytes. */
  onProgress?: (e: ProgressEvent) => void;
  /** Persistent store, e.g. createCacheStorageStore(), so a reload works offline. */
  store?: ModelStore | null;
  /** Prediction cache lifetime; 0 disables. Default 300000 (5 minutes). */
  predictionTtlMs?: number;
  /** How long fetched histories are reused. Default 300000. */
  historyTtlMs?: number;
  /**
   * The LSTM arithmetic: 'int16' (default; int16 weights and activations, int32 sums, within 1e-3
   * of float32 on the golden networks) or 'float32' (the reference). A model whose own test vector
   * the integer kernel misses by more than 1e-3 is served in float32. docs/package.md#kernel.
   */
  kernel?: 'int16' | 'float32';
  /** Where histories come from, tried in order (default: baseUrl + 'history/'). See HistorySource. */
  historySources?: HistorySource[];
  /** Consecutive failures that open a source's circuit breaker. Default 5. */
  breakerFailures?: number;
  /** How long an open breaker refuses requests before one half-open probe. Default 30000. */
  breakerCooldownMs?: number;
  /** A history source's answer must arrive within this (else the next source). Default 15000. */
  sourceTimeoutMs?: number;
  /** The clock of breakers, rate limits and source timeouts (tests inject a fake one). */
  clock?: Clock;
  /** Structured events: fetch (per source attempt), breaker (state change), stale (a stored copy served). */
  onEvent?: (event: StockcastEvent) => void;
  /** Retries after a network error or 5xx/408/429 (4xx never retried). Default 2. */
  retries?: number;
  /** First backoff delay, doubled per retry. Default 250. */
  retryDelayMs?: number;
  /** Requests in flight at once per origin (server), like a browser's ~6 connections per host;
   * the others wait in request order (an aborted one leaves the queue at once). Applies to the
   * default transport and to a custom `fetch`; per instance (each worker of a pool has its own).
   * An integer >= 1, or Infinity for no limit. Default 6. */
  maxConcurrentRequests?: number;
  /** Default interval level. Default 0.9. */
  level?: IntervalLevel;
  /** Serve a stock with the general model when its own file cannot be loaded (flagged in warnings). Default true. */
  fallback?: boolean;
  /** Where the .wasm is (default: next to the package's JS). */
  wasmUrl?: string | URL;
  /** The .wasm bytes themselves (no fetch). */
  wasmBinary?: ArrayBuffer | ArrayBufferView;
  /** Where the risk engine's stockcast-risk.wasm is (fetched on the first risk()/optimizePortfolio()). */
  riskWasmUrl?: string | URL;
  /** The risk engine's .wasm bytes. */
  riskWasmBinary?: ArrayBuffer | ArrayBufferView;
  /** Where stockcast-factors.wasm is (fetched on the first predictFactors()/models()). */
  factorsWasmUrl?: string | URL;
  /** The factor module's .wasm bytes. */
  factorsWasmBinary?: ArrayBuffer | ArrayBufferView;
  /** Where the trainer's stockcast-train.wasm is (fetched on the first fineTune()). */
  trainWasmUrl?: string | URL;
  /** The trainer's .wasm bytes, instead of fetching trainWasmUrl. */
  trainWasmBinary?: ArrayBuffer | ArrayBufferView;
  /** Where stockcast-ensemble.wasm is (fetched on the first ensemble or ensemble-member prediction). */
  ensembleWasmUrl?: string | URL;
  /** The ensemble module's .wasm bytes, instead of fetching ensembleWasmUrl. */
  ensembleWasmBinary?: ArrayBuffer | ArrayBufferView;
}

export type FactorKind = 'linear' | 'logistic' | 'random_forest' | 'extra_trees' | 'gradient_boosting' | 'svr' | 'mlp';
export interface FactorHistoryRow { date: string; close: number; low?: number; high?: number; volume?: number | null }
export interface PredictFactorsRequest {
  /** A name from models() / the manifest's factor_models. */
  model: string;
  /** Raw values in the model's feature order, or {name: value} with exactly its features. */
  features?: number[] | Float64Array | Record<string, number>;
  /** Features computed by the core from the symbol's history (baseUrl/history/SYMBOL.json). */
  symbol?: string;
  /** Features computed by the core from these daily bars (oldest first, at least 21). */
  history?: FactorHistoryRow[];
  /** Move out-of-range inputs onto the model's range (listed in `clamped`) instead of failing with out_of_range. */
  clamp?: boolean;
  signal?: AbortSignal;
}
export interface FactorClamp { field: string; value: number; min: number; max: number }
export interface FactorPrediction {
  model: string;
  kind: FactorKind;
  target: string;
  /** Regression: the target's value; logistic: the probability of the second class. */
  prediction: number;
  probabilities?: Record<string, number>;
  label?: string;
  clamped?: FactorClamp[];
  /** The features the core computed (symbol / history calls). */
  features?: Record<string, number>;
  dataDate?: string | null;
  symbol?: string;
  metrics: { test: Record<string, unknown> | null };
  latencyMs: number;
}
export interface FactorModelInfo {
  name: string;
  file: string;
  kind: FactorKind;
  target: string;
  definition: string | null;
  horizon: number | null;
  classes: string[] | null;
  features: { name: string; min: number; max: number }[];
  metrics: { test: Record<string, unknown> | null; validation: Record<string, unknown> | null };
  bytes: number | null;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface HeldOutMetrics {
  /** Test-year mean absolute percentage error of this model at this horizon (%). */
  mape: number;
  /** The naive "no change" forecast's MAPE on the same days (%). */
  naiveMape: number;
  coverage90: number | null;
  directionHitRate: number | null;
  samples: number | null;
  period: [string, string] | null;
}

/** A base URL (per-symbol SYMBOL.json, or SYMBOL.csv with format 'csv'), a URL template with
 * {symbol}, a function, or an object with one of url / load and the options below. */
export type HistorySource =
  | string
  | URL
  | HistoryLoader
  | {
      url?: string | URL;
      load?: HistoryLoader;
      /** Shown in health() and events; default the URL template or function#i. */
      name?: string;
      /** How the body is read; default: JSON when it starts with { or [, else CSV. */
      format?: 'json' | 'csv';
      /** Token bucket for the URL's origin: `rate` requests per second, `burst` at once. Requests beyond it queue. */
      rate?: number;
      burst?: number;
      /** Overrides sourceTimeoutMs. */
      timeoutMs?: number;
      /** Overrides retries. */
      retries?: number;
      /** How long a history this source served is reused (overrides historyTtlMs). */
      ttlMs?: number;
    };

/** (symbol, {signal}) -> rows ({date, close, volume?}), bare closes, or {rows}. */
export type HistoryLoader = (symbol: string, options: { signal?: AbortSignal }) => History | { rows: History } | Promise<History | { rows: History }>;

export interface Clock {
  now(): number;
  setTimeout?(fn: () => void, ms: number): unknown;
  clearTimeout?(id: unknown): void;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

export type StockcastEvent =
  | { type: 'fetch'; source: string; symbol: string; ok: boolean; code?: ErrorCode; status?: number | null; ms: number; time: number }
  | { type: 'breaker'; source: string; from: BreakerState; to: BreakerState; time: number }
  | { type: 'stale'; symbol: string; dataDate: string | null; time: number };

export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface SourceHealth {
  name: string;
  kind: 'url' | 'function';
  state: BreakerState;
  /** Requests started (a refused one, breaker open, is not counted). */
  requests: number;
  successes: number;
  failures: number;
  /** 404s: the source is up but lacks the symbol (no breaker failure). */
  notFound: number;
  successRate: number | null;
  /** Over the last 256 answers, on the instance's clock. */
  latencyMs: LatencyPercentiles;
  rateLimit: { rate: number; burst: number } | null;
}

export interface Health {
  status: 'ok' | 'degraded' | 'down' | 'disposed';
  wasm: { loaded: boolean; simd: boolean; coreVersion: string | null };
  manifest: { loaded: boolean; ageMs: number | null; trainingDate: string | null; dataTo: string | null };
  store: { available: boolean; kind: string | null };
  sources: SourceHealth[];
  /** kernel: the option; kernels: each resident file's LSTM arithmetic as served (float32 where int16 missed its test vector). */
  models: { resident: string[]; count: number; bytes: number; maxCount: number; kernel: 'int16' | 'float32'; kernels: Record<string, 'int16' | 'float32'> };
}

export interface Prediction {
  symbol: string;
  name: string | null;
  sector: string | null;
  horizon: Horizon;
  horizonDays: number;
  currentPrice: number;
  predictedPrice: number;
  interval: { lower: number; upper: number; level: number };
  expectedReturn: number;
  logReturn: number;
  direction: Direction;
  probabilities: { bearish: number; neutral: number; bullish: number };
  /** From the manifest; null for general_unseen or a fallback. */
  heldOut: HeldOutMetrics | null;
  /** The model kind that answered ('lstm' for predict({ model: 'auto' })). */
  model: string;
  /** Ensemble answers: every member's weight and forecast. */
  members?: EnsembleMember[];
  modelType: ModelType;
  confidence: Confidence;
  modelVersion: string;
  modelFile: string;
  trainedAt: string | null;
  /** Date of the last history row (null for bare closes). */
  dataDate: string | null;
  /** True when every history source failed and the store's last good copy (of dataDate) served. */
  stale: boolean;
  /** The history source that served (its name); null for a caller's history. */
  dataSource: string | null;
  /** In [0, 1], from the core: mean of the direction certainty (max probability - 1/3) / (2/3)
   * and the interval tightness 1 / (1 + (upper - lower) / predictedPrice). See docs/package.md. */
  confidenceScore: number;
  /** ISO time the core computed it (a cached answer keeps its own). */
  generatedAt: string;
  /** generatedAt + predictionTtlMs: until then the same call is answered from the cache (null: predictionTtlMs Infinity). */
  expiresAt: string | null;
  /** One plain-language sentence built only from the numbers above. */
  explanation: string;
  /** With predict({ indicators: true }): from the risk engine on the same history. */
  indicators?: PredictionIndicators;
  historyLength: number;
  latencyMs: number;
  cached: boolean;
  warnings: string[];
}

export interface PredictionIndicators {
  rsi: number;
  rsiLabel: 'overbought' | 'oversold' | 'neutral';
  macd: number;
  signal: number;
  histogram: number;
  macdLabel: 'bullish' | 'bearish' | 'neutral';
  volumeTrend: { label: string; ratio: number | null; recentMean: number; previousMean: number };
}

export interface HistoryResult {
  results: Array<
    | { symbol: string; ok: true; rows: Array<{ date: string | null; close: number; volume?: number }>; dataDate: string | null; stale: boolean; dataSource: string | null }
    | { symbol: string; ok: false; error: StockcastError }
  >;
  summary: { total: number; successful: number; failed: number; totalTimeMs: number };
}

export interface PastMonthReturn {
  symbol: string;
  /** 21 trading days. */
  days: number;
  /** toClose / fromClose - 1, by the core. */
  return: number;
  fromDate: string | null;
  toDate: string | null;
  fromClose: number;
  toClose: number;
  stale: boolean;
  dataSource: string | null;
}

export interface RiskBatchRequest extends CallOptions {
  symbols: string[];
  options?: Record<string, number>;
}

export interface RiskBatchResult {
  results: Array<{ symbol: string; ok: true; report: RiskReport } | { symbol: string; ok: false; error: StockcastError }>;
  summary: { total: number; successful: number; failed: number; totalTimeMs: number; modelCalls: number };
}

/** A model kind predict({ model }) serves: 'auto' (the routing: the routed LSTM), 'lstm', and
 * whatever else the manifest lists (modelInfo(symbol).models): 'transformer', 'ensemble', the
 * ensemble's members ('random_forest', 'extra_trees', 'gradient_boosting', 'svr', 'mlp', 'naive'). */
export type ModelKind = 'auto' | 'lstm' | 'transformer' | 'ensemble' | 'random_forest' | 'extra_trees' | 'gradient_boosting' | 'svr' | 'mlp' | 'naive' | (string & {});

/** One ensemble member in an ensemble answer (as the core gives it). */
export interface EnsembleMember {
  name: string;
  /** Its weight in the ensemble's forecast (0 when excluded). */
  weight: number;
  included: boolean;
  /** Why it is excluded (e.g. it failed or lacks history); null when included. */
  reason: string | null;
  /** Its own forecast at the horizon (null when it failed). */
  forecast: { price: number; lower: number; upper: number; logReturn: number } | null;
  /** Its mean error over the adaptation window (null when not measured). */
  recentError?: number | null;
}

export interface PredictRequest extends CallOptions {
  symbol: string;
  horizon: Horizon;
  /** Which model kind answers (default 'auto'); an unknown one is invalid_input (reason unknown_model, availableModels). */
  model?: ModelKind;
  /** Also compute RSI, MACD and volume trend (loads the risk engine on first use). */
  indicators?: boolean;
  /** When absent, fetched from baseUrl/history/<SYMBOL>.json. */
  history?: History;
  level?: IntervalLevel;
}

export interface PredictHorizonsRequest extends CallOptions {
  symbol: string;
  model?: ModelKind;
  /** When absent, fetched from baseUrl/history/<SYMBOL>.json. */
  history?: History;
  level?: IntervalLevel;
}

export interface PredictModelsRequest extends CallOptions {
  symbol: string;
  horizon: Horizon;
  /** Default: every kind of the manifest (modelInfo(symbol).models). */
  models?: ModelKind[];
  history?: History;
  level?: IntervalLevel;
}

export interface ModelsResult {
  symbol: string;
  horizon: Horizon;
  level: number;
  /** In request order; `model` as requested ('auto' stays 'auto'; prediction.model is the kind that answered). */
  results: Array<{ model: string; ok: true; prediction: Prediction } | { model: string; ok: false; error: StockcastError }>;
  summary: { total: number; successful: number; failed: number; totalTimeMs: number };
}

/** modelInfo(symbol).models: a kind predict({ model }) serves, with the manifest's test-year metrics per horizon. */
export interface ModelKindInfo {
  model: string;
  /** 'routed': the routing's LSTM file; 'network': one model file; 'ensemble': the ensemble module. */
  servedBy: 'routed' | 'network' | 'ensemble';
  file: string | null;
  /** Per horizon (null where not measured); null for a symbol the manifest does not list. */
  metrics: Record<string, HeldOutMetrics | null> | null;
}

export type BatchItem =
  | { symbol: string; ok: true; prediction: Prediction }
  | { symbol: string; ok: false; error: StockcastError };

export interface BatchResult {
  horizon: Horizon;
  level: number;
  /** In input order. */
  results: BatchItem[];
  summary: { total: number; successful: number; failed: number; totalTimeMs: number; modelCalls: number };
}

export interface PredictBatchRequest extends CallOptions {
  symbols: string[];
  horizon: Horizon;
  level?: IntervalLevel;
  histories?: Record<string, History>;
}

export interface PredictSectorRequest extends CallOptions {
  sector: string;
  horizon: Horizon;
  level?: IntervalLevel;
}

export interface SectorResult extends BatchResult {
  sector: string;
  /** Stocks of the sector with their own (stock-specific) model. */
  trainedCount: number;
  totalCount: number;
}

export interface Available {
  totalStocks: number;
  trainedCount: number;
  generalCount: number;
  symbols: string[];
  trained: string[];
  stocks: { symbol: string; name: string | null; sector: string | null; modelType: ModelType }[];
  bySector: Record<string, { total: number; trained: number; symbols: string[] }>;
  sectors: string[];
  horizons: Horizon[];
  intervalLevels: number[];
  /** The manifest's format version. */
  version: number | null;
  /** The C++ core's version string. */
  coreVersion: string;
  trainingDate: string | null;
  dataRange: { from: string | null; to: string | null } | null;
  testPeriod: [string, string] | null;
  hasGeneralModel: boolean;
}

export interface ModelInfo {
  symbol: string;
  status: 'trained' | 'general' | 'not_trained' | 'fine_tuned';
  modelType: ModelType | null;
  name?: string | null;
  sector?: string | null;
  confidence?: Confidence;
  file?: string;
  url?: string;
  bytes?: number | null;
  sha256?: string | null;
  fallbackFile?: string | null;
  testMetrics?: Record<string, { mape: number; naive_mape: number; coverage90?: number; direction_hit_rate?: number; n?: number }> | null;
  loaded: boolean;
  /** Every model kind predict({ model }) serves for this symbol, with its test-year metrics. */
  models: ModelKindInfo[];
  /** The model file's version (null until it is resident; modelInfo(symbol, { load: true })). */
  version?: string | number | null;
  /** As on predictions: name@version/sha256-prefix (null until resident). */
  modelVersion?: string | null;
  /** The model's training date (its header once resident, else the manifest's). */
  trainedAt?: string | null;
  /** Fine-tuned models: the held-out metrics of the run (FineTuneMetrics). */
  validation?: FineTuneMetrics;
  needsHistory?: boolean;
  suggestion?: string | null;
}

export interface FineTuneProgress {
  epoch: number;
  maxEpochs: number;
  /** Mean Huber loss on scaled targets (training windows, with dropout). */
  trainLoss: number;
  /** The same on the held-out windows (no dropout); early stopping keeps the best epoch. */
  valLoss: number;
  /** This epoch has the best validation loss so far. */
  best: boolean;
}

export interface FineTuneRequest extends CallOptions {
  /** At least 247 rows for the shipped general model (insufficient_history says how many). */
  history: Array<{ date: string | Date; close: number; volume?: number | null }>;
  /** The model's name (upper-cased; 1-32 of A-Z 0-9 _ - .); must not be a shipped symbol. */
  name: string;
  /** Only 'general'. */
  base?: 'general';
  /** Default 60; early stopping usually ends sooner (patience 8). */
  maxEpochs?: number;
  /** Called after every epoch (the package yields to the event loop between epochs). */
  onProgress?: (p: FineTuneProgress) => void;
  options?: { patience?: number; batch?: number; learningRate?: number; dropout?: number; holdout?: number; seed?: number };
}

export interface FineTuneMetrics {
  /** Means over the horizons, on the held-out (most recent) windows, after shrinkage. */
  valMape: number;
  valNaiveMape: number;
  /** 90 % band coverage, cross-fitted (bounds from one half of the held-out windows, checked on the other). */
  coverage90: number;
  epochs: number;
  bestEpoch: number;
  trainWindows: number;
  holdoutWindows: number;
  holdoutFrom: string;
}

export interface FineTuneResult {
  /** A model file in the shipped format (f16), verified by the core; `bytes` can be downloaded. */
  model: { name: string; file: string; bytes: Uint8Array; sha256: string; byteLength: number };
  metrics: FineTuneMetrics;
  seconds: number;
}

export interface RiskRequest extends CallOptions {
  /** History fetched from baseUrl when `history` is absent. */
  symbol?: string;
  /** Dated rows (the risk engine needs dates). */
  history?: HistoryRow[];
  /** Market index for beta/correlation; default NSE All-Share (baseUrl/history/index/NASI.json); false: none. */
  market?: { symbol?: string; dates: string[]; closes: number[] } | false;
  options?: { window?: number; min_garch_returns?: number; ewma_lambda?: number };
}

/** The core's risk report (docs/risk.md) plus symbol, dataDate and latencyMs. */
export interface RiskReport {
  symbol: string;
  dataDate: string | null;
  latencyMs: number;
  /** From the 2-hour cache (per symbol and data date). */
  cached?: boolean;
  /** The history was the store's last good copy (every source failed). */
  stale?: boolean;
  /** total, level, factors (volatility, price_swing, volume_volatility, trend_strength), warnings, max_rolling_swing (docs/risk.md). */
  risk_score: Record<string, unknown>;
  [key: string]: unknown;
}

export type PortfolioMethod = 'equal_weight' | 'min_variance' | 'max_sharpe' | 'risk_parity';

export interface OptimizeRequest extends CallOptions {
  symbols: string[];
  /** One method or several; default all four. */
  method?: PortfolioMethod | PortfolioMethod[];
  histories?: Record<string, HistoryRow[]>;
  riskFreeRate?: number;
  options?: { window?: number; min_returns?: number; shrinkage?: 'auto' | number };
}

/** The core's portfolio report (docs/risk.md) plus symbols and latencyMs. */
export interface PortfolioReport {
  symbols: string[];
  latencyMs: number;
  [key: string]: unknown;
}

export interface Stats {
  predictions: number;
  cacheHits: number;
  cacheMisses: number;
  hitRate: number;
  cachedPredictions: number;
  models: {
    resident: number;
    residentBytes: number;
    residentFiles: string[];
    /** Kept resident outside cacheSize and never evicted: the general model. */
    pinnedFiles: string[];
    maxCount: number;
    maxBytes: number;
    hits: number;
    misses: number;
    hitRate: number;
    loads: number;
    loadFailures: number;
    evictions: number;
    storeHits: number;
    loadTimeMs: number;
    meanLoadTimeMs: number;
    lastLoadTimeMs: number;
  };
  network: { requests: number; retries: number; bytes: number };
  latency: Record<string, { count: number; meanMs: number; minMs: number; maxMs: number; lastMs: number }>;
  /** predictFactors latency per model kind over the last 1,024 calls of each. */
  factorLatency: Record<string, { count: number; p50Ms: number; p95Ms: number; p99Ms: number }>;
  /** Whole public calls (predict, predictHorizons, predictBatch, predictSector, risk, riskBatch,
   *  optimizePortfolio, pastMonthReturn): counts and latency percentiles over the last 1024, ms. */
  operations: Record<string, { count: number; failures: number } & LatencyPercentiles>;
  /** Failures per symbol and error code. */
  failures: Record<string, Partial<Record<ErrorCode, number>>>;
  wasmHeapBytes: number;
  /** Live Embind objects of the forecasting module: LoadedModel instances (resident models plus
   *  those in use) and emscripten::val handles. Both stay flat however many calls are made. */
  wasmObjects: { models: number; handles: number };
  /** Live Ensemble objects in the ensemble module (0 until it is loaded; at most 4 per instance). */
  ensembleObjects: number;
  disposed: boolean;
}

export interface Stockcast {
  available(options?: CallOptions): Promise<Available>;
  /** load: true loads the model (if not resident) so version / modelVersion come from its header. */
  modelInfo(symbol: string, options?: CallOptions & { load?: boolean }): Promise<ModelInfo>;
  predict(request: PredictRequest): Promise<Prediction>;
  /**
   * predict() without a promise when the manifest is indexed, the symbol's model resident and its
   * history given (or already loaded); otherwise throws StockcastError 'not_ready' (a predict() of
   * the symbol loads what is missing). Same answer, cache and stats as predict().
   */
  predictSync(request: Omit<PredictRequest, 'signal' | 'indicators'>): Prediction;
  /** One prediction per horizon of the manifest (its order), all from one network call. */
  predictHorizons(request: PredictHorizonsRequest): Promise<Prediction[]>;
  /** One symbol by several model kinds: each kind's answer or error (docs/package.md). */
  predictModels(request: PredictModelsRequest): Promise<ModelsResult>;
  predictBatch(request: PredictBatchRequest): Promise<BatchResult>;
  predictSector(request: PredictSectorRequest): Promise<SectorResult>;
  risk(request: RiskRequest): Promise<RiskReport>;
  optimizePortfolio(request: OptimizeRequest): Promise<PortfolioReport>;
  /** A classical factor model's prediction (docs/package.md). */
  predictFactors(request: PredictFactorsRequest): Promise<FactorPrediction>;
  /** Every factor model of the manifest. */
  models(options?: CallOptions): Promise<FactorModelInfo[]>;
  /** Risk reports of many symbols (cached 2 hours per symbol and data date). */
  riskBatch(request: RiskBatchRequest): Promise<RiskBatchResult>;
  /** The histories the package uses: history(['SCOM']) or history({ symbols, signal }). */
  history(request: string | string[] | ({ symbols: string | string[] } & CallOptions)): Promise<HistoryResult>;
  /** Simple return over the last 21 trading days. */
  pastMonthReturn(symbol: string, options?: CallOptions): Promise<PastMonthReturn>;
  /**
   * Adapts the general model to `history` (stockcast-train.wasm, fetched on the first call) and
   * registers the result under `name` (and in the store): predict / predictHorizons / modelInfo /
   * risk then serve it. Errors: insufficient_history, invalid_input (bad rows, a shipped name),
   * numerical_error (detail 'diverged'), aborted; on any error nothing is registered or stored.
   */
  fineTune(request: FineTuneRequest): Promise<FineTuneResult>;
  /** The fine-tuned models of this instance and of its store. */
  userModels(options?: CallOptions): Promise<Array<{ name: string; file: string; sha256: string; bytes: Uint8Array; metrics: FineTuneMetrics }>>;
  stats(): Stats;
  /** The .wasm, manifest, store, history sources (breakers, success rates, latency percentiles) and resident models. */
  health(): Health;
  /** Forget cached predictions/histories and drop resident models (one symbol's, or all). */
  clearCache(symbol?: string): void;
  /** Frees every WASM object; idempotent. Later calls fail with code 'disposed'. */
  dispose(): void;
}

export type ErrorCode =
  | 'model_not_found'
  | 'insufficient_history'
  | 'invalid_input'
  | 'out_of_range'
  | 'fetch_failed'
  | 'integrity_error'
  | 'format_error'
  | 'numerical_error'
  | 'aborted'
  | 'disposed'
  | 'not_ready'
  | 'unsupported'
  | 'internal_error';

export declare class StockcastError extends Error {
  constructor(code: ErrorCode, message: string, fields?: Record<string, unknown>);
  readonly name: 'StockcastError';
  readonly code: ErrorCode;
  /** model_not_found */
  availableStocks?: string[];
  suggestion?: string | null;
  /** insufficient_history */
  required?: number;
  provided?: number;
  /** invalid_input (and out_of_range: the feature) */
  field?: string;
  reason?: string;
  index?: number;
  /** out_of_range: the value given and the model's valid range */
  value?: number;
  min?: number;
  max?: number;
  /** model_not_found from predictFactors: every factor model name */
  available?: string[];
  /** invalid_input with reason unknown_model (predict({ model }), predictModels): the kinds the manifest serves, 'auto' first */
  availableModels?: string[];
  /** fetch_failed / integrity_error / format_error */
  url?: string;
  status?: number;
  attempts?: number;
  expected?: string;
  actual?: string;
  /** the core's fine code, e.g. 'tensor_overlap', 'hash_mismatch', 'sha256_mismatch' */
  detail?: string;
  toJSON(): Record<string, unknown>;
  static fromJSON(o: Record<string, unknown>): StockcastError;
}

export declare function createStockcast(options?: StockcastOptions): Promise<Stockcast>;
export declare function createMemoryStore(): ModelStore & { readonly size: number };
export declare function createCacheStorageStore(options?: { cacheName?: string }): ModelStore;

/** The package version. */
export declare const VERSION: string;
/** The C++ core's version string. */
export declare const CORE_VERSION: string;
/** SHA-256 (hex) of the shipped stockcast.wasm. */
export declare const WASM_SHA256: string;
export declare const WASM_BYTES: number;
/** SHA-256 (hex) of the shipped stockcast-risk.wasm (null: this build has no risk engine). */
export declare const RISK_WASM_SHA256: string | null;
/** SHA-256 of stockcast-train.wasm (null in a build without the trainer). */
export declare const TRAIN_WASM_SHA256: string | null;
