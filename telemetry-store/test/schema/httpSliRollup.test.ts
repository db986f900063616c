// The HTTP SLI rollup buckets durations with the http.server.request.duration histogram's
// boundaries; SLO latency thresholds are checked against the instrumentation's list, so the two
// must stay equal (a change there needs a new migration here).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HTTP_DURATION_BUCKETS } from '@marketbench/contracts';
import { HTTP_SLI_BUCKETS } from '../../src/schema/httpSliRollup.ts';

test('the rollup’s latency buckets are the HTTP duration histogram’s', () => {
  assert.deepEqual([...HTTP_SLI_BUCKETS], [...HTTP_DURATION_BUCKETS]);
});
