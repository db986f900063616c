// Custom metrics (k6's Counter, Rate, Trend, Gauge) fed by steps' `record`, and thresholds on them
// and on executor tags, across two named scenarios.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from '../../src/runner/runScenario.ts';
import { startTestServer } from '../support/testServer.ts';

test('custom metrics and tag-filtered thresholds across two named scenarios', async () => {
  const server = await startTestServer({
    body: (p) => ({ size: p === '/big' ? 10 : 2, ok: true }),
    status: (p) => (p === '/bad' ? 503 : 200),
  });
  try {
    const r = await runScenario(
      {
        apiVersion: 'marketbench/v1',
        name: 'custom',
        description: 'custom metrics',
        options: {
          scenarios: {
            buyers: {
              executor: 'shared-iterations',
              vus: 2,
              iterations: 6,
              tags: { team: 'payments' },
              journeys: ['buy'],
            },
            broken: {
              executor: 'per-vu-iterations',
              vus: 1,
              iterations: 2,
              startTime: '100ms',
              journeys: ['bad'],
            },
          },
          thresholds: {
            orders: ['count==6'],
            order_ok: ['rate==1'],
            'cart_size{team:payments}': ['value==10'],
            order_ms: ['p(99)<5000', 'min>=0'],
            'http_req_failed{team:payments}': ['rate==0'],
            'http_req_failed{scenario:broken}': ['rate==1'],
            'checks{check:has size}': ['rate==1'],
          },
        },
        metrics: { orders: 'counter', order_ok: 'rate', order_ms: 'trend', cart_size: 'gauge' },
        journeys: {
          buy: {
            weight: 1,
            steps: [
              {
                name: 'buy',
                method: 'POST',
                path: '/big',
                body: { qty: 1 },
                checks: { 'has size': { jsonPath: 'size' } },
                record: [
                  { metric: 'orders', value: 1 },
                  { metric: 'order_ok', value: 'ok' },
                  { metric: 'order_ms', value: 'duration' },
                  { metric: 'cart_size', value: 'json:size' },
                ],
              },
            ],
          },
          bad: { weight: 1, steps: [{ name: 'bad', method: 'GET', path: '/bad' }] },
        },
      },
      { target: server.url },
    );
    const failed = r.thresholds.filter((t) => !t.ok);
    assert.deepEqual(failed, []);
    assert.equal(r.thresholds.length, 8);
    assert.equal(r.exitCode, 0);
    assert.equal(r.metrics.aggregate('orders', {}, r.durationSec)?.count, 6);
    assert.equal(r.metrics.aggregate('http_reqs', { scenario: 'broken' }, r.durationSec)?.count, 2);
  } finally {
    await server.close();
  }
});
