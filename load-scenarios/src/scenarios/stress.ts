// stress: ramp the arrival rate until the service breaks, and report the knee.
// Traffic: browse and item views from 50 to 6,000 iterations/s over 5 minutes. The knee is the
// last second whose p99 stayed under 500 ms with under 5% errors before three broken seconds
// in a row; the run stops there. An abortOnFail threshold stops a run that errors heavily.
// SLOs exercised: item latency and browse availability, up to their breaking point.

import { STEPS } from '@marketbench/contracts';
import { defineScenario } from '../scenario/defineScenario.ts';
import { browseThenView } from './marketplaceJourneys.ts';

export default defineScenario({
  apiVersion: 'marketbench/v1',
  name: 'stress',
  description:
    'Ramp browse traffic from 50 to 6,000 iterations/s and report the knee (p99 > 500 ms or > 5% errors).',
  options: {
    scenarios: {
      ramp: {
        executor: 'ramping-arrival-rate',
        startRate: 50,
        stages: [{ duration: '5m', target: 6000 }],
        preAllocatedVUs: 200,
        maxVUs: 5000,
        gracefulStop: '5s',
      },
    },
    knee: { p99Ms: 500, errorRate: 0.05, consecutiveSeconds: 3, stopAtKnee: true },
    thresholds: {
      http_req_failed: [{ threshold: 'rate<0.5', abortOnFail: true, delayAbortEval: '10s' }],
      [`http_req_duration{name:${STEPS.viewItem}}`]: ['p(50)<500'],
    },
    tags: { suite: 'stress' },
  },
  journeys: {
    browseThenView: {
      ...browseThenView,
      steps: browseThenView.steps.map((s) => ({ ...s, think: undefined })),
    },
  },
});
