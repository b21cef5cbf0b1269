export const metadata = { title: 'stockcast + Next.js', description: 'NSE forecasts computed in the browser by WebAssembly' };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720, margin: '40px auto', padding: '0 16px', color: '#1d2330' }}>
        {children}
      </body>
    </html>
  );
}
