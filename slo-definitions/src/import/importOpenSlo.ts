// `marketbench slo import openslo FILE`: OpenSLO v1 documents → a marketbench/v1 spec. Reads the
// `SLO` documents (inline `indicator` or `indicatorRef` to an `SLI` document of the same file) with
// a Prometheus `ratioMetric` (good or bad, and total); `Service`, `DataSource` and alert documents
// are skipped. Every problem names the document and field.

import { parseAllDocuments } from 'yaml';
import type { SloSpec, SloSpecFile } from '../types.ts';
import { specName } from './importSloth.ts';
import { ImportProblem, toIndicator } from './toIndicator.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function query(source: unknown, field: string): string {
  if (!isObj(source) || !isObj(source.metricSource)) throw new ImportProblem(field, 'needs metricSource');
  const ms = source.metricSource;
  if (typeof ms.type === 'string' && ms.type.toLowerCase() !== 'prometheus')
    throw new ImportProblem(`${field}.metricSource.type`, `"${ms.type}" is not Prometheus`);
  const q = isObj(ms.spec) ? ms.spec.query : undefined;
  if (typeof q !== 'string') throw new ImportProblem(`${field}.metricSource.spec.query`, 'is required');
  return q;
}

/** Converts the text of an OpenSLO v1 file; throws ImportProblem naming the field. */
export function importOpenSlo(text: string): SloSpecFile {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
  const slis = new Map<string, Obj>();
  docs.forEach((d) => {
    if (isObj(d) && d.kind === 'SLI' && isObj(d.metadata) && typeof d.metadata.name === 'string')
      slis.set(d.metadata.name, d);
  });
  let service: string | undefined;
  let scope: Record<string, string> | undefined;
  const slos: SloSpec[] = [];
  docs.forEach((d, i) => {
    if (!isObj(d) || d.kind !== 'SLO') return;
    const at = `documents[${i}]`;
    if (d.apiVersion !== 'openslo/v1')
      throw new ImportProblem(
        `${at}.apiVersion`,
        `must be "openslo/v1", got ${JSON.stringify(d.apiVersion)}`,
      );
    const name = isObj(d.metadata) ? d.metadata.name : undefined;
    if (typeof name !== 'string') throw new ImportProblem(`${at}.metadata.name`, 'is required');
    const spec = d.spec;
    if (!isObj(spec)) throw new ImportProblem(`${at}.spec`, 'is required');
    if (typeof spec.service !== 'string') throw new ImportProblem(`${at}.spec.service`, 'is required');
    if (service !== undefined && spec.service !== service)
      throw new ImportProblem(
        `${at}.spec.service`,
        `"${spec.service}" differs from "${service}" (one service per spec: import each separately)`,
      );
    service = spec.service;
    if (spec.budgetingMethod !== undefined && spec.budgetingMethod !== 'Occurrences')
      throw new ImportProblem(
        `${at}.spec.budgetingMethod`,
        `only Occurrences is supported, got ${JSON.stringify(spec.budgetingMethod)}`,
      );
    let indicator: unknown = spec.indicator;
    let indicatorAt = `${at}.spec.indicator`;
    if (indicator === undefined && typeof spec.indicatorRef === 'string') {
      indicator = slis.get(spec.indicatorRef);
      indicatorAt = `SLI ${spec.indicatorRef}`;
      if (!indicator)
        throw new ImportProblem(
          `${at}.spec.indicatorRef`,
          `no SLI document named "${spec.indicatorRef}" in the file`,
        );
    }
    const ratio = isObj(indicator) && isObj(indicator.spec) ? indicator.spec.ratioMetric : undefined;
    if (!isObj(ratio))
      throw new ImportProblem(
        `${indicatorAt}.spec.ratioMetric`,
        'is required (thresholdMetric SLIs are not supported)',
      );
    if (ratio.counter === false)
      throw new ImportProblem(
        `${indicatorAt}.spec.ratioMetric.counter`,
        'must be true: marketbench SLIs count events',
      );
    const which = ratio.bad !== undefined ? 'bad' : 'good';
    const converted = toIndicator({
      total: query(ratio.total, `${indicatorAt}.spec.ratioMetric.total`),
      totalField: `${indicatorAt}.spec.ratioMetric.total.metricSource.spec.query`,
      [which]: query(ratio[which], `${indicatorAt}.spec.ratioMetric.${which}`),
      ratioField: `${indicatorAt}.spec.ratioMetric.${which}.metricSource.spec.query`,
    } as Parameters<typeof toIndicator>[0]);
    if (scope && JSON.stringify(scope) !== JSON.stringify(converted.scope))
      throw new ImportProblem(
        `${indicatorAt}.spec.ratioMetric.total`,
        'selects another job than the SLOs before it',
      );
    scope = converted.scope;
    const windows = spec.timeWindow;
    const w = Array.isArray(windows) ? windows[0] : undefined;
    if (!isObj(w) || typeof w.duration !== 'string' || !/^[0-9]+(m|h|d|w)$/.test(w.duration))
      throw new ImportProblem(`${at}.spec.timeWindow[0].duration`, 'needs a duration such as 28d');
    if (w.isRolling === false)
      throw new ImportProblem(`${at}.spec.timeWindow[0].isRolling`, 'calendar windows are not supported');
    const objective = Array.isArray(spec.objectives) ? spec.objectives[0] : undefined;
    if (!isObj(objective)) throw new ImportProblem(`${at}.spec.objectives[0]`, 'is required');
    const target =
      objective.target !== undefined ? Number(objective.target) : Number(objective.targetPercent) / 100;
    if (!(target > 0 && target < 1))
      throw new ImportProblem(
        `${at}.spec.objectives[0].target`,
        'must be between 0 and 1 (or targetPercent between 0 and 100)',
      );
    const description =
      typeof spec.description === 'string' && spec.description.trim().length >= 10
        ? spec.description.trim()
        : `${name} (imported from OpenSLO; describe what a user experiences when it is met)`;
    const displayName =
      isObj(d.metadata) && typeof d.metadata.displayName === 'string' ? d.metadata.displayName : undefined;
    slos.push({
      name: specName(name),
      ...(displayName ? { displayName } : {}),
      description,
      indicator: converted.indicator,
      objectives: [{ target: Number(target.toPrecision(10)) }],
      timeWindow: { duration: w.duration, isRolling: true },
      budgetingMethod: 'Occurrences',
    });
  });
  if (service === undefined) throw new ImportProblem('(file)', 'holds no OpenSLO v1 SLO document');
  return {
    apiVersion: 'marketbench/v1',
    kind: 'ServiceLevelObjectives',
    metadata: { name: specName(service) },
    spec: {
      service,
      ...(JSON.stringify(scope ?? {}) !== JSON.stringify({ job: service })
        ? { prometheusSelector: scope ?? {} }
        : {}),
      slos,
    },
  };
}
