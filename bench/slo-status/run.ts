// Benchmark of `marketbench slo status`: how long evaluateSlos takes (one ClickHouse query per
// SLO, every window at once) over N synthetic server spans in embedded chDB, and how fast a
// drill can replay the checkout page step by step. Bounded: N rows (default 500k), 5 repeats.
// Usage: node bench/slo-status/run.ts [rows]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ATTR, OTEL_TABLES, ROUTES, SERVICES } from '@marketbench/contracts';
import { evaluateSlo, evaluateSlos, loadSpecs } from '@marketbench/slo-definitions';
import { openStore } from '@marketbench/telemetry-store';

const rows = Number(process.argv[2] ?? 500_000);
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-bench-slo-'));
const store = await openStore({ home });
const routes = [ROUTES.listings, ROUTES.listing, ROUTES.search, ROUTES.seller, ROUTES.checkout];
const end = Date.parse('2026-11-21T12:00:00Z');
const spanMs = (6 * 3600_000) / rows; // spread over the last 6 hours
try {
  const t0 = performance.now();
  for (let i = 0; i < rows; i += 10_000) {
    const batch = [];
    for (let j = i; j < Math.min(rows, i + 10_000); j++) {
      const route = routes[j % routes.length];
      batch.push({
        Timestamp: (BigInt(Math.round(end - j * spanMs)) * 1_000_000n).toString(),
        TraceId: j.toString(16).padStart(32, '0'),
        SpanId: j.toString(16).padStart(16, '0'),
        SpanName: `GET ${route}`,
        SpanKind: 'Server',
        ServiceName: SERVICES.reference,
        SpanAttributes: {
          [ATTR.httpRoute]: route,
          [ATTR.httpMethod]: route === ROUTES.checkout ? 'POST' : 'GET',
          [ATTR.httpStatusCode]: j % 97 === 0 ? '503' : j % 13 === 0 ? '404' : '200',
        },
        Duration: (j % 50) * 10_000_000,
        StatusCode: 'Unset',
      });
    }
    await store.insert(OTEL_TABLES.traces, batch);
  }
  const insertMs = performance.now() - t0;
  const slos = loadSpecs();
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    const s = performance.now();
    await evaluateSlos(store, { at: new Date(end), slos });
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const checkout = slos.find((s) => s.id === 'reference-service-checkout-success')!;
  const steps = 50;
  const s = performance.now();
  for (let k = 0; k < steps; k++) await evaluateSlo(store, checkout, end - k * 1000, 60);
  const stepMs = (performance.now() - s) / steps;
  const table = [
    ['rows (server spans)', String(rows)],
    ['insert (s)', (insertMs / 1000).toFixed(1)],
    [`evaluateSlos, ${slos.length} SLOs, median of 5 (ms)`, times[2].toFixed(0)],
    ['evaluateSlos, slowest of 5 (ms)', times[4].toFixed(0)],
    ['drill replay step, checkout at time scale 60 (ms)', stepMs.toFixed(1)],
  ];
  const w = Math.max(...table.map((r) => r[0].length));
  for (const [k, v] of table) process.stdout.write(`${k.padEnd(w)}  ${v.padStart(8)}\n`);
} finally {
  await store.close();
  fs.rmSync(home, { recursive: true, force: true });
}
