// How long a scenario runs: the latest end of its executors (startTime plus duration, stages,
// or maxDuration for the iteration-count executors, which may end sooner).

import { parseDuration } from '@marketbench/contracts';
import type { ExecutorConfig, ScenarioDefinition } from '../types.ts';

/** Milliseconds from the start of the run to the end of one executor (without gracefulStop). */
export function executorEndMs(e: ExecutorConfig): number {
  const start = e.startTime ? parseDuration(e.startTime, 'duration') : 0;
  switch (e.executor) {
    case 'constant-arrival-rate':
    case 'constant-vus':
      return start + parseDuration(e.duration, 'duration');
    case 'ramping-arrival-rate':
    case 'ramping-vus':
      return start + e.stages.reduce((s, st) => s + parseDuration(st.duration, 'duration'), 0);
    case 'per-vu-iterations':
    case 'shared-iterations':
      return start + parseDuration(e.maxDuration ?? '10m', 'duration');
  }
}

/** Milliseconds until the last executor ends. */
export function scenarioDurationMs(def: ScenarioDefinition): number {
  return Math.max(...Object.values(def.options.scenarios).map(executorEndMs));
}
