import { Suspense } from 'react';
import PortfolioView from '../../components/PortfolioView';

export const metadata = { title: 'stockcast — portfolio' };

export default function Page() {
  return (
    <Suspense fallback={<p className="fine">Loading…</p>}>
      <PortfolioView />
    </Suspense>
  );
}
