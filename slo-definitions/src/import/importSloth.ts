// `marketbench slo import sloth FILE`: a Sloth `prometheus/v1` spec → a marketbench/v1 spec.
// Sloth's fields map one to one where marketbench has them (objective %, labels, alerting name,
// labels, annotations, page/ticket labels and for); its event queries become an SLI marketbench
// can also compile to ClickHouse SQL (toIndicator). Every problem names the field.

import { parse } from 'yaml';
import { DEFAULT_WINDOWS } from '../pipeline/burnWindows.ts';
import type { AlertingSpec, SloSpec, SloSpecFile } from '../types.ts';
import { ImportProblem, toIndicator } from './toIndicator.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A marketbench name (`lowercase-words`) from any name. */
export function specName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^([0-9])/, 's-$1');
}

function strings(v: unknown, field: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new ImportProblem(field, 'must be a map of strings');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

function alertOf(
  v: unknown,
  field: string,
): { labels?: Record<string, string>; for?: string; disable: boolean } {
  if (v === undefined || v === null) return { disable: false };
  if (!isObj(v)) throw new ImportProblem(field, 'must be a map');
  const forValue = v.for === undefined ? undefined : String(v.for);
  if (forValue !== undefined && !/^[0-9]+(ms|s|m|h|d|w)$/.test(forValue))
    throw new ImportProblem(`${field}.for`, `"${forValue}" is not a duration such as 5m`);
  return { labels: strings(v.labels, `${field}.labels`), for: forValue, disable: v.disable === true };
}

/** Converts the text of a Sloth prometheus/v1 file; throws ImportProblem naming the field. */
export function importSloth(text: string): SloSpecFile {
  const doc: unknown = parse(text);
  if (!isObj(doc)) throw new ImportProblem('(file)', 'is not a YAML map');
  if (doc.version !== 'prometheus/v1')
    throw new ImportProblem(
      'version',
      `must be "prometheus/v1" (Sloth's Prometheus spec), got ${JSON.stringify(doc.version)}`,
    );
  if (typeof doc.service !== 'string' || doc.service === '')
    throw new ImportProblem('service', 'is required');
  if (!Array.isArray(doc.slos) || doc.slos.length === 0)
    throw new ImportProblem('slos', 'needs at least one SLO');
  let scope: Record<string, string> | undefined;
  const slos: SloSpec[] = doc.slos.map((raw: unknown, i: number): SloSpec => {
    const at = `slos[${i}]`;
    if (!isObj(raw)) throw new ImportProblem(at, 'must be a map');
    if (typeof raw.name !== 'string') throw new ImportProblem(`${at}.name`, 'is required');
    const objective = Number(raw.objective);
    if (!(objective > 0 && objective < 100))
      throw new ImportProblem(`${at}.objective`, 'must be a percentage between 0 and 100 (99.9)');
    const sli = raw.sli;
    if (!isObj(sli)) throw new ImportProblem(`${at}.sli`, 'is required');
    if (sli.raw !== undefined)
      throw new ImportProblem(
        `${at}.sli.raw`,
        'a raw error-ratio query cannot be compiled to ClickHouse SQL; give events (error_query and total_query)',
      );
    if (sli.plugin !== undefined)
      throw new ImportProblem(
        `${at}.sli.plugin`,
        'Sloth SLI plugins are not supported; give events (error_query and total_query)',
      );
    const events = sli.events;
    if (!isObj(events) || typeof events.error_query !== 'string' || typeof events.total_query !== 'string')
      throw new ImportProblem(`${at}.sli.events`, 'needs error_query and total_query');
    const converted = toIndicator({
      total: events.total_query,
      totalField: `${at}.sli.events.total_query`,
      bad: events.error_query,
      ratioField: `${at}.sli.events.error_query`,
    });
    if (scope && JSON.stringify(scope) !== JSON.stringify(converted.scope))
      throw new ImportProblem(
        `${at}.sli.events.total_query`,
        'selects another job than the SLOs before it (one service per spec)',
      );
    scope = converted.scope;
    const alerting = isObj(raw.alerting) ? raw.alerting : {};
    const page = alertOf(alerting.page_alert, `${at}.alerting.page_alert`);
    const ticket = alertOf(alerting.ticket_alert, `${at}.alerting.ticket_alert`);
    const spec: AlertingSpec = {};
    if (typeof alerting.name === 'string') {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alerting.name))
        throw new ImportProblem(`${at}.alerting.name`, `"${alerting.name}" is not a Prometheus alert name`);
      spec.name = alerting.name;
    }
    const labels = {
      ...(strings(raw.labels, `${at}.labels`) ?? {}),
      ...(strings(alerting.labels, `${at}.alerting.labels`) ?? {}),
    };
    if (Object.keys(labels).length) spec.labels = labels;
    const annotations = strings(alerting.annotations, `${at}.alerting.annotations`);
    if (annotations) spec.annotations = annotations;
    if (page.labels) spec.pageLabels = page.labels;
    if (ticket.labels) spec.ticketLabels = ticket.labels;
    if (page.for) spec.pageFor = page.for;
    if (ticket.for) spec.ticketFor = ticket.for;
    if (page.disable && ticket.disable)
      throw new ImportProblem(
        `${at}.alerting`,
        'both alerts disabled: marketbench SLOs alert (drop the SLO or keep one alert)',
      );
    if (page.disable || ticket.disable) {
      const keep = page.disable ? 'ticket' : 'page';
      spec.windows = DEFAULT_WINDOWS.filter((w) => w.severity === keep).map((w) => ({ ...w }));
    }
    const description =
      typeof raw.description === 'string' && raw.description.trim().length >= 10
        ? raw.description.trim()
        : `${raw.name} (imported from Sloth; describe what a user experiences when it is met)`;
    return {
      name: specName(raw.name),
      description,
      indicator: converted.indicator,
      objectives: [{ target: Number((objective / 100).toPrecision(10)) }],
      timeWindow: { duration: '30d', isRolling: true },
      budgetingMethod: 'Occurrences',
      ...(Object.keys(spec).length ? { alerting: spec } : {}),
    };
  });
  const service = doc.service;
  const labels = strings(doc.labels, 'labels');
  return {
    apiVersion: 'marketbench/v1',
    kind: 'ServiceLevelObjectives',
    metadata: { name: specName(service) },
    spec: {
      service,
      ...(labels ? { labels } : {}),
      // Sloth's queries select the job themselves: keep exactly that (none when they select none).
      ...(JSON.stringify(scope ?? {}) !== JSON.stringify({ job: service })
        ? { prometheusSelector: scope ?? {} }
        : {}),
      slos,
    },
  };
}
