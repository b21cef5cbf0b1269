// One engine of warm-lib.js in a dedicated worker: {make: [kind, opts]} → {ok, check, threads};
// {run: n} → {ok, ms} (per call, timed inside the worker).
import { makeEngine } from './warm-lib.js';

let engine;
self.onmessage = async ({ data }) => {
  try {
    if (data.make) {
      engine = await makeEngine(...data.make);
      self.postMessage({ ok: true, check: engine.check, threads: engine.threads });
    } else {
      self.postMessage({ ok: true, ms: await engine.run(data.run) });
    }
  } catch (e) {
    self.postMessage({ ok: false, error: String((e && e.stack) || e) });
  }
};
