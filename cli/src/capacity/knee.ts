// The knee of a stepped run: the highest measured load before the first step whose latency broke
// an objective. By default the objectives are the latency SLOs of the measured service as the
// specs define them (item and search p99 ≤ 250 ms, checkout p99 ≤ 1 s); `--p99 300ms` replaces
// them with one objective over every request.

import { SERVICES } from '@marketbench/contracts';
import { DEFAULT_SPECS_DIR, loadSpecs, type Slo } from '@marketbench/slo-definitions';
import type { CapacityStep, Knee, LatencyObjective } from './types.ts';

/** The latency SLOs of `service` in the specs of `dir`, as objectives on client latency. */
export function objectivesFromSpecs(
  dir: string = DEFAULT_SPECS_DIR,
  service: string = SERVICES.reference,
): LatencyObjective[] {
  return loadSpecs(dir)
    .filter((s: Slo) => s.sli.kind === 'httpLatency' && s.service === service)
    .map((s: Slo) => {
      const sli = s.sli as Extract<Slo['sli'], { kind: 'httpLatency' }>;
      return {
        name: s.id,
        routes: [...sli.routes],
        methods: [...sli.methods],
        excludeClientErrors: sli.excludeClientErrors,
        quantile: s.target,
        thresholdMs: Math.round(sli.thresholdSeconds * 1e6) / 1e3,
      };
    });
}

/** One objective over every request: the `--p99` override. */
export function p99Objective(thresholdMs: number, quantile = 0.99): LatencyObjective {
  return {
    name: `p${Math.round(quantile * 1000) / 10} ≤ ${thresholdMs} ms (every request)`,
    routes: [],
    methods: [],
    excludeClientErrors: false,
    quantile,
    thresholdMs,
  };
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** Each objective's value at `step` against its bound (`name p99 212.0 ms ≤ 250 ms; `), for the summary. */
function heldAt(step: CapacityStep, objectives: readonly LatencyObjective[]): string {
  return objectives
    .map((o, j) => {
      const v = step.objectives[j]?.value;
      const q = `p${fmt(Math.round(o.quantile * 1000) / 10)}`;
      return v === null || v === undefined
        ? `${o.name}: no requests; `
        : `${o.name} ${q} ${v.toFixed(1)} ms ≤ ${o.thresholdMs} ms; `;
    })
    .join('');
}

/**
 * The knee over `steps` (ascending load): the last step before the first one where any objective's
 * quantile exceeded its bound. An objective with no request in a step does not break it.
 */
export function findKnee(
  steps: readonly CapacityStep[],
  objectives: readonly LatencyObjective[],
  unit: string,
): Knee {
  let last: CapacityStep | undefined;
  for (const s of steps) {
    for (let j = 0; j < objectives.length; j++) {
      const o = objectives[j];
      const v = s.objectives[j]?.value;
      if (v !== null && v !== undefined && v > o.thresholdMs) {
        const brokenAt = { step: s.step, load: s.load, slo: o.name, valueMs: v, thresholdMs: o.thresholdMs };
        if (!last) {
          return {
            load: null,
            throughput: null,
            p99Ms: null,
            brokenAt,
            summary: `no knee: ${o.name} was already broken at the lowest load (${fmt(s.load)} ${unit}: ${v.toFixed(1)} ms > ${o.thresholdMs} ms)`,
          };
        }
        return {
          load: last.load,
          throughput: last.throughput,
          p99Ms: last.p99Ms,
          brokenAt,
          summary: `knee at ${fmt(last.load)} ${unit} (${Math.round(last.throughput)} req/s, p99 ${last.p99Ms.toFixed(1)} ms); at ${fmt(s.load)} ${unit} ${o.name} broke (${v.toFixed(1)} ms > ${o.thresholdMs} ms)`,
        };
      }
    }
    last = s;
  }
  if (!last)
    return { load: null, throughput: null, p99Ms: null, brokenAt: null, summary: 'no step was measured' };
  return {
    load: last.load,
    throughput: last.throughput,
    p99Ms: last.p99Ms,
    brokenAt: null,
    summary: `knee not reached: every objective held up to the top step, ${fmt(last.load)} ${unit} (${Math.round(last.throughput)} req/s; ${heldAt(last, objectives)}p99 of every request ${last.p99Ms.toFixed(1)} ms); the knee is at or above it`,
  };
}
