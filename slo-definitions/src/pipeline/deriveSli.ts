// Stage 2 of the pipeline: the indicator as written → the SLI every generator compiles,
// with route groups expanded to route templates and durations in seconds.

import { ROUTE_GROUPS } from '@marketbench/contracts';
import { parseDuration } from '../spec/duration.ts';
import type { RouteSelector, Sli, SliShape, SloSpec } from '../types.ts';

function routesOf(sel: RouteSelector): string[] {
  const group =
    (sel.routeGroup ? (ROUTE_GROUPS as Record<string, readonly string[]>)[sel.routeGroup] : []) ?? [];
  return [...new Set([...group, ...(sel.routes ?? [])])];
}

/**
 * The SLI of one schema- and name-valid SLO of `service`; `scope` are the labels its Prometheus
 * selectors carry (default: `job` = the service, as OTel's Prometheus exporter names the job).
 */
export function deriveSli(
  service: string,
  slo: SloSpec,
  scope: Record<string, string> = { job: service },
): Sli {
  return { ...shapeOf(service, slo), scope };
}

function shapeOf(service: string, slo: SloSpec): SliShape {
  const ind = slo.indicator;
  if (ind.httpAvailability) {
    const a = ind.httpAvailability;
    return {
      kind: 'httpAvailability',
      service,
      routes: routesOf(a),
      methods: a.methods ?? [],
      excludeClientErrors: a.excludeClientErrors ?? false,
    };
  }
  if (ind.httpLatency) {
    const l = ind.httpLatency;
    return {
      kind: 'httpLatency',
      service,
      routes: routesOf(l),
      methods: l.methods ?? [],
      excludeClientErrors: l.excludeClientErrors ?? false,
      thresholdSeconds: parseDuration(l.threshold),
    };
  }
  if (ind.counterRatio) {
    const c = ind.counterRatio;
    return {
      kind: 'counterRatio',
      service,
      metric: c.metric,
      selector: c.selector ?? {},
      badWhen: c.badWhen,
    };
  }
  if (ind.freshness) {
    return {
      kind: 'freshness',
      service,
      metric: ind.freshness.metric,
      maxAgeSeconds: parseDuration(ind.freshness.maxAge),
    };
  }
  throw new Error(`SLO ${slo.name}: indicator has no known kind (schema validation should have caught this)`);
}
