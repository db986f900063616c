// Worker threads: each runs a share of every executor; the main thread merges their metrics
// (HDR histograms included) and live counters.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runScenario } from '../../src/runner/runScenario.ts';
import { baseScenario } from '../support/scenarios.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('runScenario with worker threads', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ latencyMs: 2 });
  });
  after(() => server.close());

  it('splits an arrival rate across two workers and merges their metrics', async () => {
    server.seen.length = 0;
    const r = await runScenario(
      baseScenario(
        { executor: 'constant-arrival-rate', rate: 100, duration: '2s', preAllocatedVUs: 10, maxVUs: 200 },
        {},
        [{ name: 'ping', method: 'GET', path: '/vu/{{vu}}' }],
      ),
      { target: server.url, workers: 2 },
    );
    assert.equal(r.totals.requests, 200);
    assert.equal(server.seen.length, 200);
    const duration = r.metrics.aggregate('http_req_duration', { name: 'ping' }, r.durationSec);
    assert.equal(duration?.count, 200);
    assert.ok((duration?.percentile(50) ?? 0) >= 2, `p50 ${duration?.percentile(50)}`);
    // VU ids interleave across workers (odd in one, even in the other), so both ran.
    const vus = new Set(server.seen.map((s) => Number(s.path.split('/')[2])));
    assert.ok([...vus].some((v) => v % 2 === 1) && [...vus].some((v) => v % 2 === 0), `VU ids ${[...vus]}`);
    assert.ok(
      r.samples.some((s) => s.requestRate > 50),
      'live counters reached the sampler',
    );
  });

  it('per-vu-iterations over three workers still runs exactly vus × iterations', async () => {
    const r = await runScenario(baseScenario({ executor: 'per-vu-iterations', vus: 5, iterations: 4 }), {
      target: server.url,
      workers: 3,
    });
    assert.equal(r.totals.iterations, 20);
  });
  it('isolate runs a single engine in a worker thread, unaffected by a blocked main event loop', async () => {
    const block = setTimeout(() => {
      const end = Date.now() + 500;
      while (Date.now() < end) {
        // the main thread is busy (as with a synchronous chDB query in the same process)
      }
    }, 700);
    const r = await runScenario(
      baseScenario({
        executor: 'constant-arrival-rate',
        rate: 50,
        duration: '2s',
        preAllocatedVUs: 10,
        maxVUs: 100,
      }),
      {
        target: server.url,
        isolate: true,
      },
    );
    clearTimeout(block);
    assert.equal(r.totals.requests, 100);
    const lag = r.metrics.aggregate('http_req_scheduling_lag', {}, r.durationSec);
    assert.ok(
      lag && lag.max < 300,
      `scheduling lag max ${lag?.max} ms: the worker was held up by the main thread`,
    );
  });
});
