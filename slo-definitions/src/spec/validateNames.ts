// Stage 1b of the pipeline. A spec for one of marketbench's own services must name only what
// exists in the one name table (contracts), so a renamed metric fails validation here instead of
// silently breaking an alert. A spec for any other service (a user's own, OpenTelemetry-
// instrumented) is open: its routes, metrics and labels are its own, checked for syntax only
// (`slo validate --against-metrics` / `--against-store` then warns about selectors that match nothing).

import { LABELS, METRICS, ROUTE_GROUPS, ROUTES, SERVICES } from '@marketbench/contracts';
import { SloError } from '../errors.ts';
import type { SloSpecFile } from '../types.ts';

const SERVICE_NAMES = new Set<string>(Object.values(SERVICES));
const ROUTE_NAMES = new Set<string>(Object.values(ROUTES));
const METRIC_NAMES = new Set<string>(Object.values(METRICS));
const LABEL_NAMES = new Set<string>(Object.values(LABELS));
const GROUP_NAMES = new Set<string>(Object.keys(ROUTE_GROUPS));
const METRIC_SYNTAX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_SYNTAX = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** True when the spec is for one of marketbench's own services (validated against the name table). */
export function isBuiltinService(service: string): boolean {
  return SERVICE_NAMES.has(service);
}

/** Syntax problems of an open (user's) spec: route groups are ours, metric and label names Prometheus'. */
function validateOpen(spec: SloSpecFile, file: string): SloError[] {
  const errors: SloError[] = [];
  const bad = (path: string, msg: string) =>
    errors.push(new SloError('MB_ERR_SLO_UNKNOWN_NAME', msg, { file, path }));
  spec.spec.slos.forEach((slo, i) => {
    const base = `/spec/slos/${i}/indicator`;
    const ind = slo.indicator;
    const http = ind.httpAvailability ?? ind.httpLatency;
    if (http?.routeGroup !== undefined) {
      const p = `${base}/${ind.httpAvailability ? 'httpAvailability' : 'httpLatency'}/routeGroup`;
      bad(
        p,
        `route groups are marketbench's own (service ${spec.spec.service} is not): list its routes in "routes"`,
      );
    }
    const metricSli = ind.counterRatio ?? ind.freshness;
    if (metricSli && !METRIC_SYNTAX.test(metricSli.metric)) {
      bad(
        `${base}/${ind.counterRatio ? 'counterRatio' : 'freshness'}/metric`,
        `"${metricSli.metric}" is not a Prometheus metric name`,
      );
    }
    if (ind.counterRatio) {
      for (const label of Object.keys(ind.counterRatio.badWhen)) {
        if (!LABEL_SYNTAX.test(label))
          bad(`${base}/counterRatio/badWhen/${label}`, `"${label}" is not a Prometheus label name`);
      }
    }
  });
  return errors;
}

// The error names the table to look in rather than listing it: the tables grow, error text should not.
function unknown(kind: string, name: string, table: string, file: string, path: string): SloError {
  return new SloError(
    'MB_ERR_SLO_UNKNOWN_NAME',
    `unknown ${kind} "${name}" (not in ${table} of contracts/src/names.ts)`,
    {
      file,
      path,
    },
  );
}

/** Every name-table problem of a schema-valid spec, plus duplicate SLO names; empty when clean. */
export function validateNames(spec: SloSpecFile, file: string): SloError[] {
  const errors: SloError[] = [];
  const builtin = isBuiltinService(spec.spec.service);
  if (!builtin) errors.push(...validateOpen(spec, file));
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
    if (!builtin) return;
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
