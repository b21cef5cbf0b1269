import { Suspense } from 'react';
import StockView from '../components/StockView';

export default function Page() {
  return (
    <Suspense fallback={<p className="fine">Loading…</p>}>
      <StockView />
    </Suspense>
  );
}
