import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateThresholds } from '../../src/spec/validateThresholds.ts';
import { baseSlo, baseSpecFile } from '../factories.ts';

const latency = (threshold: string) =>
  baseSpecFile([baseSlo({ indicator: { httpLatency: { routeGroup: 'item', threshold } } })]);

test('a threshold on a bucket bound of the instrumentation histogram is accepted', () => {
  assert.deepEqual(validateThresholds(latency('250ms'), 'x.yaml'), []);
  assert.deepEqual(validateThresholds(latency('1s'), 'x.yaml'), []);
});

test('a threshold between bounds is MB_ERR_SLO_BAD_THRESHOLD at the threshold field', () => {
  const [err] = validateThresholds(latency('300ms'), 'x.yaml');
  assert.equal(err.code, 'MB_ERR_SLO_BAD_THRESHOLD');
  assert.equal(err.path, '/spec/slos/0/indicator/httpLatency/threshold');
  assert.match(
    err.message,
    /300ms is not a bucket bound of http_server_request_duration_seconds \(.*250ms, 500ms/,
  );
  assert.deepEqual(validateThresholds(latency('300ms'), 'x.yaml', [0.1, 0.3]), []);
});
