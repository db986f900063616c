import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricRegistry } from '../../src/metrics/MetricRegistry.ts';
import {
  abortingThreshold,
  compileThresholds,
  evaluateThresholds,
} from '../../src/thresholds/evaluateThresholds.ts';

function registry(): MetricRegistry {
  const r = new MetricRegistry();
  // 100 checkout requests from 1 to 100 ms, 100 browse requests at 5 ms, 3 checkout failures.
  for (let i = 1; i <= 100; i++) {
    r.add('http_req_duration', 'trend', { name: 'checkout', status: '200' }, i);
    r.add('http_req_failed', 'rate', { name: 'checkout' }, i <= 3);
    r.add('http_reqs', 'counter', { name: 'checkout' }, 1);
  }
  for (let i = 0; i < 100; i++) {
    r.add('http_req_duration', 'trend', { name: 'browse', status: '200' }, 5);
    r.add('http_req_failed', 'rate', { name: 'browse' }, false);
    r.add('http_reqs', 'counter', { name: 'browse' }, 1);
  }
  return r;
}

describe('evaluateThresholds', () => {
  it('applies tag filters and aggregations as k6 does', () => {
    const verdicts = evaluateThresholds(
      registry(),
      compileThresholds({
        'http_req_duration{name:checkout}': ['p(99)<300', 'p(50)<40', 'max<=100', 'avg<50'],
        'http_req_duration{name:browse}': ['med==5'],
        http_req_failed: ['rate<0.01'],
        'http_req_failed{name:browse}': ['rate<0.01'],
        http_reqs: ['count>=200', 'rate>100'],
        'http_req_duration{name:nothing}': ['p(99)<1'],
      }),
      1,
    );
    const get = (metric: string, expression: string) =>
      verdicts.find((v) => v.metric === metric && v.expression === expression);
    assert.equal(get('http_req_duration{name:checkout}', 'p(99)<300')?.ok, true);
    const p50 = get('http_req_duration{name:checkout}', 'p(50)<40');
    assert.equal(p50?.ok, false);
    assert.ok(Math.abs((p50?.observed ?? 0) - 50) < 0.5, `p50 ${p50?.observed}`);
    assert.equal(get('http_req_duration{name:checkout}', 'max<=100')?.ok, true);
    assert.ok(Math.abs((get('http_req_duration{name:checkout}', 'avg<50')?.observed ?? 0) - 50.5) < 1e-9);
    assert.equal(get('http_req_duration{name:browse}', 'med==5')?.ok, true);
    // 3 failures in 200 requests overall: 1.5% > 1%; browse alone has none.
    assert.equal(get('http_req_failed', 'rate<0.01')?.ok, false);
    assert.equal(get('http_req_failed', 'rate<0.01')?.observed, 0.015);
    assert.equal(get('http_req_failed{name:browse}', 'rate<0.01')?.ok, true);
    assert.equal(get('http_reqs', 'count>=200')?.observed, 200);
    assert.equal(get('http_reqs', 'rate>100')?.observed, 200);
    // A filter no sample matches passes with no observation, as in k6.
    assert.deepEqual(get('http_req_duration{name:nothing}', 'p(99)<1'), {
      metric: 'http_req_duration{name:nothing}',
      expression: 'p(99)<1',
      observed: undefined,
      ok: true,
    });
  });

  it('abortOnFail fires only after delayAbortEval', () => {
    const t = compileThresholds({
      http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '10s' }],
    });
    assert.equal(abortingThreshold(registry(), t, 5_000), undefined);
    assert.equal(abortingThreshold(registry(), t, 10_000)?.expression.source, 'rate<0.01');
    const passive = compileThresholds({ http_req_failed: ['rate<0.01'] });
    assert.equal(abortingThreshold(registry(), passive, 60_000), undefined);
  });

  it('merges snapshots from several workers into the same percentiles', () => {
    const a = new MetricRegistry();
    const b = new MetricRegistry();
    for (let i = 1; i <= 50; i++) a.add('http_req_duration', 'trend', { name: 'x' }, i);
    for (let i = 51; i <= 100; i++) b.add('http_req_duration', 'trend', { name: 'x' }, i);
    const merged = new MetricRegistry();
    merged.merge(a.snapshot());
    merged.merge(b.snapshot());
    const agg = merged.aggregate('http_req_duration', {}, 1);
    assert.equal(agg?.count, 100);
    assert.ok(Math.abs((agg?.percentile(99) ?? 0) - 99) < 0.2, `p99 ${agg?.percentile(99)}`);
    assert.equal(agg?.max, 100);
  });
});
