// An imported SLI (a total query and a bad or good query, PromQL) → a marketbench indicator:
// `httpAvailability` over OpenTelemetry's HTTP server histogram when that is what it counts,
// otherwise `counterRatio` over the counter. The job matcher becomes the spec's Prometheus
// selector. Anything marketbench could not also compile to ClickHouse SQL is refused, naming
// the field.

import { LABELS, METRICS } from '@marketbench/contracts';
import type { IndicatorSpec } from '../types.ts';
import { extraMatchers, literalAlternatives, type Matcher, parseCounterQuery } from './promqlSelector.ts';

/** A conversion problem at a field of the imported file. */
export class ImportProblem extends Error {
  /** Dotted path of the field in the imported file (`slos[0].sli.events.error_query`). */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** The indicator, and the labels every selector carries (the job). */
export interface ImportedIndicator {
  indicator: IndicatorSpec;
  scope: Record<string, string>;
}

const SHAPE =
  'must be sum(rate(<counter>{<matchers>}[<window>])) (or the bare selector) with the same counter and matchers as the total query plus the matchers that make an event bad';

function values(m: Matcher, field: string): string[] {
  if (m.op === '=' || m.op === '!=') return [m.value];
  const alt = literalAlternatives(m.value);
  if (!alt)
    throw new ImportProblem(
      field,
      `matcher ${m.label}${m.op}"${m.value}" is a pattern, not a list of values`,
    );
  return alt;
}

/**
 * Converts one SLI. `badQuery` counts bad events, or `goodQuery` good ones (then its extra
 * matchers must be negative: `status!~"5.."` makes `status=~"5.."` bad).
 */
export function toIndicator(q: {
  total: string;
  totalField: string;
  bad?: string;
  good?: string;
  ratioField: string;
}): ImportedIndicator {
  const total = parseCounterQuery(q.total);
  if (!total) throw new ImportProblem(q.totalField, SHAPE);
  const other = parseCounterQuery(q.bad ?? q.good ?? '');
  if (!other) throw new ImportProblem(q.ratioField, SHAPE);
  const extra = extraMatchers(other, total);
  if (!extra || extra.length === 0) throw new ImportProblem(q.ratioField, SHAPE);
  // Bad events as positive matchers.
  const bad: Matcher[] = q.bad
    ? extra
    : extra.map((m) => {
        if (m.op === '!=') return { ...m, op: '=' };
        if (m.op === '!~') return { ...m, op: '=~' };
        throw new ImportProblem(
          q.ratioField,
          `good-event matcher ${m.label}${m.op}"${m.value}" cannot be turned into bad events (use != or !~, or give the bad query)`,
        );
      });
  if (bad.some((m) => m.op === '!=' || m.op === '!~'))
    throw new ImportProblem(q.ratioField, 'bad events must be selected with = or =~ matchers');
  const scope: Record<string, string> = {};
  const rest: Matcher[] = [];
  for (const m of total.matchers) {
    if (m.label === 'job' && m.op === '=') scope.job = m.value;
    else rest.push(m);
  }

  if (total.metric === `${METRICS.httpServerDuration}_count`) {
    const status = bad.length === 1 && bad[0].label === LABELS.statusCode ? bad[0] : undefined;
    if (!status || !/^\(?5\.\.\)?$/.test(status.value) || status.op !== '=~')
      throw new ImportProblem(
        q.ratioField,
        `on ${total.metric} only ${LABELS.statusCode}=~"5.." (server errors) converts`,
      );
    const http: { routes?: string[]; methods?: string[]; excludeClientErrors?: boolean } = {};
    for (const m of rest) {
      if (m.label === LABELS.route && (m.op === '=' || m.op === '=~')) http.routes = values(m, q.totalField);
      else if (m.label === LABELS.method && (m.op === '=' || m.op === '=~'))
        http.methods = values(m, q.totalField);
      else if (m.label === LABELS.statusCode && m.op === '!~' && /^\(?4\.\.\)?$/.test(m.value))
        http.excludeClientErrors = true;
      else
        throw new ImportProblem(
          q.totalField,
          `matcher ${m.label}${m.op}"${m.value}" has no marketbench equivalent`,
        );
    }
    if (!http.routes)
      throw new ImportProblem(q.totalField, `needs a ${LABELS.route} matcher (the routes the SLO covers)`);
    return { indicator: { httpAvailability: http as IndicatorSpec['httpAvailability'] & object }, scope };
  }

  const selector: Record<string, string> = {};
  for (const m of rest) {
    if (m.op !== '=')
      throw new ImportProblem(
        q.totalField,
        `matcher ${m.label}${m.op}"${m.value}": the total may only select with =`,
      );
    selector[m.label] = m.value;
  }
  const badWhen: Record<string, string[]> = {};
  for (const m of bad) badWhen[m.label] = values(m, q.ratioField);
  return {
    indicator: {
      counterRatio: { metric: total.metric, ...(Object.keys(selector).length ? { selector } : {}), badWhen },
    },
    scope,
  };
}
