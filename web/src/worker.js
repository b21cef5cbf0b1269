// stockcast/worker.js — the Web Worker script. Load it as a module worker:
//   new Worker(new URL('stockcast/worker.js', import.meta.url), { type: 'module' })
// and talk to it with createStockcastWorker() from 'stockcast/worker-client'.
import { createStockcast } from './index.js';
import { createCacheStorageStore, createMemoryStore } from './stores.js';
import { serve } from './rpc.js';

serve(self, createStockcast, (kind) => (kind === 'cache-storage' ? createCacheStorageStore() : kind === 'memory' ? createMemoryStore() : undefined));
