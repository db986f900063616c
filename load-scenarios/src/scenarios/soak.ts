// soak: a moderate, constant mix for a long time, to catch leaks, growing queues and drift.
// Traffic: 150 iterations/s (~330 req/s) of the full journey mix for 30 minutes.
// SLOs exercised: every availability and latency SLO over a long window; the run row's
// per-second samples show drift in p99 and generator CPU.

import { latencyThreshold, OBJECTIVES, STEPS } from '@marketbench/contracts';
import { defineScenario } from '../scenario/defineScenario.ts';
import {
  browseThenView,
  buy,
  retryingCheckout,
  SEARCH_TERMS,
  searchThenView,
  sellerLists,
} from './marketplaceJourneys.ts';

export default defineScenario({
  apiVersion: 'marketbench/v1',
  name: 'soak',
  description: 'The full journey mix at 150 iterations/s for 30 minutes.',
  options: {
    scenarios: {
      soak: {
        executor: 'constant-arrival-rate',
        rate: 150,
        duration: '30m',
        preAllocatedVUs: 200,
        maxVUs: 2000,
      },
    },
    thresholds: {
      http_req_failed: ['rate<0.001'],
      [`http_req_duration{name:${STEPS.viewItem}}`]: [latencyThreshold(OBJECTIVES.itemLatency)],
      [`http_req_duration{name:${STEPS.checkout}}`]: [latencyThreshold(OBJECTIVES.checkoutLatency)],
      dropped_iterations: ['count<10'],
    },
    tags: { suite: 'soak' },
  },
  feeders: { terms: SEARCH_TERMS },
  journeys: { browseThenView, searchThenView, sellerLists, buy: buy(), retryingCheckout: retryingCheckout() },
});
