// Persistent stores for model files (keyed by SHA-256) and last-known-good JSON (keyed by URL),
// so a reload works offline. Interface: { get(key) -> Promise<Uint8Array|undefined>,
// put(key, bytes) -> Promise<void>, delete?(key) -> Promise<void> }. Keys are strings:
// a 64-hex SHA-256 for model files, 'url:' + absolute URL for manifests and histories, and for
// fine-tuned models (fineTune) 'user-models' (the JSON list of names) and 'user:' + NAME (JSON:
// its SHA-256, metrics and history).

// In memory (tests, or to share files between instances in one page).
export function createMemoryStore() {
  const map = new Map();
  return {
    kind: 'memory',
    async get(key) {
      const v = map.get(key);
      return v ? v.slice() : undefined;
    },
    async put(key, bytes) {
      map.set(key, new Uint8Array(bytes).slice());
    },
    async delete(key) {
      map.delete(key);
    },
    get size() {
      return map.size;
    },
  };
}

// Browser Cache Storage (window or worker). Entries live under a synthetic origin so they never
// collide with the page's own requests.
export function createCacheStorageStore({ cacheName = 'stockcast-models-v1' } = {}) {
  const keyUrl = (key) => `https://stockcast.invalid/${encodeURIComponent(key)}`;
  let open;
  const cache = () => {
    if (typeof caches === 'undefined') return Promise.resolve(null);
    return (open ||= caches.open(cacheName).catch(() => null));
  };
  return {
    kind: 'cache-storage',
    async get(key) {
      const c = await cache();
      const res = c && (await c.match(keyUrl(key)));
      return res ? new Uint8Array(await res.arrayBuffer()) : undefined;
    },
    async put(key, bytes) {
      const c = await cache();
      if (c) await c.put(keyUrl(key), new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }));
    },
    async delete(key) {
      const c = await cache();
      if (c) await c.delete(keyUrl(key));
    },
  };
}
