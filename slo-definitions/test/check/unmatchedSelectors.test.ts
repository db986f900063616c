// `slo validate --against-metrics`: selectors that match no series of a real prom-client exposition
// are reported per SLO; those that do are not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HTTP_DURATION_BUCKETS, LABELS, METRICS } from '@marketbench/contracts';
import { Counter, Histogram, Registry } from 'prom-client';
import { unmatchedInExposition } from '../../src/check/unmatchedSelectors.ts';
import { compileSpec } from '../../src/pipeline/compileSpec.ts';

const SPEC = `
apiVersion: marketbench/v1
kind: ServiceLevelObjectives
metadata: { name: my-api }
spec:
  service: my-api
  slos:
    - { name: widgets, description: Widget pages answer., indicator: { httpAvailability: { routes: ['/widgets/:id'] } }, objectives: [{ target: 0.99 }], timeWindow: { duration: 30d, isRolling: true }, budgetingMethod: Occurrences }
    - { name: typo, description: A route that is not served., indicator: { httpAvailability: { routes: ['/widget/:id'] } }, objectives: [{ target: 0.99 }], timeWindow: { duration: 30d, isRolling: true }, budgetingMethod: Occurrences }
    - { name: jobs, description: Jobs finish without failing., indicator: { counterRatio: { metric: my_jobs_total, selector: { queue: default }, badWhen: { outcome: [failed] } } }, objectives: [{ target: 0.99 }], timeWindow: { duration: 30d, isRolling: true }, budgetingMethod: Occurrences }
    - { name: missing-metric, description: A counter nobody exposes., indicator: { counterRatio: { metric: nope_total, badWhen: { outcome: [failed] } } }, objectives: [{ target: 0.99 }], timeWindow: { duration: 30d, isRolling: true }, budgetingMethod: Occurrences }
`;

test('selectors that match nothing in the exposition are listed, the others are not', async () => {
  const registry = new Registry();
  const h = new Histogram({
    name: METRICS.httpServerDuration,
    help: 'h',
    labelNames: [LABELS.method, LABELS.route, LABELS.statusCode],
    buckets: [...HTTP_DURATION_BUCKETS],
    registers: [registry],
  });
  h.observe({ [LABELS.method]: 'GET', [LABELS.route]: '/widgets/:id', [LABELS.statusCode]: 200 }, 0.01);
  const jobs = new Counter({
    name: 'my_jobs_total',
    help: 'j',
    labelNames: ['queue', 'outcome'],
    registers: [registry],
  });
  jobs.inc({ queue: 'default', outcome: 'done' });
  const missing = unmatchedInExposition(compileSpec(SPEC, 'x.yaml'), await registry.metrics());
  assert.deepEqual(missing, [
    { slo: 'my-api-typo', selector: `${METRICS.httpServerDuration}{${LABELS.route}="/widget/:id"}` },
    { slo: 'my-api-missing-metric', selector: 'nope_total' },
  ]);
});
