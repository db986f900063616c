// What any trace viewer draws from a real run, checked on ClickHouse: a short marketplace-day
// through the embedded stack with an injected PSP fault (503s and timeouts), the generator's
// client spans on. Every trace has exactly one root, the generator's span; no span misses its
// parent; every child lies inside its parent (links, i.e. follows-from children, exempt); every
// failed HTTP client span is Error with error.type and a status message (HTTP semantic
// conventions); and the queries a ClickHouse trace plugin runs (error rate by SpanKind, top
// errors by StatusMessage, service-map edges from client to server spans) show the injected
// failures, in the numbers the PSP side counted.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ATTR, ROUTES, SERVICES } from '@marketbench/contracts';
import { BUILTIN_SCENARIOS, type RunResult, runScenario } from '@marketbench/load-scenarios';
import { startStack } from '../../src/stack/startStack.ts';
import type { Stack } from '../../src/stack/types.ts';

let home: string;
let stack: Stack;
let run: RunResult;

const attr = (key: string) => `SpanAttributes['${key}']`;
const endNs = (t: string) => `(toUnixTimestamp64Nano(${t}.Timestamp) + ${t}.Duration)`;
const num = (v: unknown) => Number(v);

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-trace-tree-'));
  stack = await startStack({ home, ingestPort: 0, servicePort: 0 });
  const day = BUILTIN_SCENARIOS['marketplace-day'];
  run = await runScenario(
    {
      ...day,
      options: { ...day.options, thresholds: {} },
      // Payment attempts fail at the PSP (503) or outlast the 1 s attempt timeout; then it recovers.
      // Times are the day's (240 s), scaled with it to the 20 s run: set at 2 s, cleared at 16 s.
      faults: [
        {
          at: '24s',
          dependency: 'psp',
          action: 'set',
          spec: { errorPercent: 30, latency: { distribution: 'fixed', ms: 1_500, percent: 15 } },
        },
        { at: '192s', dependency: 'psp', action: 'clear' },
      ],
    },
    {
      target: stack.serviceUrl,
      store: stack.store,
      adminToken: stack.adminToken,
      seed: 15,
      overrides: { rate: 40, duration: '20s' },
      isolate: true,
      clientSpans: { url: `${stack.ingest.url}/v1/traces` },
    },
  );
  await stack.flushTelemetry();
});

