// `marketbench run` without --target: starts the embedded stack (store, OTLP ingest, the
// instrumented reference service), runs the smoke scenario, flushes telemetry and stops. Every
// request row must join a server span by trace id (the span's parent is the request's span id,
// and it carries the run id from the baggage): at least 99.99% of requests.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanup, run, tempHome } from './runCli.ts';

test('run smoke on the embedded stack: every request row joins a server span by trace id', {
  timeout: 120_000,
}, async (t) => {
  t.after(cleanup);
  const home = tempHome();
  const ports = { MARKETBENCH_PORT: '0', MARKETBENCH_INGEST_PORT: '0' };
  const r = await run(
    ['run', 'smoke', '--duration', '6s', '--rate', '25', '--json', '--seed', '7'],
    home,
    ports,
  );
  // 0 when smoke's thresholds hold; 99 when a busy machine breaks one. Anything else is a failure.
  assert.ok(r.code === 0 || r.code === 99, `exit ${r.code}\n${r.stderr}`);
  const summary = JSON.parse(r.stdout);
  assert.ok(summary.totals.requests > 150, `requests ${summary.totals.requests}`);
  assert.equal(summary.rows.stored, summary.totals.requests);
  const q = await run(
    [
      'query',
      `SELECT count() AS requests,
              uniqExact(r.trace_id) AS traces,
              countIf(s.TraceId != '') AS joined,
              countIf(s.SpanAttributes['marketbench.run_id'] = r.run_id) AS with_run_id
       FROM marketbench_load_requests AS r
       LEFT JOIN (SELECT TraceId, ParentSpanId, SpanAttributes FROM otel_traces WHERE SpanKind = 'Server') AS s
         ON s.TraceId = r.trace_id AND s.ParentSpanId = r.span_id
       WHERE r.run_id = {id:String}`,
      '--param',
      `id=${summary.runId}`,
      '--format',
      'json',
    ],
    home,
  );
  assert.equal(q.code, 0, q.stderr);
  const [row] = JSON.parse(q.stdout) as Array<Record<string, string>>;
  const requests = Number(row.requests);
  assert.equal(requests, summary.totals.requests);
  assert.equal(Number(row.traces), requests, 'every request has its own trace id');
  assert.ok(
    Number(row.joined) / requests >= 0.9999,
    `${row.joined} of ${requests} requests joined a server span`,
  );
  assert.ok(
    Number(row.with_run_id) / requests >= 0.9999,
    `${row.with_run_id} of ${requests} server spans carry the run id`,
  );
});
