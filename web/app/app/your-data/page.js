import { Suspense } from 'react';
import YourDataView from '../../components/YourDataView';

export const metadata = { title: 'stockcast — your data' };

export default function Page() {
  return (
    <Suspense fallback={<p className="fine">Loading…</p>}>
      <YourDataView />
    </Suspense>
  );
}
