// psp-incident: the payment service provider fails mid-run, and the checkout SLO burns.
// Traffic: the journey mix (buying weighted up) for 3 minutes, ramping from 20 to 120
// iterations/s over the first 15 s (a cold service on a busy machine otherwise spends its first
// seconds timing out, which is not the incident), then holding 120/s. Healthy until 40 s; then the
// PSP becomes slow and erratic (normal latency 600±200 ms, 30% errors); at 70 s it goes down
// completely; at 130 s it recovers. Faults go through PUT /admin/faults and expire on their own.
// SLOs exercised: checkout success (99%): the outage must burn its error budget at ≥ 14.4×
// (more than 14.4% of checkouts failing), which is what pages; browse availability must hold.

import { errorRateThreshold, latencyThreshold, OBJECTIVES, STEPS } from '@marketbench/contracts';
import { defineScenario } from '../scenario/defineScenario.ts';
import { browseThenView, buy, SEARCH_TERMS, searchThenView } from './marketplaceJourneys.ts';

export default defineScenario({
  apiVersion: 'marketbench/v1',
  name: 'psp-incident',
  description: 'PSP degradation then outage mid-run: checkout burns its SLO ≥ 14.4×, browse holds.',
  options: {
    scenarios: {
      traffic: {
        executor: 'ramping-arrival-rate',
        startRate: 20,
        stages: [
          { target: 120, duration: '15s' },
          { target: 120, duration: '165s' },
        ],
        preAllocatedVUs: 200,
        maxVUs: 2000,
      },
    },
    thresholds: {
      // The drill is meant to burn the checkout budget: 14.4 × a 1% budget.
      [`http_req_failed{name:${STEPS.checkout}}`]: ['rate>=0.144'],
      [`http_req_failed{name:${STEPS.browse}}`]: [errorRateThreshold(OBJECTIVES.browseAvailability)],
      [`http_req_duration{name:${STEPS.viewItem}}`]: [latencyThreshold(OBJECTIVES.itemLatency)],
    },
    tags: { suite: 'psp-incident' },
  },
  faults: [
    {
      at: '40s',
      dependency: 'psp',
      action: 'set',
      spec: {
        latency: { distribution: 'normal', meanMs: 600, stddevMs: 200, percent: 100 },
        errorPercent: 30,
        expiresInSeconds: 150,
      },
    },
    { at: '70s', dependency: 'psp', action: 'set', spec: { outage: true, expiresInSeconds: 120 } },
    { at: '130s', dependency: 'psp', action: 'clear' },
  ],
  feeders: { terms: SEARCH_TERMS },
  journeys: { browseThenView, searchThenView: { ...searchThenView, weight: 20 }, buy: buy(undefined, 40) },
});
