// Stage 1b of the pipeline: every service, route, route group, metric and label a spec names
// must exist in the one name table (instrumentation/src/names.ts), so a renamed metric fails
// validation here instead of silently breaking an alert.

import { LABELS, METRICS, ROUTE_GROUPS, ROUTES, SERVICES } from '@marketbench/contracts';
import { SloError } from '../errors.ts';
import type { SloSpecFile } from '../types.ts';

const SERVICE_NAMES = new Set<string>(Object.values(SERVICES));
const ROUTE_NAMES = new Set<string>(Object.values(ROUTES));
const METRIC_NAMES = new Set<string>(Object.values(METRICS));
const LABEL_NAMES = new Set<string>(Object.values(LABELS));
const GROUP_NAMES = new Set<string>(Object.keys(ROUTE_GROUPS));

// The error names the table to look in rather than listing it: the tables grow, error text should not.
function unknown(kind: string, name: string, table: string, file: string, path: string): SloError {
  return new SloError(
    'MB_ERR_SLO_UNKNOWN_NAME',
    `unknown ${kind} "${name}" (not in ${table} of instrumentation/src/names.ts)`,
    {
      file,
      path,
    },
  );
}

/** Every name-table problem of a schema-valid spec, plus duplicate SLO names; empty when clean. */
export function validateNames(spec: SloSpecFile, file: string): SloError[] {
  const errors: SloError[] = [];
  if (!SERVICE_NAMES.has(spec.spec.service)) {
    errors.push(unknown('service', spec.spec.service, 'SERVICES', file, '/spec/service'));
  }
  const seen = new Map<string, number>();
  spec.spec.slos.forEach((slo, i) => {
    const base = `/spec/slos/${i}`;
    const first = seen.get(slo.name);
    if (first !== undefined) {
      errors.push(
        new SloError('MB_ERR_SLO_DUPLICATE', `SLO name "${slo.name}" already used by /spec/slos/${first}`, {
          file,
          path: `${base}/name`,
        }),
      );
    } else seen.set(slo.name, i);
    const ind = slo.indicator;
    const http = ind.httpAvailability ?? ind.httpLatency;
    if (http) {
      const p = `${base}/indicator/${ind.httpAvailability ? 'httpAvailability' : 'httpLatency'}`;
      if (http.routeGroup !== undefined && !GROUP_NAMES.has(http.routeGroup)) {
        errors.push(unknown('route group', http.routeGroup, 'ROUTE_GROUPS', file, `${p}/routeGroup`));
      }
      http.routes?.forEach((route, j) => {
        if (!ROUTE_NAMES.has(route)) errors.push(unknown('route', route, 'ROUTES', file, `${p}/routes/${j}`));
      });
    }
    const metricSli = ind.counterRatio ?? ind.freshness;
    if (metricSli) {
      const p = `${base}/indicator/${ind.counterRatio ? 'counterRatio' : 'freshness'}`;
      if (!METRIC_NAMES.has(metricSli.metric)) {
        errors.push(unknown('metric', metricSli.metric, 'METRICS', file, `${p}/metric`));
      }
    }
    if (ind.counterRatio) {
      const p = `${base}/indicator/counterRatio`;
      for (const [part, labels] of [
        ['selector', ind.counterRatio.selector ?? {}],
        ['badWhen', ind.counterRatio.badWhen],
      ] as const) {
        for (const label of Object.keys(labels)) {
          if (!LABEL_NAMES.has(label))
            errors.push(unknown('label', label, 'LABELS', file, `${p}/${part}/${label}`));
        }
      }
    }
  });
  return errors;
}
