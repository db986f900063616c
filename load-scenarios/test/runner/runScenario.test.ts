// runScenario end to end against a real server: abortOnFail stops the run, the knee is found and
// reported, fault schedules reach the admin API (and are cleared at the end), every request
// carries a fresh sampled traceparent and the run-id baggage, and closed-model VUs think.

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { runScenario } from '../../src/runner/runScenario.ts';
import { baseScenario } from '../support/scenarios.ts';
import { startTestServer } from '../support/testServer.ts';

describe('runScenario', () => {
  it('abortOnFail stops the run after delayAbortEval and exits 99', async () => {
    const server = await startTestServer({ status: () => 500 });
    try {
      const t = performance.now();
      const r = await runScenario(
        baseScenario(
          { executor: 'constant-arrival-rate', rate: 20, duration: '10s', preAllocatedVUs: 5 },
          {
            options: {
              scenarios: {
                main: { executor: 'constant-arrival-rate', rate: 20, duration: '10s', preAllocatedVUs: 5 },
              },
              thresholds: {
                http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '1s' }],
              },
            },
          },
        ),
        { target: server.url },
      );
      assert.ok(performance.now() - t < 5000, `ran ${(performance.now() - t) / 1000} s`);
      assert.equal(r.status, 'failed');
      assert.equal(r.exitCode, 99);
      assert.equal(r.thresholds[0].aborted, true);
      assert.match(r.abortReason ?? '', /http_req_failed: rate<0.1 failed/);
    } finally {
      await server.close();
    }
  });

  it('finds the knee: the last good second before p99 broke, and stops there', async () => {
    // /fast answers at once; /slow, which the second executor sends from 2 s on, in 400 ms.
    const server = await startTestServer({ delay: (p) => (p === '/slow' ? 400 : 0) });
    try {
      const t0 = performance.now();
      const r = await runScenario(
        baseScenario(
          { executor: 'constant-vus', vus: 1, duration: '1s' },
          {
            options: {
              scenarios: {
                fast: {
                  executor: 'constant-arrival-rate',
                  rate: 30,
                  duration: '2s',
                  preAllocatedVUs: 20,
                  journeys: ['fast'],
                },
                slow: {
                  executor: 'constant-arrival-rate',
                  rate: 30,
                  duration: '10s',
                  startTime: '2s',
                  preAllocatedVUs: 50,
                  journeys: ['slow'],
                },
              },
              knee: { p99Ms: 200, errorRate: 0.05, consecutiveSeconds: 2 },
            },
            journeys: {
              fast: { weight: 1, steps: [{ name: 'fast', method: 'GET', path: '/fast' }] },
              slow: { weight: 1, steps: [{ name: 'slow', method: 'GET', path: '/slow' }] },
            },
          },
        ),
        { target: server.url },
      );
      assert.ok(r.knee, 'a knee was reported');
      assert.ok(r.knee.elapsedSec <= 3.5, `knee at ${r.knee.elapsedSec} s`);
      assert.ok(r.knee.p99Ms < 200, `knee p99 ${r.knee.p99Ms}`);
      assert.ok(Math.abs(r.knee.targetRate - 30) < 1, `knee target ${r.knee.targetRate}/s`);
      assert.ok(performance.now() - t0 < 8000, 'the run stopped at the knee');
      assert.match(r.abortReason ?? '', /knee found/);
      assert.equal(r.exitCode, 0);
    } finally {
      await server.close();
    }
  });

  it('sends the fault schedule to the admin API with the token, keeps other faults, and clears them at the end', async () => {
    const server = await startTestServer();
    try {
      const r = await runScenario(
        baseScenario(
          { executor: 'constant-arrival-rate', rate: 10, duration: '1500ms', preAllocatedVUs: 2 },
          {
            faults: [
              { at: '200ms', dependency: 'psp', action: 'set', spec: { errorPercent: 50 } },
              {
                at: '400ms',
                dependency: 'db',
                action: 'set',
                spec: { latency: { distribution: 'fixed', ms: 5 } },
              },
              { at: '700ms', dependency: 'psp', action: 'clear' },
            ],
          },
        ),
        { target: server.url, adminToken: 's3cret' },
      );
      const admin = server.seen.filter((s) => s.path === '/admin/faults');
      assert.deepEqual(
        admin.map((s) => [s.method, s.body ? JSON.parse(s.body) : null]),
        [
          ['PUT', { faults: { psp: { errorPercent: 50 } } }],
          [
            'PUT',
            { faults: { psp: { errorPercent: 50 }, db: { latency: { distribution: 'fixed', ms: 5 } } } },
          ],
          ['PUT', { faults: { db: { latency: { distribution: 'fixed', ms: 5 } } } }],
          ['DELETE', null],
        ],
      );
      assert.ok(admin.every((s) => s.headers.authorization === 'Bearer s3cret'));
      assert.deepEqual(
        r.faults.map((f) => [f.dependency, f.action, f.ok]),
        [
          ['psp', 'set', true],
          ['db', 'set', true],
          ['psp', 'clear', true],
        ],
      );
    } finally {
      await server.close();
    }
  });

  it('every request carries a fresh sampled traceparent and the run-id baggage; think time spaces a VU', async () => {
    const server = await startTestServer();
    try {
      const r = await runScenario(
        baseScenario({ executor: 'per-vu-iterations', vus: 1, iterations: 3 }, {}, [
          { name: 'a', method: 'GET', path: '/a', think: { min: '150.5ms', max: '250.5ms' } },
          { name: 'b', method: 'GET', path: '/b' },
        ]),
        { target: server.url, runId: 'run-test-1' },
      );
      assert.equal(r.totals.requests, 6);
      const parents = server.seen.map((s) => String(s.headers.traceparent));
      for (const p of parents) assert.match(p, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      assert.equal(new Set(parents.map((p) => p.slice(3, 35))).size, 6, 'a new trace per request');
      assert.equal(server.seen[0].headers.baggage, 'marketbench.run_id=run-test-1,marketbench.step=a');
      // A step after think time is never counted as starting before its intended time.
      assert.ok((r.metrics.aggregate('http_req_scheduling_lag', {}, r.durationSec)?.min ?? -1) >= 0);
      assert.ok((r.metrics.aggregate('http_req_duration', {}, r.durationSec)?.min ?? -1) >= 0);
      for (let i = 0; i < 6; i += 2) {
        const gap = server.seen[i + 1].at - server.seen[i].at;
        assert.ok(gap >= 150, `think time ${gap} ms`);
      }
    } finally {
      await server.close();
    }
  });
});
