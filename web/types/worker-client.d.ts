// stockcast/worker-client: the API running in a Web Worker. Every method returns a Promise.
import type {
  Available, BatchResult, CallOptions, FactorModelInfo, FactorPrediction, ModelInfo, OptimizeRequest, PortfolioReport, PredictBatchRequest, Prediction, PredictFactorsRequest,
  PredictHorizonsRequest, PredictModelsRequest, ModelsResult, PredictRequest, PredictSectorRequest, ProgressEvent, RiskReport, RiskRequest, SectorResult, Stats, StockcastOptions, Health, FineTuneMetrics, FineTuneRequest, FineTuneResult,
  RiskBatchRequest, RiskBatchResult, HistoryResult, PastMonthReturn,
} from './index.js';

export { StockcastError } from './index.js';

/** Anything with postMessage and message events: a Worker, a MessagePort, a worker_threads Worker. */
export interface WorkerLike {
  postMessage(message: unknown): void;
  addEventListener?(type: 'message', listener: (ev: { data: unknown }) => void): void;
  on?(type: 'message', listener: (data: unknown) => void): void;
  terminate?(): unknown;
}

export interface StockcastWorkerOptions extends Omit<StockcastOptions, 'fetch' | 'store' | 'onProgress' | 'clock' | 'onEvent' | 'historySources'> {
  /** URL sources only: a function cannot cross postMessage. */
  historySources?: Array<string | { url: string; name?: string; format?: 'json' | 'csv'; rate?: number; burst?: number; timeoutMs?: number; retries?: number; ttlMs?: number }>;
  /** Your own worker(s) (e.g. new Worker(new URL('stockcast/worker.js', import.meta.url), {type: 'module'})); default: the package's. */
  worker?: WorkerLike | WorkerLike[];
  /** How many of the package's workers to start (1..16, default 1) when `worker` is not given. Each
   * symbol is served by one worker (its models and cache live there); predictBatch and
   * predictSector split their symbols across the workers and run the parts in parallel. */
  workers?: number;
  /** Persistent store inside the worker. */
  store?: 'cache-storage' | 'memory';
  onProgress?: (e: ProgressEvent) => void;
}

export interface StockcastWorker {
  available(options?: CallOptions): Promise<Available>;
  modelInfo(symbol: string, options?: CallOptions & { load?: boolean }): Promise<ModelInfo>;
  predict(request: PredictRequest): Promise<Prediction>;
  predictHorizons(request: PredictHorizonsRequest): Promise<Prediction[]>;
  /** Runs in the worker that serves the symbol. */
  predictModels(request: PredictModelsRequest): Promise<ModelsResult>;
  /** With several workers, `summary.workers` says how many took part. */
  predictBatch(request: PredictBatchRequest): Promise<BatchResult & { summary: { workers: number } }>;
  predictSector(request: PredictSectorRequest): Promise<SectorResult>;
  risk(request: RiskRequest): Promise<RiskReport>;
  optimizePortfolio(request: OptimizeRequest): Promise<PortfolioReport>;
  riskBatch(request: RiskBatchRequest): Promise<RiskBatchResult>;
  history(request: string | string[] | ({ symbols: string | string[] } & CallOptions)): Promise<HistoryResult>;
  pastMonthReturn(symbol: string, options?: CallOptions): Promise<PastMonthReturn>;
  /** A factor model's prediction (stockcast-factors.wasm is fetched inside the worker on the first call). */
  predictFactors(request: PredictFactorsRequest): Promise<FactorPrediction>;
  /** Every factor model of the manifest: kind, target, feature ranges, test-year metrics. */
  models(options?: CallOptions): Promise<FactorModelInfo[]>;
  /** Runs in the worker that owns `name` (the one predict({symbol: name}) asks); onProgress is
   * called on this side for every epoch. */
  fineTune(request: FineTuneRequest): Promise<FineTuneResult>;
  userModels(options?: CallOptions): Promise<Array<{ name: string; file: string; sha256: string; bytes: Uint8Array; metrics: FineTuneMetrics }>>;
  /** Counters summed over the workers; each worker's own stats under `workers`. */
  stats(): Promise<Stats & { workers: Stats[] }>;
  /** The first worker's health; each worker's own under `workers` (breakers are per worker). */
  health(): Promise<Health & { workers: Health[] }>;
  clearCache(symbol?: string): Promise<void>;
  /** Disposes the instance in the worker and terminates the worker if the client created it. */
  dispose(): Promise<void>;
}

export declare function createStockcastWorker(options?: StockcastWorkerOptions): Promise<StockcastWorker>;
