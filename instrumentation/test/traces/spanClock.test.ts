// One clock: every child span the process makes (helpers, spans from any tracer of the global
// provider, nested SDK spans) lies inside its ServerSpan parent, to the nanosecond, on the wire.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { trace } from '@opentelemetry/api';
import Fastify from 'fastify';
import { hrTimeOf, SPAN_CLOCK_ORIGIN_MS, toSpanTime, withCacheSpan, withDbSpan } from '../../src/index.ts';
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
  const fromEpoch = toSpanTime(SPAN_CLOCK_ORIGIN_MS + p);
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

// The span clock minus the system's monotonic clock (process.hrtime), in ns, as a thread sees it:
// the same for every process and thread of the machine when they share one span clock.
const OFFSET_PROBE = `
  const { spanNow } = await import(${JSON.stringify(new URL('../../src/traces/spanClock.ts', import.meta.url).href)});
  let best = Infinity, offset = 0n;
  for (let i = 0; i < 200; i++) {
    const a = process.hrtime.bigint(); const t = spanNow(); const b = process.hrtime.bigint();
    if (b - a < best) { best = Number(b - a); offset = BigInt(t[0]) * 1000000000n + BigInt(t[1]) - (a + b) / 2n; }
  }
  const out = String(offset);
`;

test('processes and worker threads share one span clock (a child never starts before its remote parent)', async () => {
  const offsets: Record<string, bigint> = {};
  const inThisProcess = new Function(
    `return (async () => { ${OFFSET_PROBE} return out; })()`,
  ) as () => Promise<string>;
  offsets.main = BigInt(await inThisProcess());
  for (const name of ['worker 1', 'worker 2']) {
    const w = new Worker(
      `(async () => { ${OFFSET_PROBE} require('node:worker_threads').parentPort.postMessage(out); })()`,
      {
        eval: true,
      },
    );
    offsets[name] = BigInt(
      await new Promise<string>((resolve, reject) => w.once('message', resolve).once('error', reject)),
    );
    await w.terminate();
  }
  for (const name of ['process 1', 'process 2']) {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `${OFFSET_PROBE} console.log(out);`],
      {
        encoding: 'utf8',
      },
    );
    offsets[name] = BigInt(out.trim());
  }
  // performance.timeOrigin + performance.now() differed by 30-175 µs between threads here.
  const values = Object.values(offsets);
  const spreadNs = Number(
    values.reduce((a, b) => (b > a ? b : a)) - values.reduce((a, b) => (b < a ? b : a)),
  );
  const shown = Object.entries(offsets).map(([k, v]) => `${k} ${Number(v - offsets.main)} ns`);
  assert.ok(spreadNs <= 20_000, `span clocks differ by ${spreadNs} ns: ${shown.join(', ')}`);
});
