#!/usr/bin/env node
// Writes the recent daily prices of every stock (and the NSE All-Share Index) next to the
// models, so the browser package can forecast without the caller supplying history:
//   models/history/<SYMBOL>.json      {symbol, name, sector, source, rows: [{date, close, low, high, volume}], events}
//   models/history/index/NASI.json    the market index (for beta / correlation in risk reports)
//   models/history/index.json         {generated_from, rows, symbols: {SYMBOL: {from, to, rows}}}
// Usage: node scripts/export-history.mjs [--rows 300] [--data models/data/nse] [--out models/history]
// Deterministic: the same data gives byte-identical files (no timestamps).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const rows = Number(opt('--rows', '300'));
const data = path.resolve(root, opt('--data', 'models/data/nse'));
const out = path.resolve(root, opt('--out', 'models/history'));
if (!Number.isInteger(rows) || rows < 2) throw new Error('--rows must be an integer >= 2');

function readCsv(file) {
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const head = lines[0].split(',');
  return lines.slice(1).map((line) => {
    // symbols.csv has a free-text last column that may hold commas: split only as many as the header.
    const parts = line.split(',');
    const rec = {};
    head.forEach((h, i) => (rec[h] = i === head.length - 1 ? parts.slice(i).join(',') : parts[i]));
    return rec;
  });
}

function series(file) {
  const all = readCsv(file);
  return all.slice(-rows).map((r) => {
    const close = Number(r.close);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(r.date) || !(close > 0)) throw new Error(`${file}: bad row ${JSON.stringify(r)}`);
    const row = { date: r.date, close };
    // The day's range, for the factor features (clv, range_rel) of predictFactors({symbol}).
    if (r.low !== '' && r.low !== undefined && r.high !== '' && r.high !== undefined) (row.low = Number(r.low)), (row.high = Number(r.high));
    if (r.volume !== '' && r.volume !== undefined) row.volume = Number(r.volume);
    return row;
  });
}

const events = readCsv(path.join(data, 'events.csv'));
const symbols = readCsv(path.join(data, 'symbols.csv'));
mkdirSync(path.join(out, 'index'), { recursive: true });
const index = { generated_from: 'models/data/nse (see its README and LICENSE)', rows, symbols: {} };
for (const s of symbols) {
  const r = series(path.join(data, 'prices', `${s.symbol}.csv`));
  const from = r[0].date;
  const ev = events
    .filter((e) => e.symbol === s.symbol && e.date >= from)
    .map((e) => ({ date: e.date, log_return: Number(e.log_return), note: e.note }));
  const doc = { symbol: s.symbol, name: s.name, sector: s.sector, source: 'NSE daily closes (models/data/nse)', rows: r, events: ev };
  writeFileSync(path.join(out, `${s.symbol}.json`), JSON.stringify(doc) + '\n');
  index.symbols[s.symbol] = { from, to: r[r.length - 1].date, rows: r.length };
}
const nasi = series(path.join(data, 'indices', 'NASI.csv')).map(({ date, close }) => ({ date, close }));
writeFileSync(path.join(out, 'index', 'NASI.json'),
  JSON.stringify({ symbol: 'NASI', name: 'NSE All-Share Index', source: 'NSE (models/data/nse/indices)', rows: nasi }) + '\n');
writeFileSync(path.join(out, 'index.json'), JSON.stringify(index, null, 1) + '\n');
console.log(`wrote ${symbols.length} histories (+ NASI) of up to ${rows} rows to ${path.relative(root, out) || out}`);
