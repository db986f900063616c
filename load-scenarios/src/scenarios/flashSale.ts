// flash-sale: a sale on a few hot items; traffic jumps to 5× in 10 s and stays there.
// Traffic: 100 iterations/s baseline, a 10 s ramp to 500/s held for 30 s, then back. Half the
// iterations hit five hot listings (view, add to cart, checkout), so stock runs out and
// checkouts contend on the same inventory rows.
// SLOs exercised: item latency under a hot-key spike, checkout success (409 out-of-stock is the
// buyer's answer, not a failure) and checkout latency.

import { errorRateThreshold, latencyThreshold, OBJECTIVES, STEPS } from '@marketbench/contracts';
import { defineScenario } from '../scenario/defineScenario.ts';
import { browseThenView, buy, SEARCH_TERMS, searchThenView } from './marketplaceJourneys.ts';

export default defineScenario({
  apiVersion: 'marketbench/v1',
  name: 'flash-sale',
  description: 'A 5× spike in 10 s concentrated on five hot listings.',
  options: {
    scenarios: {
      sale: {
        executor: 'ramping-arrival-rate',
        startRate: 100,
        stages: [
          { duration: '20s', target: 100 },
          { duration: '10s', target: 500 },
          { duration: '30s', target: 500 },
          { duration: '10s', target: 100 },
          { duration: '20s', target: 100 },
        ],
        preAllocatedVUs: 200,
        maxVUs: 2000,
      },
    },
    thresholds: {
      [`http_req_duration{name:${STEPS.viewItem}}`]: [latencyThreshold(OBJECTIVES.itemLatency)],
      [`http_req_failed{name:${STEPS.checkout}}`]: [errorRateThreshold(OBJECTIVES.checkoutSuccess)],
      [`http_req_duration{name:${STEPS.checkout}}`]: [latencyThreshold(OBJECTIVES.checkoutLatency)],
    },
    tags: { suite: 'flash-sale' },
  },
  feeders: {
    terms: SEARCH_TERMS,
    hot: { mode: 'random', rows: [11, 22, 33, 44, 55].map((listingId) => ({ listingId })) },
  },
  journeys: {
    browseThenView: { ...browseThenView, weight: 30 },
    searchThenView: { ...searchThenView, weight: 20 },
    hotItemRush: buy('{{hot.listingId}}', 50),
  },
});
