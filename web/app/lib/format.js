// Number formatting shared by the views.
const finite = (x) => typeof x === 'number' && Number.isFinite(x);
export const fmtPrice = (x) => (finite(x) ? x.toFixed(2) : '—');
export const fmtPct = (x, d = 2) => (finite(x) ? `${(x * 100).toFixed(d)} %` : '—');
export const fmtSignedPct = (x, d = 2) => (finite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(d)} %` : '—');
export const fmtMape = (x) => (finite(x) ? `${x.toFixed(2)} %` : '—');
export const fmtNum = (x, d = 4) => (finite(x) ? x.toFixed(d) : '—');
export const fmtBytes = (n) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
export const signClass = (x) => (x > 0 ? 'good' : x < 0 ? 'bad' : '');
export const METHOD_NAMES = { equal_weight: 'Equal weight', min_variance: 'Minimum variance', max_sharpe: 'Maximum Sharpe', risk_parity: 'Risk parity' };
