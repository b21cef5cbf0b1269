// The shell of every view (a server component): header, navigation, the model cache panel. The
// stockcast instance (a Web Worker) lives in StockcastProvider, a client component mounted once
// here, so moving between views keeps the worker, its models and its caches.
import 'uplot/dist/uPlot.min.css';
import './globals.css';
import Shell from '../components/Shell';

export const metadata = {
  title: 'stockcast — NSE forecasts in your browser',
  description: 'NSE stock forecasts and risk, computed in the browser by WebAssembly in a Web Worker: no prediction server.',
};

export const viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>
        <Shell>{children}</Shell>
      </body>
    </html>
  );
}
