// Seeds a fresh SQLite catalog of N listings and prints the time, the peak RSS and the file size:
//   node bench/reference-service/seed.ts [items=100000] [seed=42]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlite } from '@marketbench/reference-service';

const items = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 42);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-seed-bench-'));
const file = path.join(dir, 'catalog.sqlite');
try {
  const started = performance.now();
  const { db, report } = openSqlite(file, items, seed);
  const seconds = (performance.now() - started) / 1000;
  const probe = performance.now();
  db.prepare('SELECT * FROM listings WHERE id = ?').get(Math.ceil(items / 2));
  const hits = db.prepare("SELECT count(*) AS n FROM listings_fts WHERE listings_fts MATCH 'nike'").get() as {
    n: number;
  };
  const probeMs = performance.now() - probe;
  db.close();
  const bytes = fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  const row = {
    items,
    seconds: seconds.toFixed(1),
    rowsPerSecond: Math.round(items / seconds),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    rssAfterMiB: Math.round(report.rssBytes / 2 ** 20),
    fileMiB: Math.round(bytes / 2 ** 20),
    nikeMatches: hits.n,
    probeMs: probeMs.toFixed(1),
  };
  console.table([row]);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
