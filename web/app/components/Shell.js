'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { StockcastProvider, useStockcast } from '../lib/stockcast';
import CachePanel from './CachePanel';
import HealthPanel from './HealthPanel';
import ServiceWorker from './ServiceWorker';

const VIEWS = [
  ['/', 'Stock'],
  ['/sector', 'Sector'],
  ['/portfolio', 'Portfolio'],
  ['/factors', 'Factors'],
  ['/your-data', 'Your data'],
];

function Status() {
  const { info, error } = useStockcast();
  if (error) return <p id="status" className="status" data-state="error" role="status">Could not start</p>;
  if (!info) return <p id="status" className="status" data-state="starting" role="status">Starting the worker…</p>;
  return (
    <p id="status" className="status" data-state="ready" role="status">
      Ready · {info.totalStocks} stocks, {info.trainedCount} with their own model · data to {info.dataRange ? info.dataRange.to : '?'}
    </p>
  );
}

function Nav() {
  const path = usePathname().replace(/\/$/, '') || '/';
  return (
    <nav className="tabs" aria-label="Views">
      {VIEWS.map(([href, label]) => (
        <Link key={href} href={href} id={`tab-${label.toLowerCase().replace(/ /g, '-')}`} aria-current={path === href ? 'page' : undefined} prefetch={false}>
          {label}
        </Link>
      ))}
    </nav>
  );
}

export default function Shell({ children }) {
  return (
    <StockcastProvider>
      <ServiceWorker />
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <div>
          <h1>stockcast</h1>
          <p className="sub">NSE stock forecasts and risk, computed in this browser tab by WebAssembly in a Web Worker — no prediction server.</p>
        </div>
        <Status />
      </header>
      <Nav />
      <div className="layout">
        <main id="main" className="views" tabIndex={-1}>{children}</main>
        <div className="side">
          <CachePanel />
          <HealthPanel />
        </div>
      </div>
      <footer className="fine">Forecasts are statistical estimates from LSTM and classical factor models trained on NSE daily prices; every error is shown beside the naive “no change” forecast. Not investment advice.</footer>
    </StockcastProvider>
  );
}
