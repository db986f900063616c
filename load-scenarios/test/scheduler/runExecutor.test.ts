// Timing of each executor against a real HTTP server: the open model keeps its schedule when the
// server stalls (and reports the stall in corrected latency), drops iterations when it runs out
// of VUs; closed models keep their VU counts and iteration counts. Bounds are loose on purpose:
// CI is a noisy 2-core machine.

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { runScenario } from '../../src/runner/runScenario.ts';
import { baseScenario } from '../support/scenarios.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // The generator's event loop is blocked, as by a GC pause or a saturated CPU.
  }
}

describe('open model (arrival-rate executors)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('keeps starting iterations on schedule while the server stalls for 1 s, and reports the stall in corrected latency', async () => {
    server.seen.length = 0;
    const t = performance.now();
    server.setStall(t + 1000, t + 2000);
    const r = await runScenario(
      baseScenario({
        executor: 'constant-arrival-rate',
        rate: 50,
        duration: '3s',
        preAllocatedVUs: 10,
        maxVUs: 100,
      }),
      {
        target: server.url,
        seed: 1,
      },
    );
    server.setStall(0, 0);
    // 150 iterations are due; with 100 VUs none has to be dropped.
    assert.equal(r.totals.droppedIterations, 0);
    assert.ok(r.totals.requests >= 148 && r.totals.requests <= 151, `requests ${r.totals.requests}`);
    // Requests kept arriving at the server during the stall: about 50 in that second.
    const during = server.seen.filter((s) => s.at >= t + 1100 && s.at < t + 1900).length;
    assert.ok(during >= 30, `only ${during} requests arrived during the stall`);
    const duration = r.metrics.aggregate('http_req_duration', {}, r.durationSec);
    assert.ok(duration && duration.max >= 850, `max corrected latency ${duration?.max}`);
    const lag = r.metrics.aggregate('http_req_scheduling_lag', {}, r.durationSec);
    assert.ok(lag && lag.percentile(90) < 100, `scheduling lag p90 ${lag?.percentile(90)} ms`);
  });

  it('counts dropped_iterations when every VU is busy, instead of delaying them', async () => {
    const t = performance.now();
    server.setStall(t + 500, t + 1500);
    const r = await runScenario(
      baseScenario({
        executor: 'constant-arrival-rate',
        rate: 50,
        duration: '2s',
        preAllocatedVUs: 5,
        maxVUs: 10,
      }),
      {
        target: server.url,
      },
    );
    server.setStall(0, 0);
    // 50 iterations fall due during the stall; 10 VUs take 10 of them, the rest are dropped.
    assert.ok(
      r.totals.droppedIterations >= 25 && r.totals.droppedIterations <= 45,
      `dropped ${r.totals.droppedIterations}`,
    );
    assert.equal(r.totals.requests + r.totals.droppedIterations, 100);
  });

  it('measures latency from the intended start: a blocked generator shows in corrected latency and lag, not in uncorrected', async () => {
    const t = performance.now();
    const block = setTimeout(() => busyWait(400), 1000);
    const r = await runScenario(
      baseScenario({
        executor: 'constant-arrival-rate',
        rate: 50,
        duration: '2s',
        preAllocatedVUs: 20,
        maxVUs: 100,
      }),
      {
        target: server.url,
      },
    );
    clearTimeout(block);
    assert.ok(performance.now() - t >= 2000);
    const corrected = r.metrics.aggregate('http_req_duration', {}, r.durationSec);
    const uncorrected = r.metrics.aggregate('http_req_duration_uncorrected', {}, r.durationSec);
    const lag = r.metrics.aggregate('http_req_scheduling_lag', {}, r.durationSec);
    assert.ok(corrected && corrected.max >= 300, `corrected max ${corrected?.max}`);
    assert.ok(lag && lag.max >= 300, `lag max ${lag?.max}`);
    assert.ok(
      uncorrected && uncorrected.percentile(75) < 100,
      `uncorrected p75 ${uncorrected?.percentile(75)}`,
    );
    assert.ok(
      corrected.percentile(90) > uncorrected.percentile(90),
      'corrected p90 must exceed uncorrected p90',
    );
  });

  it('ramping-arrival-rate follows the ramp: 0 → 100/s over 2 s starts about 100 iterations, three quarters in the second half', async () => {
    server.seen.length = 0;
    const t = performance.now();
    const r = await runScenario(
      baseScenario({
        executor: 'ramping-arrival-rate',
        startRate: 0,
        stages: [{ duration: '2s', target: 100 }],
        preAllocatedVUs: 20,
        maxVUs: 50,
      }),
      { target: server.url },
    );
    const due = r.totals.requests + r.totals.droppedIterations;
    assert.ok(due >= 99 && due <= 101, `${due} iterations due`);
    const firstHalf = server.seen.filter((s) => s.at < t + 1000).length;
    assert.ok(firstHalf >= 15 && firstHalf <= 35, `first second ${firstHalf} (expected about 25)`);
  });

  it('starts a named scenario at its startTime', async () => {
    server.seen.length = 0;
    const t = performance.now();
    await runScenario(
      baseScenario({
        executor: 'constant-arrival-rate',
        rate: 20,
        duration: '500ms',
        preAllocatedVUs: 2,
        maxVUs: 20,
        startTime: '700ms',
      }),
      {
        target: server.url,
      },
    );
    assert.equal(server.seen.length, 10);
    assert.ok(server.seen[0].at - t >= 650, `first request after ${server.seen[0].at - t} ms`);
  });
});

