// checkout-rush: buyers only, at a steady high rate: carts, checkouts and client retries.
// Traffic: 80 buy iterations/s for 60 s (about 4 requests each), a fifth of them retrying the
// checkout with the same Idempotency-Key (the replay must return the same order).
// SLOs exercised: checkout success and checkout latency (payment authorization included), the
// PSP authorization success ratio, idempotent replays.

import { errorRateThreshold, latencyThreshold, OBJECTIVES, STEPS } from '@marketbench/contracts';
import { defineScenario } from '../scenario/defineScenario.ts';
import { buy, retryingCheckout } from './marketplaceJourneys.ts';

export default defineScenario({
  apiVersion: 'marketbench/v1',
  name: 'checkout-rush',
  description:
    'Buy journeys only, 80 iterations/s for 60 s, 20% of them retrying the checkout with the same key.',
  options: {
    scenarios: {
      rush: {
        executor: 'constant-arrival-rate',
        rate: 80,
        duration: '60s',
        preAllocatedVUs: 100,
        maxVUs: 1000,
      },
    },
    thresholds: {
      [`http_req_failed{name:${STEPS.checkout}}`]: [errorRateThreshold(OBJECTIVES.checkoutSuccess)],
      [`http_req_duration{name:${STEPS.checkout}}`]: [
        latencyThreshold(OBJECTIVES.checkoutLatency),
        'p(95)<500',
      ],
      [`http_req_failed{name:${STEPS.checkoutRetry}}`]: [errorRateThreshold(OBJECTIVES.checkoutSuccess)],
      checks: ['rate>0.5'],
    },
    tags: { suite: 'checkout-rush' },
  },
  journeys: { buy: buy(undefined, 80), retryingCheckout: retryingCheckout(undefined, 20) },
});
