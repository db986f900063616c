// Stage 1d of the pipeline: an SLO of the reference service that contracts' OBJECTIVES also
// name must say what the objective says (target, route group, latency bound), because the
// built-in scenarios derive their thresholds from the objective: a spec edited alone would let
// the run's thresholds and the SLO drift apart again (item latency was p(99)<300 vs 250 ms).

import { type Objective, objectiveForSlo, SERVICES } from '@marketbench/contracts';
import { SloError } from '../errors.ts';
import type { SloSpec, SloSpecFile } from '../types.ts';
import { parseDuration } from './duration.ts';

function disagreement(slo: SloSpec, o: Objective): string | undefined {
  const target = slo.objectives[0]?.target;
  if (target !== o.target) return `target ${target} differs from the objective's ${o.target}`;
  const indicator = o.kind === 'latency' ? slo.indicator.httpLatency : slo.indicator.httpAvailability;
  if (indicator === undefined)
    return `the objective is ${o.kind === 'latency' ? 'httpLatency' : 'httpAvailability'}`;
  if (indicator.routeGroup !== o.routeGroup)
    return `route group ${indicator.routeGroup ?? '(routes)'} differs from the objective's ${o.routeGroup}`;
  if (o.kind === 'latency') {
    const ms = Math.round(parseDuration(slo.indicator.httpLatency?.threshold ?? '0s') * 1000);
    if (ms !== o.thresholdMs) return `threshold ${ms} ms differs from the objective's ${o.thresholdMs} ms`;
  }
  return undefined;
}

/** Every reference-service SLO that disagrees with the objective of the same name; empty when clean. */
export function validateObjectives(spec: SloSpecFile, file: string): SloError[] {
  if (spec.spec.service !== SERVICES.reference) return [];
  const errors: SloError[] = [];
  spec.spec.slos.forEach((slo, i) => {
    const objective = objectiveForSlo(slo.name);
    const why = objective && disagreement(slo, objective);
    if (why)
      errors.push(
        new SloError(
          'MB_ERR_SLO_OBJECTIVE_MISMATCH',
          `SLO ${slo.name}: ${why} (OBJECTIVES in contracts/src/objectives.ts, which the scenarios' thresholds also read: change both there)`,
          { file, path: `/spec/slos/${i}` },
        ),
      );
  });
  return errors;
}