describe('closed model (VU executors)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ latencyMs: 50 });
  });
  after(() => server.close());

  it('constant-vus keeps exactly N requests in flight for the duration', async () => {
    server.seen.length = 0;
    const r = await runScenario(baseScenario({ executor: 'constant-vus', vus: 3, duration: '1s' }), {
      target: server.url,
    });
    assert.equal(server.maxConcurrent <= 3, true, `max concurrent ${server.maxConcurrent}`);
    // 3 VUs × 1 s / 50 ms ≈ 60 iterations; a slow machine gets fewer, never more.
    assert.ok(r.totals.iterations >= 10 && r.totals.iterations <= 63, `iterations ${r.totals.iterations}`);
  });

  it('per-vu-iterations runs exactly `iterations` per VU', async () => {
    server.seen.length = 0;
    const r = await runScenario(
      baseScenario({ executor: 'per-vu-iterations', vus: 3, iterations: 4 }, {}, [
        { name: 'ping', method: 'GET', path: '/vu/{{vu}}/{{iteration}}' },
      ]),
      { target: server.url },
    );
    assert.equal(r.totals.iterations, 12);
    const perVu = new Map<string, number>();
    for (const s of server.seen) perVu.set(s.path.split('/')[2], (perVu.get(s.path.split('/')[2]) ?? 0) + 1);
    assert.deepEqual([...perVu.values()], [4, 4, 4]);
  });

  it('shared-iterations shares exactly `iterations` among the VUs', async () => {
    server.seen.length = 0;
    const r = await runScenario(baseScenario({ executor: 'shared-iterations', vus: 4, iterations: 10 }), {
      target: server.url,
    });
    assert.equal(r.totals.iterations, 10);
    assert.equal(server.seen.length, 10);
  });

  it('ramping-vus ramps the VU count up to the stage target', async () => {
    const s2 = await startTestServer({ latencyMs: 50 });
    try {
      const r = await runScenario(
        baseScenario({
          executor: 'ramping-vus',
          startVUs: 0,
          stages: [
            { duration: '600ms', target: 4 },
            { duration: '600ms', target: 4 },
          ],
        }),
        { target: s2.url },
      );
      assert.equal(s2.maxConcurrent, 4);
      assert.ok(r.totals.iterations > 20, `iterations ${r.totals.iterations}`);
    } finally {
      await s2.close();
    }
  });

  it('interrupts iterations still running gracefulStop after the end', async () => {
    const slow = await startTestServer({ latencyMs: 3000 });
    try {
      const t = performance.now();
      const r = await runScenario(
        baseScenario({ executor: 'constant-vus', vus: 2, duration: '200ms', gracefulStop: '100ms' }),
        { target: slow.url },
      );
      assert.ok(performance.now() - t < 2000, 'the run waited for the slow responses');
      assert.equal(r.totals.interruptedIterations, 2);
      assert.equal(r.totals.iterations, 0);
      // The two requests were sent: they count (requests sent = rows = server spans) as failed,
      // but their cut-short latency is not a latency sample.
      assert.equal(r.totals.requests, 2);
      assert.equal(r.metrics.aggregate('http_req_failed', {}, r.durationSec)?.rate, 1);
      assert.equal(r.metrics.aggregate('http_req_duration', {}, r.durationSec)?.count ?? 0, 0);
    } finally {
      await slow.close();
    }
  });
});
