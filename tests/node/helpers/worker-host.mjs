// The Web Worker script's Node stand-in: serves the package API on worker_threads' parentPort
// with the same rpc module the browser worker (web/src/worker.js) uses.
import { parentPort, workerData } from 'node:worker_threads';
import path from 'node:path';

const { serve } = await import(path.join(workerData.dist, 'rpc.js'));
const { createStockcast, createMemoryStore } = await import(path.join(workerData.dist, 'node.js'));
serve(parentPort, createStockcast, (kind) => (kind === 'memory' ? createMemoryStore() : undefined));
