import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScenarioError } from '../../src/errors.ts';
import { formatSaturate, saturate } from '../../src/saturate/saturate.ts';
import { startTestServer } from '../support/testServer.ts';

test('saturate climbs the connection ladder until throughput stops growing, and reports the best step', async () => {
  // 20 ms per request: throughput grows with connections (about 50 req/s per connection).
  const server = await startTestServer({ latencyMs: 20 });
  try {
    const r = await saturate({
      target: server.url,
      path: '/listings/1',
      seconds: 1,
      connections: [1, 4, 16],
      runId: 'sat-1',
    });
    assert.deepEqual(
      r.steps.map((s) => s.connections),
      [1, 4, 16],
    );
    assert.ok(
      r.steps[1].requestsPerSecond > r.steps[0].requestsPerSecond * 2,
      `1→4 connections: ${r.steps.map((s) => s.requestsPerSecond)}`,
    );
    assert.equal(r.best.connections, 16);
    assert.ok(
      server.seen.every((s) => s.path === '/listings/1' && s.headers.baggage === 'marketbench.run_id=sat-1'),
    );
    assert.match(formatSaturate(r), /max throughput: \d+ req\/s at 16 connections/);
  } finally {
    await server.close();
  }
});

test('saturate refuses a non-loopback target', async () => {
  await assert.rejects(
    saturate({ target: 'http://192.168.1.1', path: '/' }),
    (e: unknown) => e instanceof ScenarioError && e.code === 'MB_ERR_SCENARIO_TARGET',
  );
});
