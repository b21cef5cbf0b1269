'use client';
// One stockcast instance for the whole app, in a Web Worker (stockcast/worker-client), created
// in an effect: the package is never imported during server rendering or the static export.
// Models, manifest and histories are kept in Cache Storage (store: 'cache-storage'), so a
// second visit works with the model server down.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';

const Ctx = createContext(null);
export const useStockcast = () => useContext(Ctx);

export const MODELS = '/models/';
const HISTORY_CACHE = 'stockcast-app-history';

export function StockcastProvider({ children }) {
  const [sc, setSc] = useState(null);
  const [info, setInfo] = useState(null);
  const [error, setError] = useState(null);
  const [stats, setStats] = useState(null);
  const [health, setHealth] = useState(null);
  const [progress, setProgress] = useState(null);
  const downloads = useRef(new Map());

  useEffect(() => {
    let live = true;
    let inst;
    const onProgress = ({ url, loaded, total }) => {
      if (!live) return;
      const m = downloads.current;
      m.set(url, { loaded, total });
      let l = 0;
      let t = 0;
      for (const v of m.values()) {
        l += v.loaded;
        t += v.total || v.loaded;
      }
      const done = [...m.values()].every((v) => v.total && v.loaded >= v.total);
      setProgress({ name: decodeURIComponent(url.split('/').pop()), loaded: l, total: t, done });
      if (done) m.clear();
    };
    (async () => {
      try {
        const { createStockcastWorker } = await import('stockcast/worker-client');
        inst = await createStockcastWorker({ baseUrl: MODELS, store: 'cache-storage', cacheSize: 8, onProgress });
        if (!live) return inst.dispose();
        const a = await inst.available();
        if (!live) return;
        setInfo(a);
        setSc(inst);
      } catch (e) {
        if (live) setError(e);
      }
    })();
    return () => {
      live = false;
      inst?.dispose();
    };
  }, []);

  const refresh = useCallback(async () => {
    if (!sc) return;
    try {
      const [st, h] = await Promise.all([sc.stats(), sc.health()]);
      setStats(st);
      setHealth(h);
    } catch {}
  }, [sc]);

  useEffect(() => {
    if (!sc) return;
    refresh();
    const t = setInterval(refresh, 2000);
    return () => clearInterval(t);
  }, [sc, refresh]);

  // Every call through here refreshes the cache panel when it settles.
  const call = useCallback((fn) => {
    const p = fn(sc);
    p.finally(refresh).catch(() => {});
    return p;
  }, [sc, refresh]);

  return <Ctx.Provider value={{ sc, info, error, stats, health, progress, refresh, call }}>{children}</Ctx.Provider>;
}

// The chart's price history (models/history/<SYM>.json), kept in its own Cache Storage entry for
// offline visits. null when neither the server nor the cache has it (the chart then shows the
// forecast alone).
export async function loadHistory(symbol) {
  const url = new URL(`${MODELS}history/${encodeURIComponent(symbol)}.json`, location.href).href;
  const cache = 'caches' in self ? await caches.open(HISTORY_CACHE).catch(() => null) : null;
  try {
    const r = await fetch(url, { cache: 'no-cache' });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const body = await r.clone().json();
    if (cache) await cache.put(url, r).catch(() => {});
    return body;
  } catch {
    const hit = cache && (await cache.match(url));
    return hit ? hit.json() : null;
  }
}

// Search parameters as state: the URL is the source of truth (deep links), updated in place.
export function setParams(pathname, params, { replace = false } = {}) {
  const s = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v)).replace(/%2C/g, ',')}`)
    .join('&');
  const url = `${pathname}${s ? `?${s}` : ''}`;
  window.history[replace ? 'replaceState' : 'pushState'](null, '', url);
}
