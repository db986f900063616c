import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROUTE_GROUPS, ROUTES } from '@marketbench/contracts';
import { deriveSli } from '../../src/pipeline/deriveSli.ts';
import { baseSlo } from '../factories.ts';

const svc = 'marketbench-reference-service';

test('a route group expands to its route templates, merged with explicit routes', () => {
  const sli = deriveSli(
    svc,
    baseSlo({
      indicator: { httpAvailability: { routeGroup: 'item', routes: [ROUTES.search, ROUTES.listing] } },
    }),
  );
  assert.deepEqual(sli, {
    kind: 'httpAvailability',
    service: svc,
    routes: [...ROUTE_GROUPS.item, ROUTES.search],
    methods: [],
    excludeClientErrors: false,
    scope: { job: svc },
  });
});

test("the Prometheus scope is the service's job unless the spec says otherwise", () => {
  const slo = baseSlo({ indicator: { httpAvailability: { routes: ['/x'] } } });
  assert.deepEqual(deriveSli('my-api', slo).scope, { job: 'my-api' });
  assert.deepEqual(deriveSli('my-api', slo, { service_name: 'my-api' }).scope, { service_name: 'my-api' });
});

test('latency thresholds and freshness ages become seconds', () => {
  const lat = deriveSli(
    svc,
    baseSlo({ indicator: { httpLatency: { routeGroup: 'search', threshold: '300ms' } } }),
  );
  assert.equal(lat.kind === 'httpLatency' && lat.thresholdSeconds, 0.3);
  const fresh = deriveSli(
    svc,
    baseSlo({ indicator: { freshness: { metric: 'marketbench_ingest_lag_seconds', maxAge: '30s' } } }),
  );
  assert.equal(fresh.kind === 'freshness' && fresh.maxAgeSeconds, 30);
});
