import { Suspense } from 'react';
import FactorsView from '../../components/FactorsView';

export const metadata = { title: 'stockcast — factor models' };

export default function Page() {
  return (
    <Suspense fallback={<p className="fine">Loading…</p>}>
      <FactorsView />
    </Suspense>
  );
}
