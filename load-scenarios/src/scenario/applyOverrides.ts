// Command-line overrides (--rate, --duration, --vus) applied to every executor of a scenario:
// constant values are replaced, ramping stages are scaled so their shape is kept, and a fault
// schedule is scaled with the duration. k6's -i and -s replace the executors with one.

import { formatDuration, parseDuration, tryParseDuration } from '@marketbench/contracts';
import type { ExecutorConfig, ScenarioDefinition, ScenarioOverrides, Stage } from '../types.ts';
import { scenarioDurationMs } from './scenarioDuration.ts';

function scaleStages(stages: Stage[], o: ScenarioOverrides, scaleTargets: boolean): Stage[] {
  const total = stages.reduce((s, st) => s + parseDuration(st.duration, 'duration'), 0);
  const want = o.duration !== undefined ? tryParseDuration(o.duration) : undefined;
  const peak = Math.max(...stages.map((s) => s.target));
  return stages.map((st) => ({
    duration:
      want !== undefined && total > 0
        ? formatDuration(Math.round((parseDuration(st.duration, 'duration') * want) / total))
        : st.duration,
    target: scaleTargets && o.rate !== undefined && peak > 0 ? (st.target * o.rate) / peak : st.target,
  }));
}

function override(e: ExecutorConfig, o: ScenarioOverrides): ExecutorConfig {
  switch (e.executor) {
    case 'constant-arrival-rate':
      return {
        ...e,
        rate: o.rate ?? e.rate,
        duration: o.duration ?? e.duration,
        maxVUs: o.vus ?? e.maxVUs,
        preAllocatedVUs: o.vus !== undefined ? Math.min(e.preAllocatedVUs, o.vus) : e.preAllocatedVUs,
      };
    case 'ramping-arrival-rate': {
      const peak = Math.max(...e.stages.map((s) => s.target));
      return {
        ...e,
        startRate:
          o.rate !== undefined && peak > 0 && e.startRate !== undefined
            ? (e.startRate * o.rate) / peak
            : e.startRate,
        stages: scaleStages(e.stages, o, true),
        maxVUs: o.vus ?? e.maxVUs,
        preAllocatedVUs: o.vus !== undefined ? Math.min(e.preAllocatedVUs, o.vus) : e.preAllocatedVUs,
      };
    }
    case 'constant-vus':
      return { ...e, vus: o.vus ?? e.vus, duration: o.duration ?? e.duration };
    case 'ramping-vus': {
      const peak = Math.max(...e.stages.map((s) => s.target));
      const stages = scaleStages(e.stages, { duration: o.duration }, false).map((st) => ({
        ...st,
        target: o.vus !== undefined && peak > 0 ? Math.round((st.target * o.vus) / peak) : st.target,
      }));
      return { ...e, stages };
    }
    case 'per-vu-iterations':
    case 'shared-iterations':
      return { ...e, vus: o.vus ?? e.vus, maxDuration: o.duration ?? e.maxDuration };
  }
}

/** A copy of the scenario with the overrides applied (the input is not changed). */
export function applyOverrides(
  def: ScenarioDefinition,
  o: ScenarioOverrides | undefined,
): ScenarioDefinition {
  if (
    !o ||
    (o.rate === undefined &&
      o.duration === undefined &&
      o.vus === undefined &&
      o.iterations === undefined &&
      (o.stages === undefined || o.stages.length === 0))
  )
    return def;
  if (o.stages !== undefined && o.stages.length > 0 && o.iterations === undefined) {
    // k6's -s: one ramping-vus executor runs the stages (the schedule's faults keep their place).
    const only: ExecutorConfig = { executor: 'ramping-vus', startVUs: o.vus ?? 1, stages: o.stages };
    return withFaultsScaled(def, { ...def, options: { ...def.options, scenarios: { default: only } } });
  }
  if (o.iterations !== undefined) {
    // k6's -i: one shared-iterations executor runs the iterations (the schedule's faults are kept).
    const only: ExecutorConfig = {
      executor: 'shared-iterations',
      vus: o.vus ?? 1,
      iterations: o.iterations,
      ...(o.duration !== undefined ? { maxDuration: o.duration } : {}),
    };
    return { ...def, options: { ...def.options, scenarios: { default: only } } };
  }
  const scenarios = Object.fromEntries(
    Object.entries(def.options.scenarios).map(([k, e]) => [k, override(e, o)]),
  );
  const out: ScenarioDefinition = { ...def, options: { ...def.options, scenarios } };
  return o.duration !== undefined ? withFaultsScaled(def, out) : out;
}

/** `out` with `def`'s faults where they were in the run: at 40 s of a 3 m run is at 4 s of an 18 s run. */
function withFaultsScaled(def: ScenarioDefinition, out: ScenarioDefinition): ScenarioDefinition {
  if (!def.faults) return out;
  const ratio = scenarioDurationMs(out) / scenarioDurationMs(def);
  return {
    ...out,
    faults: def.faults.map((f) => ({
      ...f,
      at: formatDuration(Math.round(parseDuration(f.at, 'duration') * ratio)),
    })),
  };
}
