// The one error class of the package. Every failure has a stable `code`; the fields that go
// with each code are plain own properties, so they survive logging and JSON.
//   model_not_found      availableStocks, suggestion
//   insufficient_history required, provided
//   invalid_input        field, reason
//   fetch_failed         url, status (0 = network error), attempts
//   integrity_error      url, expected, actual (SHA-256), detail
//   format_error         detail (the core's fine code, e.g. 'tensor_overlap'), url
//   numerical_error      detail (risk engine)
//   out_of_range         field, value, min, max (a factor input outside the model's range)
//   aborted              (an AbortSignal fired)
//   disposed             (the instance was disposed)
//   not_ready            (predictSync: the manifest, the model or the history is not loaded yet)
export class StockcastError extends Error {
  constructor(code, message, fields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'StockcastError';
    this.code = code;
    for (const [k, v] of Object.entries(fields)) if (k !== 'cause' && v !== undefined) this[k] = v;
  }

  toJSON() {
    const out = { name: this.name, code: this.code, message: this.message };
    for (const [k, v] of Object.entries(this)) if (k !== 'cause' && !(k in out)) out[k] = v;
    return out;
  }

  static fromJSON(o) {
    const { name, code, message, ...fields } = o || {};
    return new StockcastError(code || 'internal_error', message || 'unknown error', fields);
  }
}

export const invalid = (field, reason, message) =>
  new StockcastError('invalid_input', `${field}: ${message || reason}`, { field, reason });

export const abortedError = (signal) =>
  new StockcastError('aborted', 'the operation was aborted', { cause: signal && signal.reason });

// A core error value {ok:false, code, detail, message, field?, required?, provided?} as a
// StockcastError; the core fills the structured fields, nothing is parsed out of messages.
export function coreError(e, extra = {}) {
  const code = e.code || 'internal_error';
  const fields = { detail: e.detail, ...extra };
  const msg = String(e.message || code);
  if (code === 'insufficient_history') {
    Object.assign(fields, { required: e.required, provided: e.provided });
  } else if (code === 'out_of_range') {
    Object.assign(fields, { field: e.field, value: e.value, min: e.min, max: e.max });
  } else if (code === 'invalid_input') {
    fields.field = fields.field || e.field || 'input';
    fields.reason = fields.reason || 'rejected_by_core';
  }
  return new StockcastError(code, msg, fields);
}
