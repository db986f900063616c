import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aggregationFits,
  compare,
  parseMetricKey,
  parseThresholdExpression,
} from '../../src/thresholds/parseThreshold.ts';

describe('parseThresholdExpression', () => {
  it('parses k6 expressions', () => {
    assert.deepEqual(parseThresholdExpression('p(99)<300'), {
      source: 'p(99)<300',
      aggregation: 'p',
      percentile: 99,
      operator: '<',
      value: 300,
    });
    assert.deepEqual(parseThresholdExpression(' p(99.9) <= 1.5 '), {
      source: ' p(99.9) <= 1.5 ',
      aggregation: 'p',
      percentile: 99.9,
      operator: '<=',
      value: 1.5,
    });
    assert.equal((parseThresholdExpression('rate<0.01') as { aggregation: string }).aggregation, 'rate');
    assert.equal((parseThresholdExpression('count>=10') as { operator: string }).operator, '>=');
    assert.equal((parseThresholdExpression('avg===5') as { operator: string }).operator, '===');
    assert.equal((parseThresholdExpression('value!=0') as { value: number }).value, 0);
  });

  it('rejects what k6 rejects, with a message', () => {
    for (const bad of ['p99<300', 'p(101)<1', 'rate<', 'avg 300', 'mean<3', 'p(99)<<3', 'rate<abc']) {
      assert.equal(typeof parseThresholdExpression(bad), 'string', bad);
    }
  });
});

describe('parseMetricKey', () => {
  it('reads the metric and its tag filter', () => {
    assert.deepEqual(parseMetricKey('http_req_duration{name:checkout}'), {
      source: 'http_req_duration{name:checkout}',
      metric: 'http_req_duration',
      filter: { name: 'checkout' },
    });
    assert.deepEqual(
      (parseMetricKey('http_req_failed{scenario:rush, expected_response:true}') as { filter: unknown })
        .filter,
      {
        scenario: 'rush',
        expected_response: 'true',
      },
    );
    assert.deepEqual((parseMetricKey('checks') as { filter: unknown }).filter, {});
  });
  it('rejects malformed keys', () => {
    assert.equal(typeof parseMetricKey('http req'), 'string');
    assert.equal(typeof parseMetricKey('http_req_duration{name}'), 'string');
  });
});

describe('aggregationFits and compare', () => {
  it('allows only the aggregations of the metric type', () => {
    const p = parseThresholdExpression('p(95)<1') as Exclude<
      ReturnType<typeof parseThresholdExpression>,
      string
    >;
    const rate = parseThresholdExpression('rate<1') as typeof p;
    assert.equal(aggregationFits('trend', p), true);
    assert.equal(aggregationFits('rate', p), false);
    assert.equal(aggregationFits('counter', rate), true);
    assert.equal(aggregationFits('gauge', rate), false);
  });
  it('compares', () => {
    assert.equal(compare(1, '<', 2), true);
    assert.equal(compare(2, '<', 2), false);
    assert.equal(compare(2, '<=', 2), true);
    assert.equal(compare(3, '!=', 2), true);
    assert.equal(compare(2, '==', 2), true);
  });
});
