// The whole pipeline for one file: parse and schema-check → check names → derive SLIs →
// burn windows → compiled SLOs. Every stage is its own module and test.

import { SloError, SloValidationError } from '../errors.ts';
import { parseDuration } from '../spec/duration.ts';
import { parseSpec } from '../spec/parseSpec.ts';
import { validateNames } from '../spec/validateNames.ts';
import { validateThresholds } from '../spec/validateThresholds.ts';
import type { Slo, SloSpecFile } from '../types.ts';
import { alertFor, burnWindows } from './burnWindows.ts';
import { deriveSli } from './deriveSli.ts';

function pascal(name: string): string {
  return name
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** Compiles a parsed spec; throws SloValidationError listing every name or window problem. */
export function compileSpecFile(spec: SloSpecFile, file: string): Slo[] {
  const errors: SloError[] = [...validateNames(spec, file), ...validateThresholds(spec, file)];
  const slos: Slo[] = [];
  spec.spec.slos.forEach((s, i) => {
    try {
      const target = s.objectives[0].target;
      const windows = burnWindows(s.timeWindow.duration, s.alerting?.windows, {
        file,
        path: `/spec/slos/${i}`,
      });
      slos.push({
        id: `${spec.metadata.name}-${s.name}`,
        name: s.name,
        displayName: s.displayName ?? s.name,
        description: s.description.trim(),
        service: spec.spec.service,
        file,
        target,
        errorBudget: Number((1 - target).toPrecision(10)),
        period: s.timeWindow.duration,
        periodSeconds: parseDuration(s.timeWindow.duration),
        sli: deriveSli(spec.spec.service, s, spec.spec.prometheusSelector),
        windows,
        alertName: s.alerting?.name ?? `${pascal(s.name)}BudgetBurn`,
        labels: { ...(spec.spec.labels ?? {}), ...(s.alerting?.labels ?? {}) },
        annotations: { ...(s.alerting?.annotations ?? {}) },
        severityLabels: { page: s.alerting?.pageLabels ?? {}, ticket: s.alerting?.ticketLabels ?? {} },
        alertFor: alertFor(windows, { page: s.alerting?.pageFor, ticket: s.alerting?.ticketFor }),
      });
    } catch (err) {
      if (err instanceof SloError) errors.push(err);
      else throw err;
    }
  });
  if (errors.length > 0) throw new SloValidationError(errors);
  return slos;
}

/** Parses, validates and compiles one spec file's text. */
export function compileSpec(text: string, file: string): Slo[] {
  return compileSpecFile(parseSpec(text, file), file);
}
