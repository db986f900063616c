// What the OpenTelemetry JS SDK's own Prometheus exporter writes for the semantic-convention
// instrument http.server.request.duration is what the generated rules select: the label names
// (its attributes, dots to underscores), the label values and the `le` bound of a latency
// threshold. One difference, pinned here: this exporter (0.301) writes the unit as a `# UNIT`
// line and no `_seconds` suffix, which OpenTelemetry's Prometheus compatibility spec and the
// Collector's Prometheus exporters add; with the suffix every selector of the rules matches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HTTP_DURATION_BUCKETS } from '@marketbench/contracts';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { AggregationType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { unmatchedInExposition } from '../../src/check/unmatchedSelectors.ts';
import { compileSpec } from '../../src/pipeline/compileSpec.ts';
import { errorRatioPromql } from '../../src/prometheus/promql.ts';

const SPEC = `
apiVersion: marketbench/v1
kind: ServiceLevelObjectives
metadata: { name: otel-api }
spec:
  service: otel-api
  slos:
    - { name: widgets, description: Widget pages answer without a server error., indicator: { httpAvailability: { routes: ['/widgets/:id'], methods: [GET] } }, objectives: [{ target: 0.99 }], timeWindow: { duration: 30d, isRolling: true }, budgetingMethod: Occurrences }
    - { name: widgets-fast, description: Widget pages answer within 250 ms., indicator: { httpLatency: { routes: ['/widgets/:id'], threshold: 250ms } }, objectives: [{ target: 0.99 }], timeWindow: { duration: 30d, isRolling: true }, budgetingMethod: Occurrences }
`;

test("the OTel SDK's Prometheus exposition of http.server.request.duration matches the rules' selectors", async () => {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({
    readers: [exporter],
    views: [
      {
        instrumentName: 'http.server.request.duration',
        aggregation: {
          type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
          options: { boundaries: [...HTTP_DURATION_BUCKETS] },
        },
      },
    ],
  });
  const h = provider.getMeter('otel-api').createHistogram('http.server.request.duration', { unit: 's' });
  h.record(0.02, {
    'http.request.method': 'GET',
    'http.route': '/widgets/:id',
    'http.response.status_code': 200,
  });
  h.record(0.4, {
    'http.request.method': 'GET',
    'http.route': '/widgets/:id',
    'http.response.status_code': 500,
  });
  const { resourceMetrics } = await exporter.collect();
  const text = new PrometheusSerializer().serialize(resourceMetrics);
  await provider.shutdown();

  const slos = compileSpec(SPEC, 'otel-api.yaml');
  // The exact series the availability rule's bad side selects, as the SDK wrote it.
  assert.match(
    text,
    /^http_server_request_duration_count\{[^}]*http_request_method="GET"[^}]*http_route="\/widgets\/:id"[^}]*http_response_status_code="500"[^}]*\} 1$/m,
  );
  assert.match(text, /^# UNIT http_server_request_duration s$/m);
  assert.match(text, /^http_server_request_duration_bucket\{[^}]*le="0\.25"[^}]*\} 1$/m);
  // Only the unit suffix is missing: the selectors match nothing as written...
  assert.equal(unmatchedInExposition(slos, text).length, 2);
  // ...and everything once it is there, as the Collector writes it.
  const withSuffix = text.replaceAll('http_server_request_duration', 'http_server_request_duration_seconds');
  assert.deepEqual(unmatchedInExposition(slos, withSuffix), []);
  assert.match(errorRatioPromql(slos[0].sli, '5m'), /http_response_status_code=~"5\.\."/);
});
