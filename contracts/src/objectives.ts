// The objectives that both the SLO specs and the scenario thresholds read, so a threshold cannot
// drift from its SLO: `slo-definitions` refuses a spec whose SLO of the same name says otherwise,
// and the built-in scenarios write their thresholds with `latencyThreshold`/`errorRateThreshold`.
// Latency thresholds are bounds of HTTP_DURATION_BUCKETS (an SLI counts requests under a bound).

import { HTTP_DURATION_BUCKETS } from './buckets.ts';
import type { AvailabilityObjective, LatencyObjective, Objective } from './types.ts';

/** The reference service's objectives, by key. */
export const OBJECTIVES = {
  browseAvailability: {
    slo: 'browse-availability',
    kind: 'availability',
    routeGroup: 'browse',
    target: 0.999,
  },
  searchAvailability: {
    slo: 'search-availability',
    kind: 'availability',
    routeGroup: 'search',
    target: 0.999,
  },
  itemAvailability: { slo: 'item-availability', kind: 'availability', routeGroup: 'item', target: 0.999 },
  itemLatency: { slo: 'item-latency', kind: 'latency', routeGroup: 'item', thresholdMs: 250, target: 0.99 },
  searchLatency: {
    slo: 'search-latency',
    kind: 'latency',
    routeGroup: 'search',
    thresholdMs: 250,
    target: 0.99,
  },
  checkoutSuccess: { slo: 'checkout-success', kind: 'availability', routeGroup: 'checkout', target: 0.99 },
  checkoutLatency: {
    slo: 'checkout-latency',
    kind: 'latency',
    routeGroup: 'checkout',
    thresholdMs: 1000,
    target: 0.99,
  },
} as const satisfies Record<string, Objective>;

/** Rounds away binary noise (1 - 0.999 = 0.0010000000000000009). */
function tidy(n: number): number {
  return Number(n.toPrecision(12));
}

/** The k6 threshold a latency objective implies on `http_req_duration`: `p(99)<250` for 99% within 250 ms. */
export function latencyThreshold(objective: LatencyObjective): string {
  return `p(${tidy(objective.target * 100)})<${objective.thresholdMs}`;
}

/** The k6 threshold an availability objective implies on `http_req_failed`: `rate<0.001` for 99.9%. */
export function errorRateThreshold(objective: AvailabilityObjective): string {
  return `rate<${tidy(1 - objective.target)}`;
}

/** The objective whose SLO has this name, if any. */
export function objectiveForSlo(slo: string): Objective | undefined {
  return Object.values(OBJECTIVES).find((o) => o.slo === slo);
}

// A latency objective off the histogram's bounds could never be measured by the SLI: fail at load.
for (const o of Object.values(OBJECTIVES) as Objective[])
  if (o.kind === 'latency' && !HTTP_DURATION_BUCKETS.includes(o.thresholdMs / 1000))
    throw new Error(`objective ${o.slo}: ${o.thresholdMs} ms is not a bound of HTTP_DURATION_BUCKETS`);
