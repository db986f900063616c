import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import client from 'prom-client';
import {
  openMetricsToPrometheus,
  PROMETHEUS_CONTENT_TYPE,
  renderMetrics,
} from '../../src/metrics/metricsHandler.ts';
import { createOpenMetricsRegistry } from '../../src/metrics/TelemetryMetrics.ts';

const require = createRequire(import.meta.url);
const parsePrometheusTextFormat = require('parse-prometheus-text-format') as (
  text: string,
) => Array<{ name: string; type: string; metrics: unknown[] }>;

async function sampleRegistry() {
  const registry = createOpenMetricsRegistry();
  const h = new client.Histogram({
    name: 'h_seconds',
    help: 'h',
    labelNames: ['route'],
    buckets: [0.1, 1],
    registers: [registry],
    enableExemplars: true,
  });
  const c = new client.Counter({ name: 'things_total', help: 'things', registers: [registry] });
  h.observe({
    labels: { route: '/a' },
    value: 0.05,
    exemplarLabels: { trace_id: 'abc' } as Record<string, string>,
  });
  c.inc(3);
  return registry;
}

test('OpenMetrics (with exemplars) when Accept asks for it, Prometheus text otherwise', async () => {
  const registry = await sampleRegistry();
  const om = await renderMetrics(registry, 'application/openmetrics-text; version=1.0.0,text/plain;q=0.5');
  assert.match(om.contentType, /^application\/openmetrics-text/);
  assert.match(om.body, /h_seconds_bucket\{le="0.1",route="\/a"\} 1 # \{trace_id="abc"\} 0.05 \d+/);
  assert.match(om.body, /# EOF\n$/);
  const prom = await renderMetrics(registry, 'text/plain');
  assert.equal(prom.contentType, PROMETHEUS_CONTENT_TYPE);
  assert.doesNotMatch(prom.body, /trace_id|# EOF/);
  assert.match(prom.body, /# TYPE things_total counter\nthings_total 3/);
  assert.match(prom.body, /# HELP things_total things/);
  // Rendering OpenMetrics first must not change the Prometheus rendering after it.
  const again = await renderMetrics(registry, undefined);
  assert.equal(again.body, prom.body);
  const families = parsePrometheusTextFormat(prom.body);
  assert.deepEqual(families.map((f) => [f.name, f.type]).sort(), [
    ['h_seconds', 'HISTOGRAM'],
    ['things_total', 'COUNTER'],
  ]);
});

test('openMetricsToPrometheus strips exemplars and renames counter families', () => {
  const text =
    '# HELP a_total x\n# TYPE a counter\na_total 1\n# HELP g y\n# TYPE g gauge\ng 2 # {trace_id="t"} 2 1\n# EOF\n';
  assert.equal(
    openMetricsToPrometheus(text),
    '# HELP a_total x\n# TYPE a_total counter\na_total 1\n# HELP g y\n# TYPE g gauge\ng 2\n',
  );
});
