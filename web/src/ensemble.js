// The adaptive ensemble and its members' single forecasts (predict({ model: 'ensemble' | a
// member's name })), evaluated by the core in stockcast-ensemble.wasm, fetched with this file on
// the first call. Wired once the ensemble module lands (branch `ensemble`).
import { StockcastError } from './errors.js';

export async function predictEnsemble(ctx, req) {
  throw new StockcastError('unsupported', `this build has no ensemble module (model ${req.served.kind})`, { detail: 'no_ensemble' });
}
