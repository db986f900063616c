// The most VUs a scenario can have at once: what a `unique` feeder must have rows for.

import type { ScenarioDefinition } from '../types.ts';

/** Sum over executors of each one's VU ceiling (they may all run at once). */
export function maxVus(def: ScenarioDefinition): number {
  let total = 0;
  for (const e of Object.values(def.options.scenarios)) {
    switch (e.executor) {
      case 'constant-arrival-rate':
      case 'ramping-arrival-rate':
        total += e.maxVUs ?? e.preAllocatedVUs;
        break;
      case 'ramping-vus':
        total += Math.max(e.startVUs ?? 1, ...e.stages.map((s) => Math.ceil(s.target)));
        break;
      default:
        total += e.vus;
    }
  }
  return total;
}
