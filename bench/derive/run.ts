// `scenario derive` over 10M server spans in embedded chDB: how long reading the traffic profile
// (counts, the sampled paths, queries, body sizes and sessions) and writing the scenario take,
// with the counts read from the spans (a store a Collector wrote) and from marketbench's per-minute
// rollup. Target: under 10 s. Seeds otel_traces with INSERT ... SELECT FROM numbers() in 1M-row
// batches: 24 h of one service, 12 routes, heavy-tailed item ids, query strings, body sizes, and
// sessions of 5 requests (`session.id`) unless --no-sessions.
//
//   node bench/derive/run.ts [--spans 10000000] [--runs 3] [--home DIR] [--no-sessions]
// With --home the store is kept there and reused when it already holds the spans.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ATTR, OTEL_TABLES } from '@marketbench/contracts';
import { deriveScenario, readTrafficProfile, renderScenario } from '@marketbench/load-scenarios';
import { openStore } from '@marketbench/telemetry-store';

const { values } = parseArgs({
  options: {
    spans: { type: 'string', default: '10000000' },
    runs: { type: 'string', default: '3' },
    home: { type: 'string' },
    'no-sessions': { type: 'boolean', default: false },
  },
});
const SPANS = Number(values.spans);
const RUNS = Number(values.runs);
const SERVICE = 'bench-shop';
const BATCH = 1_000_000;
const end = Date.UTC(2026, 2, 2, 0, 0, 0);
const start = end - 24 * 3600_000;

const ROUTES: [string, string][] = [
  ['GET', '/items/{id}'],
  ['GET', '/items/{id}'],
  ['GET', '/items/{id}'],
  ['GET', '/items/{id}'],
  ['GET', '/items'],
  ['GET', '/items'],
  ['GET', '/search'],
  ['GET', '/search'],
  ['GET', '/sellers/{id}'],
  ['POST', '/carts'],
  ['POST', '/carts/{id}/items'],
  ['POST', '/checkout'],
];

const home = values.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mb-bench-derive-'));
const store = await openStore({ home, owner: true });
const arr = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(',')}]`;
try {
  const [{ n: existing }] = await store.query<{ n: string }>(
    `SELECT count() AS n FROM ${OTEL_TABLES.traces} WHERE ServiceName = '${SERVICE}'`,
  );
  const reuse = values.home !== undefined && Number(existing) === SPANS;
  const stepNs = Math.floor(((end - start) * 1e6) / SPANS);
  const t0 = performance.now();
  for (let offset = 0; offset < (reuse ? 0 : SPANS); offset += BATCH) {
    const n = Math.min(BATCH, SPANS - offset);
    const session = values['no-sessions'] ? '' : `, '${ATTR.sessionId}', toString(intDiv(number, 5))`;
    await store.exec(`INSERT INTO ${OTEL_TABLES.traces} (Timestamp, TraceId, SpanId, SpanName, SpanKind, ServiceName,
      ResourceAttributes, SpanAttributes, Duration, StatusCode)
    SELECT
      fromUnixTimestamp64Nano(toInt64(${BigInt(start) * 1_000_000n}) + toInt64(number) * ${stepNs}) AS Timestamp,
      leftPad(hex(number), 32, '0') AS TraceId,
      leftPad(hex(number), 16, '0') AS SpanId,
      concat(method, ' ', route) AS SpanName,
      'Server' AS SpanKind,
      '${SERVICE}' AS ServiceName,
      map('${ATTR.serviceName}', '${SERVICE}', '${ATTR.deploymentEnvironment}', 'bench') AS ResourceAttributes,
      mapFilter((k, v) -> v != '', map(
        '${ATTR.httpMethod}', method, '${ATTR.httpRoute}', route,
        '${ATTR.urlPath}', replaceOne(route, '{id}', toString(id)),
        '${ATTR.urlQuery}', if(route = '/search', concat('q=term', toString(cityHash64(number, 2) % 200), '&limit=20'), ''),
        '${ATTR.httpRequestBodySize}', if(method = 'POST', toString(200 + cityHash64(number, 3) % 400), ''),
        '${ATTR.httpStatusCode}', status${session})) AS SpanAttributes,
      toUInt64((2 + cityHash64(number, 4) % 40) * 1e6) AS Duration,
      if(status = '500', 'Error', 'Unset') AS StatusCode
    FROM (
      SELECT number,
        arrayElement(${arr(ROUTES.map((r) => r[0]))}, (number % ${ROUTES.length}) + 1) AS method,
        arrayElement(${arr(ROUTES.map((r) => r[1]))}, (number % ${ROUTES.length}) + 1) AS route,
        -- heavy-tailed ids: id k is requested about 1/k as often
        intDiv(1000000, (cityHash64(number, 1) % 1000000) + 1) AS id,
        multiIf(cityHash64(number, 5) % 200 = 0, '500', cityHash64(number, 5) % 20 = 1, '404', method = 'POST', '201', '200') AS status
      FROM numbers(${offset}, ${n})
    )`);
    process.stderr.write(`\rseeded ${offset + n} / ${SPANS} spans`);
  }
  if (!reuse)
    process.stderr.write(`\rseeded ${SPANS} spans in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

  const selection = { service: SERVICE, fromMs: start, toMs: end };
  const rows: { source: string; read: number[]; derive: number[]; spans: number; lines: number }[] = [];
  for (const useRollup of [false, true]) {
    const read: number[] = [];
    const derive: number[] = [];
    let spans = 0;
    let lines = 0;
    let source = '';
    for (let i = 0; i < RUNS; i++) {
      const t1 = performance.now();
      const profile = await readTrafficProfile(store, selection, { useRollup });
      const t2 = performance.now();
      const text = renderScenario(deriveScenario(profile, { speedup: 360 }), 'bench');
      const t3 = performance.now();
      read.push((t2 - t1) / 1000);
      derive.push((t3 - t2) / 1000);
      spans = profile.spans;
      lines = text.split('\n').length;
      source = profile.countSource === 'rollup' ? 'per-minute rollup' : 'spans (a Collector store)';
    }
    rows.push({ source, read, derive, spans, lines });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(
    `\nscenario derive over ${SPANS.toLocaleString('en-US')} server spans (24 h, sessions ${values['no-sessions'] ? 'off' : 'on'}), median of ${RUNS}; load average ${load}\n`,
  );
  console.log(
    '| counts from | spans | read profile (s) | derive + write (s) | total (s) | file lines | target |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const total = median(r.read.map((x, i) => x + r.derive[i]));
    console.log(
      `| ${r.source} | ${r.spans.toLocaleString('en-US')} | ${median(r.read).toFixed(2)} | ${median(r.derive).toFixed(2)} | ${total.toFixed(2)} | ${r.lines.toLocaleString('en-US')} | ${total < 10 ? 'met (< 10 s)' : 'MISSED (< 10 s)'} |`,
    );
  }
} finally {
  await store.close();
  if (values.home === undefined) fs.rmSync(home, { recursive: true, force: true });
}
