// A server component: it renders the shell; the forecast itself runs in the browser (Forecast is a
// client component that imports stockcast dynamically inside an effect).
import Forecast from './forecast';

export default function Page() {
  return (
    <main>
      <h1>stockcast in Next.js</h1>
      <p>The prediction below is computed in your browser by the stockcast WebAssembly core; the model files come from <code>/models/</code> in this app&apos;s <code>public/</code> folder.</p>
      <Forecast initialSymbol="SCOM" />
    </main>
  );
}
