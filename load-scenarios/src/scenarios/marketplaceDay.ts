// marketplace-day: a marketplace's 24-hour diurnal traffic, compressed in time but not in rate.
// Traffic: 24 hourly stages (10 s each by default, timeScale 360) of a ramping arrival rate that
// follows a European marketplace's day: a trough around 04:00 at 108 iterations/s (~280 req/s)
// and an evening peak at 20:00 of 450 iterations/s (~1,200 req/s; 2.6 requests per iteration),
// so ~4× peak/trough and about 65 million requests a day at real time. Mostly browsing and
// search, some selling and buying.
// SLOs exercised: browse and search availability, item latency, checkout success and latency.

import { errorRateThreshold, latencyThreshold, OBJECTIVES, STEPS } from '@marketbench/contracts';
import { defineScenario } from '../scenario/defineScenario.ts';
import type { Stage } from '../types.ts';
import {
  browseThenView,
  buy,
  retryingCheckout,
  SEARCH_TERMS,
  searchThenView,
  sellerLists,
} from './marketplaceJourneys.ts';

/** Share of the peak rate in each hour 00:00–23:00. */
export const DIURNAL = [
  0.42, 0.33, 0.27, 0.25, 0.24, 0.27, 0.36, 0.5, 0.62, 0.7, 0.75, 0.8, 0.86, 0.84, 0.8, 0.78, 0.8, 0.85, 0.92,
  0.98, 1.0, 0.95, 0.8, 0.6,
] as const;

/** Peak iterations per second (about 2.6 requests each: ~1,200 req/s). */
export const PEAK_ITERATIONS_PER_SECOND = 450;
const HOUR = '10s';

const stages: Stage[] = DIURNAL.map((share) => ({
  duration: HOUR,
  target: Math.round(share * PEAK_ITERATIONS_PER_SECOND),
}));

export default defineScenario({
  apiVersion: 'marketbench/v1',
  name: 'marketplace-day',
  description:
    'A diurnal 24-hour marketplace day (peak ~1,200 req/s, 4× the trough) compressed into 4 minutes.',
  options: {
    scenarios: {
      day: {
        executor: 'ramping-arrival-rate',
        startRate: Math.round(DIURNAL[23] * PEAK_ITERATIONS_PER_SECOND),
        timeUnit: '1s',
        stages,
        preAllocatedVUs: 200,
        maxVUs: 3000,
      },
    },
    thresholds: {
      [`http_req_failed{name:${STEPS.browse}}`]: [errorRateThreshold(OBJECTIVES.browseAvailability)],
      [`http_req_failed{name:${STEPS.search}}`]: [errorRateThreshold(OBJECTIVES.searchAvailability)],
      [`http_req_duration{name:${STEPS.viewItem}}`]: [latencyThreshold(OBJECTIVES.itemLatency)],
      [`http_req_failed{name:${STEPS.checkout}}`]: [errorRateThreshold(OBJECTIVES.checkoutSuccess)],
      [`http_req_duration{name:${STEPS.checkout}}`]: [latencyThreshold(OBJECTIVES.checkoutLatency)],
      dropped_iterations: ['count<100'],
    },
    // 24 h of traffic shape in 24 × 10 s.
    timeScale: (24 * 3600) / (24 * 10),
    tags: { suite: 'marketplace-day' },
  },
  feeders: { terms: SEARCH_TERMS },
  journeys: { browseThenView, searchThenView, sellerLists, buy: buy(), retryingCheckout: retryingCheckout() },
});
