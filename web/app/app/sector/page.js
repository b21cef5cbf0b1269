import { Suspense } from 'react';
import SectorView from '../../components/SectorView';

export const metadata = { title: 'stockcast — sector' };

export default function Page() {
  return (
    <Suspense fallback={<p className="fine">Loading…</p>}>
      <SectorView />
    </Suspense>
  );
}
