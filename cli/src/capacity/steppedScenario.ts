// Turns a scenario's journey mix into a stepped stress run: one executor per load step, back to
// back, each `settle + measure` long. Closed model: `constant-vus` with N VUs (N requests in
// flight, the USL's load); open model: `constant-arrival-rate` at r iterations/s. Think times
// are dropped unless asked for: with them, N VUs would keep far fewer than N requests in flight
// and the step's load would not be the load the server sees. Thresholds, faults and knee
// detection of the source scenario are dropped too: this run measures, the fit judges.

import { formatDuration } from '@marketbench/contracts';
import type { ExecutorConfig, Journey, ScenarioDefinition } from '@marketbench/load-scenarios';

/** Closed model (concurrency steps) or open model (arrival-rate steps). */
export type LoadModel = 'closed' | 'open';

/** How to step the load. */
export interface StepPlan {
  /** Closed: VUs per step; open: iterations/s per step. Ascending. */
  levels: number[];
  /** Closed or open model. */
  model: LoadModel;
  /** Warm-up of each step, not measured (ms). */
  settleMs: number;
  /** Measured part of each step (ms). */
  measureMs: number;
  /** Keep the journeys' think times (default false). */
  think: boolean;
}

/** Executor name of step `i` (0-based): `step-01`, `step-02`, … (the rows' `scenario` column). */
export function stepExecutor(i: number): string {
  return `step-${String(i + 1).padStart(2, '0')}`;
}

/**
 * `steps` loads from `min` to `max`, geometric (closed model: each step multiplies the
 * concurrency, as USL measurements are usually spaced) or linear (open model: rates), rounded
 * to whole VUs and made strictly ascending.
 */
export function stepLevels(model: LoadModel, steps: number, min: number, max: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const f = steps === 1 ? 1 : i / (steps - 1);
    const v = model === 'closed' ? min * (max / min) ** f : min + (max - min) * f;
    out.push(model === 'closed' ? Math.round(v) : Math.round(v * 10) / 10);
  }
  for (let i = 1; i < out.length; i++)
    if (out[i] <= out[i - 1]) out[i] = out[i - 1] + (model === 'closed' ? 1 : 0.1);
  return out;
}

function stripThink(journeys: Record<string, Journey>): Record<string, Journey> {
  return Object.fromEntries(
    Object.entries(journeys).map(([name, j]) => [
      name,
      { ...j, steps: j.steps.map((s) => ({ ...s, think: undefined })) },
    ]),
  );
}

/** Most VUs an arrival-rate step may use: enough for 2 s of latency at its rate, at least 50. */
function maxVusFor(rate: number): number {
  return Math.max(50, Math.ceil(rate * 2));
}

/** The stepped scenario: the source's journeys, feeders and metrics, one executor per step. */
export function steppedScenario(source: ScenarioDefinition, plan: StepPlan): ScenarioDefinition {
  const stepMs = plan.settleMs + plan.measureMs;
  const scenarios: Record<string, ExecutorConfig> = {};
  plan.levels.forEach((level, i) => {
    const base = {
      startTime: formatDuration(i * stepMs),
      duration: formatDuration(stepMs),
      // Iterations running when a step ends finish during the next step's settle, never measured.
      gracefulStop: formatDuration(Math.max(1000, plan.settleMs)),
      tags: { capacity_step: String(i + 1), capacity_load: String(level) },
    };
    scenarios[stepExecutor(i)] =
      plan.model === 'closed'
        ? { executor: 'constant-vus', vus: level, ...base }
        : {
            executor: 'constant-arrival-rate',
            rate: level,
            timeUnit: '1s',
            preAllocatedVUs: Math.min(maxVusFor(level), Math.max(10, Math.ceil(level / 4))),
            maxVUs: maxVusFor(level),
            ...base,
          };
  });
  return {
    apiVersion: 'marketbench/v1',
    name: `capacity:${source.name}`,
    description: `${plan.model === 'closed' ? 'Concurrency' : 'Arrival-rate'} steps ${plan.levels.join(', ')} of ${source.name}'s journey mix${plan.think ? '' : ' (no think time)'}.`,
    options: { scenarios, tags: { ...source.options.tags, capacity: source.name } },
    journeys: plan.think ? source.journeys : stripThink(source.journeys),
    ...(source.feeders ? { feeders: source.feeders } : {}),
    ...(source.metrics ? { metrics: source.metrics } : {}),
  };
}
