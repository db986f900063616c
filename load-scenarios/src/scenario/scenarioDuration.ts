// How long a scenario runs: the latest end of its executors (startTime plus duration, stages,
// or maxDuration for the iteration-count executors, which may end sooner).

import type { ExecutorConfig, ScenarioDefinition } from '../types.ts';
import { durationMs } from './parseDuration.ts';

/** Milliseconds from the start of the run to the end of one executor (without gracefulStop). */
export function executorEndMs(e: ExecutorConfig): number {
  const start = e.startTime ? durationMs(e.startTime) : 0;
  switch (e.executor) {
    case 'constant-arrival-rate':
    case 'constant-vus':
      return start + durationMs(e.duration);
    case 'ramping-arrival-rate':
    case 'ramping-vus':
      return start + e.stages.reduce((s, st) => s + durationMs(st.duration), 0);
    case 'per-vu-iterations':
    case 'shared-iterations':
      return start + durationMs(e.maxDuration ?? '10m');
  }
}

/** Milliseconds until the last executor ends. */
export function scenarioDurationMs(def: ScenarioDefinition): number {
  return Math.max(...Object.values(def.options.scenarios).map(executorEndMs));
}
