// smoke: a few seconds of every journey at a low rate, for CI on every change.
// Traffic: 20 iterations/s for 10 s (about 50 req/s) over browse, search, sell and buy.
// SLOs exercised: browse availability and item latency (p99 < 250 ms, from OBJECTIVES.itemLatency), checkout success
// (no 5xx) and checkout latency (p99 < 1 s); any server error fails the run.

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
  name: 'smoke',
  description: 'Every journey at 20 iterations/s for 10 s: a CI check that nothing is broken.',
  options: {
    scenarios: {
      smoke: {
        executor: 'constant-arrival-rate',
        rate: 20,
        duration: '10s',
        preAllocatedVUs: 20,
        maxVUs: 200,
        gracefulStop: '10s',
      },
    },
    thresholds: {
      http_req_failed: ['rate<0.01'],
      [`http_req_duration{name:${STEPS.viewItem}}`]: [latencyThreshold(OBJECTIVES.itemLatency)],
      [`http_req_duration{name:${STEPS.checkout}}`]: [latencyThreshold(OBJECTIVES.checkoutLatency)],
      checks: ['rate>0.9'],
    },
    tags: { suite: 'smoke' },
  },
  feeders: { terms: SEARCH_TERMS },
  journeys: { browseThenView, searchThenView, sellerLists, buy: buy(), retryingCheckout: retryingCheckout() },
});
