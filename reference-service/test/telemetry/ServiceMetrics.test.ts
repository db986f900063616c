// The PSP counter's known label sets exist at zero before the first call, so a burn-rate rule's
// error numerator has a series (and counts the first error) on a service that never failed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { METRICS } from '@marketbench/contracts';
import { Registry } from 'prom-client';
import { ServiceMetrics } from '../../src/telemetry/ServiceMetrics.ts';

test('every PSP operation × outcome is exposed at 0 before any PSP call', async () => {
  const registry = new Registry();
  new ServiceMetrics(registry);
  const text = await registry.metrics();
  for (const operation of ['authorize', 'refund', 'capture', 'lookup', 'void'])
    for (const outcome of ['approved', 'declined', 'error', 'timeout', 'circuit_open', 'voided'])
      assert.match(
        text,
        new RegExp(`^${METRICS.pspRequests}\\{operation="${operation}",outcome="${outcome}"\\} 0$`, 'm'),
      );
});

test('a second ServiceMetrics on the same registry keeps the counts (no reset to zero)', async () => {
  const registry = new Registry();
  const first = new ServiceMetrics(registry);
  first.pspRequests.inc({ operation: 'authorize', outcome: 'timeout' }, 3);
  new ServiceMetrics(registry);
  assert.match(await registry.metrics(), /outcome="timeout"\} 3$/m);
});
