// One clock: every child span the process makes (helpers, spans from any tracer of the global
// provider, nested SDK spans) lies inside its ServerSpan parent, to the nanosecond, on the wire.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trace } from '@opentelemetry/api';
import Fastify from 'fastify';
import { hrTimeOf, toSpanTime, withCacheSpan, withDbSpan } from '../../src/index.ts';
import { waitFor } from '../support/OtlpSink.ts';
import { sinkTelemetry } from '../support/sinkTelemetry.ts';

const t = sinkTelemetry('clock');

test('hrTimeOf is monotonic and exact; toSpanTime reads performance and epoch times alike', () => {
  let prev = hrTimeOf(0);
  for (const p of [0.000001, 0.5, 1, 999.9999999, 1000, 86_400_000.123456]) {
    const t = hrTimeOf(p);
    assert.ok(t[1] >= 0 && t[1] < 1e9, 'nanoseconds in range');
    assert.ok(t[0] > prev[0] || (t[0] === prev[0] && t[1] >= prev[1]), `monotonic at ${p}`);
    prev = t;
  }
  const p = performance.now();
  const fromPerf = toSpanTime(p);
  const fromEpoch = toSpanTime(performance.timeOrigin + p);
  const diffNs = Math.abs((fromPerf[0] - fromEpoch[0]) * 1e9 + fromPerf[1] - fromEpoch[1]);
  assert.ok(diffNs < 1_000, `same instant within 1 µs (got ${diffNs} ns)`);
});

test('every child of a server span, from helpers or any tracer, lies inside its parent', async () => {
  const app = Fastify();
  await app.register(t.telemetry.fastifyPlugin);
  const other = trace.getTracer('some-library');
  app.get('/work/:id', async () => {
    await withDbSpan({ system: 'sqlite', operation: 'SELECT' }, async () => undefined);
    withCacheSpan('get', 'k', () => undefined);
    const lib = other.startSpan('library call');
    const nested = t.telemetry.tracer.startSpan('nested');
    nested.addEvent('tick');
    nested.end();
    lib.end();
    return other.startActiveSpan('last', (s) => {
      s.end();
      return { ok: true };
    });
  });
  await app.ready();
  const requests = 200;
  for (let i = 0; i < requests; i++) assert.equal((await app.inject({ url: `/work/${i}` })).statusCode, 200);
  await app.close();
  await t.telemetry.forceFlush();
  assert.ok(await waitFor(() => t.sink.spans.filter((s) => s.name === 'GET /work/:id').length === requests));
  assert.ok(await waitFor(() => t.sink.spans.length >= requests * 6));
  const byId = new Map(t.sink.spans.map((s) => [s.spanId, s]));
  let pairs = 0;
  const outside: string[] = [];
  for (const s of t.sink.spans) {
    const parent = byId.get(s.parentSpanId);
    if (!parent) continue;
    pairs++;
    if (s.startNs < parent.startNs || s.endNs > parent.endNs) {
      outside.push(
        `${s.name} [${s.startNs}, ${s.endNs}] outside ${parent.name} [${parent.startNs}, ${parent.endNs}]`,
      );
    }
  }
  assert.equal(pairs, requests * 5);
  assert.deepEqual(outside.slice(0, 5), [], `${outside.length} of ${pairs} children outside their parent`);
});
