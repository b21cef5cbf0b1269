// Predicts and computes a risk report on the page and in a Web Worker, with the package as
// published (/pkg/ is scripts/build-web.sh's output), and leaves the results in window.__result.
import { createStockcast } from './pkg/index.js';
import { createStockcastWorker } from './pkg/worker-client.js';

const violations = (window.__violations = []);
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective}: ${e.blockedURI}`));

const pick = (p) => ({ symbol: p.symbol, horizon: p.horizon, currentPrice: p.currentPrice, predictedPrice: p.predictedPrice, interval: p.interval,
  expectedReturn: p.expectedReturn, logReturn: p.logReturn, direction: p.direction, probabilities: p.probabilities, modelType: p.modelType });
const pickRisk = (r) => ({ risk_score: r.risk_score, volatility: r.volatility, var: r.var, drawdown: r.drawdown, market: r.market, indicators: r.indicators });

try {
  const sc = await createStockcast({ baseUrl: '/models/' });
  const page = { prediction: pick(await sc.predict({ symbol: 'SCOM', horizon: '10d' })), risk: pickRisk(await sc.risk({ symbol: 'SCOM' })) };
  sc.dispose();
  const w = await createStockcastWorker({ baseUrl: '/models/' });
  const worker = { prediction: pick(await w.predict({ symbol: 'SCOM', horizon: '10d' })), risk: pickRisk(await w.risk({ symbol: 'SCOM' })) };
  await w.dispose();
  window.__result = { page, worker };
} catch (e) {
  window.__result = { error: String((e && e.stack) || e) };
}
document.getElementById('out').textContent = JSON.stringify(window.__result, null, 1);
