'use client';
// A StockcastError as a helpful sentence, with its code; an unknown symbol offers its suggestion.
export function describe(e) {
  const code = (e && e.code) || 'error';
  switch (code) {
    case 'model_not_found':
      if (e.availableModels) // a factor model's name (predictFactors)
        return { code, text: e.message, suggestion: e.suggestion };
      return {
        code,
        text: `No model knows the symbol ${e.symbol ?? ''}.`,
        suggestion: e.suggestion,
        tail: e.availableStocks ? `${e.availableStocks.length} symbols are available.` : '',
      };
    case 'insufficient_history':
      return { code, text: `Not enough price history: ${e.provided ?? '?'} closes, the model needs ${e.required ?? '?'}.` };
    case 'out_of_range': {
      const name = String(e.field || 'a value').replace(/^features\./, '');
      const g = (x) => (typeof x === 'number' ? String(Number(x.toPrecision(4))) : '?');
      return { code, text: `${name} = ${g(e.value)} is outside this model's valid range ${g(e.min)} … ${g(e.max)}.` };
    }
    case 'invalid_input':
      return { code, text: `Invalid input${e.field ? ` in ${e.field}` : ''}: ${e.message}` };
    case 'fetch_failed':
      return {
        code,
        text: `The model server is not answering: ${e.url || 'a file'} (HTTP ${e.status || 'no answer'}, ${e.attempts ?? 1} attempt(s)), and no cached copy is available. Visit once while the model server is up to use the site offline.`,
      };
    case 'unsupported':
      return { code, text: `Not available in this build: ${e.message}` };
    case 'integrity_error':
      return { code, text: `A downloaded file failed its SHA-256 check (${e.url || ''}); it was not used.` };
    default:
      return { code, text: e && e.message ? e.message : String(e) };
  }
}

export default function ErrorMessage({ error, context, onSuggest, id }) {
  if (!error) return null;
  const d = describe(error);
  return (
    <div id={id} className="message" role="alert" data-code={d.code}>
      {context && <b>{context} — </b>}
      {d.text}
      {d.suggestion && (
        <>
          {' '}Did you mean{' '}
          <button type="button" className="linklike" data-symbol={d.suggestion} onClick={() => onSuggest && onSuggest(d.suggestion)}>
            {d.suggestion}
          </button>
          ?
        </>
      )}
      {d.tail && ` ${d.tail}`} <code className="code">{d.code}</code>
    </div>
  );
}