after(async () => {
  await stack?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

test('the run sent requests and the fault was injected', () => {
  assert.ok(run.totals.requests > 300, `${run.totals.requests} requests`);
  assert.ok(
    run.faults.some((f) => f.action === 'set' && f.ok),
    JSON.stringify(run.faults),
  );
  assert.equal(run.clientSpans?.recorded, run.totals.requests, 'one client span per request sent');
  assert.equal(run.clientSpans?.exported, run.totals.requests, 'and every one exported');
});

test('every trace of the run has exactly one root, the generator span; no span misses its parent', async () => {
  const traces = await stack.store.query<{ traces: number; oneRoot: number; generatorRoot: number }>(
    `SELECT count() AS traces, countIf(roots = 1) AS oneRoot, countIf(roots = 1 AND rootIsGenerator) AS generatorRoot
       FROM (SELECT TraceId, countIf(ParentSpanId = '') AS roots,
                    maxIf(ServiceName = {load:String} AND SpanKind = 'Client', ParentSpanId = '') AS rootIsGenerator
               FROM otel_traces
              WHERE TraceId IN (SELECT TraceId FROM otel_traces WHERE ${attr(ATTR.runId)} = {run:String})
              GROUP BY TraceId)`,
    { load: SERVICES.load, run: run.runId },
  );
  assert.equal(num(traces[0].traces), run.totals.requests, 'one trace per request');
  assert.equal(num(traces[0].oneRoot), run.totals.requests);
  assert.equal(num(traces[0].generatorRoot), run.totals.requests);

  // Anywhere in the store: a span whose parent is not in its trace is a "missing parent" in a viewer.
  const orphans = await stack.store.query<{ SpanName: string; ServiceName: string }>(
    `SELECT c.SpanName AS SpanName, c.ServiceName AS ServiceName FROM otel_traces AS c
       LEFT ANTI JOIN otel_traces AS p ON p.TraceId = c.TraceId AND p.SpanId = c.ParentSpanId
      WHERE c.ParentSpanId != '' LIMIT 5`,
  );
  assert.deepEqual(orphans, []);
  // Every trace in the store, load or not, has exactly one root.
  const [split] = await stack.store.query<{ n: number }>(
    `SELECT count() AS n FROM (SELECT TraceId FROM otel_traces GROUP BY TraceId HAVING countIf(ParentSpanId = '') != 1)`,
  );
  assert.equal(num(split.n), 0);
  // Roots that are not the generator's are not load: the runner's admin calls (the fault
  // schedule) and the service's background work, never a request of the run.
  const otherRoots = await stack.store.query<{ root: string }>(
    `SELECT DISTINCT concat(SpanKind, ' ', SpanName) AS root FROM otel_traces
      WHERE ParentSpanId = '' AND ServiceName != {load:String}
        AND (${attr(ATTR.runId)} != '' OR (SpanKind = 'Server' AND ${attr(ATTR.httpRoute)} != {admin:String}))`,
    { load: SERVICES.load, admin: ROUTES.adminFaults },
  );
  assert.deepEqual(otherRoots, []);
});

test('every child lies inside its parent (one clock); follows-from and abandoned calls exempt', async () => {
  // Exempt: a child linked to its parent (follows-from: the outbox publish, the consumer) and the
  // server span of a call its client abandoned (client span error.type timeout): the server kept
  // working after the caller stopped waiting, and the trace shows that tail.
  const pairSql = `FROM otel_traces AS c INNER JOIN otel_traces AS p ON p.TraceId = c.TraceId AND p.SpanId = c.ParentSpanId`;
  const exempt = `(has(c.\`Links.SpanId\`, p.SpanId) OR (p.SpanKind = 'Client' AND p.${attr(ATTR.errorType)} = 'timeout'))`;
  const outside = `(c.Timestamp < p.Timestamp OR ${endNs('c')} > ${endNs('p')})`;
  const [pairs] = await stack.store.query<{
    pairs: number;
    exempt: number;
    outside: number;
    startsEarly: number;
  }>(
    `SELECT count() AS pairs, countIf(${exempt}) AS exempt, countIf(NOT ${exempt} AND ${outside}) AS outside,
            countIf(c.Timestamp < p.Timestamp) AS startsEarly ${pairSql}`,
  );
  assert.ok(num(pairs.pairs) > run.totals.requests * 2, `${pairs.pairs} parent/child pairs`);
  const examples = await stack.store.query(
    `SELECT c.SpanName AS child, p.SpanName AS parent,
            toInt64(toUnixTimestamp64Nano(p.Timestamp)) - toInt64(toUnixTimestamp64Nano(c.Timestamp)) AS earlyNs,
            toInt64(${endNs('c')}) - toInt64(${endNs('p')}) AS lateNs
       ${pairSql} WHERE NOT ${exempt} AND ${outside} LIMIT 5`,
  );
  assert.equal(num(pairs.outside), 0, JSON.stringify(examples));
  // Even an exempt child never starts before its parent.
  assert.equal(num(pairs.startsEarly), 0);
});

test('every failed HTTP client span is Error with error.type and a status message', async () => {
  const [c] = await stack.store.query<{
    failed: number;
    notError: number;
    noType: number;
    noMessage: number;
  }>(
    `SELECT count() AS failed, countIf(StatusCode != 'Error') AS notError,
            countIf(${attr(ATTR.errorType)} = '') AS noType, countIf(StatusMessage = '') AS noMessage
       FROM otel_traces
      WHERE SpanKind = 'Client' AND ${attr(ATTR.urlFull)} != ''
        AND (toUInt16OrZero(${attr(ATTR.httpStatusCode)}) >= 400 OR ${attr(ATTR.errorType)} != '')`,
  );
  assert.ok(num(c.failed) > 0, 'the PSP fault failed some outbound calls');
  assert.deepEqual([num(c.notError), num(c.noType), num(c.noMessage)], [0, 0, 0]);
  // And the other way round: no Error span without a reason a viewer can group on.
  const [e] = await stack.store.query<{ n: number }>(
    `SELECT count() AS n FROM otel_traces WHERE StatusCode = 'Error' AND (StatusMessage = '' OR ${attr(ATTR.errorType)} = '')`,
  );
  assert.equal(num(e.n), 0);
});

test('plugin-style queries show the injected PSP errors, in the numbers both sides counted', async () => {
  // The service's only HTTP client spans are its PSP calls (authorizations, lookups, voids...).
  const pspCall = `SpanKind = 'Client' AND ${attr(ATTR.urlFull)} != ''`;
  // The gateway's side: calls answered 503 (the injected error) and calls it timed out.
  const [calls] = await stack.store.query<{ answered503: number; timeouts: number; failed: number }>(
    `SELECT countIf(${attr(ATTR.httpStatusCode)} = '503') AS answered503,
            countIf(${attr(ATTR.errorType)} = 'timeout') AS timeouts,
            countIf(StatusCode = 'Error') AS failed
       FROM otel_traces WHERE ServiceName = {ref:String} AND ${pspCall}`,
    { ref: SERVICES.reference },
  );
  assert.ok(num(calls.answered503) > 0 && num(calls.timeouts) > 0, JSON.stringify(calls));
  // Other failed calls are the resolver's lookups of keys the PSP never saw (404: a client 4xx).
  assert.ok(num(calls.failed) >= num(calls.answered503) + num(calls.timeouts), JSON.stringify(calls));
  // The PSP's side: the same 503s, each under the client span that received it.
  const [psp] = await stack.store.query<{ n: number }>(
    `SELECT count() AS n FROM otel_traces AS s INNER JOIN otel_traces AS c ON c.TraceId = s.TraceId AND c.SpanId = s.ParentSpanId
      WHERE s.ServiceName = {psp:String} AND s.StatusMessage = 'HTTP 503' AND c.${attr(ATTR.httpStatusCode)} = '503'`,
    { psp: SERVICES.psp },
  );
  assert.equal(num(psp.n), num(calls.answered503));

  // Error rate by span kind: the reference service's client kind carries the failed PSP calls.
  const byKind = await stack.store.query<{ kind: string; spans: number; errors: number }>(
    `SELECT SpanKind AS kind, count() AS spans, countIf(StatusCode = 'Error') AS errors
       FROM otel_traces WHERE ServiceName = {ref:String} GROUP BY kind ORDER BY kind`,
    { ref: SERVICES.reference },
  );
  const client = byKind.find((k) => k.kind === 'Client');
  assert.ok(client && num(client.errors) >= num(calls.failed), JSON.stringify(byKind));

  // Top errors by status message: the 503s and the timeouts are named; nothing is blank.
  const top = await stack.store.query<{ service: string; kind: string; message: string; n: number }>(
    `SELECT ServiceName AS service, SpanKind AS kind, StatusMessage AS message, count() AS n FROM otel_traces
      WHERE StatusCode = 'Error' GROUP BY service, kind, message ORDER BY n DESC`,
  );
  const count = (service: string, kind: string, message: string) =>
    num(top.find((t) => t.service === service && t.kind === kind && t.message === message)?.n ?? 0);
  assert.equal(count(SERVICES.reference, 'Client', 'HTTP 503'), num(calls.answered503), JSON.stringify(top));
  assert.equal(
    count(SERVICES.reference, 'Client', 'timeout after 1000 ms'),
    num(calls.timeouts),
    JSON.stringify(top),
  );
  assert.ok(count(SERVICES.psp, 'Server', 'HTTP 503') >= num(calls.answered503), JSON.stringify(top));
  assert.ok(
    top.every((t) => t.message !== ''),
    JSON.stringify(top),
  );

  // Service map: an edge per (client service → server service), from a client span to the server
  // span that is its child; the failed calls are on the reference → PSP edge.
  const edges = await stack.store.query<{ client: string; server: string; calls: number; errors: number }>(
    `SELECT c.ServiceName AS client, s.ServiceName AS server, count() AS calls, countIf(c.StatusCode = 'Error') AS errors
       FROM otel_traces AS s INNER JOIN otel_traces AS c ON c.TraceId = s.TraceId AND c.SpanId = s.ParentSpanId
      WHERE s.SpanKind = 'Server' AND c.SpanKind = 'Client'
      GROUP BY client, server ORDER BY client, server`,
  );
  const edge = (from: string, to: string) => edges.find((e) => e.client === from && e.server === to);
  const loadEdge = edge(SERVICES.load, SERVICES.reference);
  assert.ok(loadEdge, JSON.stringify(edges));
  assert.equal(num(loadEdge.calls), run.totals.requests, 'every request is an edge from the generator');
  const pspEdge = edge(SERVICES.reference, SERVICES.psp);
  assert.ok(pspEdge, JSON.stringify(edges));
  // A timed-out attempt reaches the PSP unless the PSP was too late to even start it: at least the 503s.
  assert.ok(num(pspEdge.errors) >= num(calls.answered503), JSON.stringify(edges));
  assert.ok(num(pspEdge.errors) <= num(calls.failed), JSON.stringify(edges));
});
