// stockcast/node: the same API; the .wasm is read with fs. baseUrl must be an absolute URL.
export * from './index.js';
