// Validates a scenario before any request: every field is checked and the first problem throws
// a ScenarioError naming the field's path and the scenario file.

import { FAULT_DEPENDENCIES, tryParseDuration } from '@marketbench/contracts';
import { ScenarioError, type ScenarioErrorCode } from '../errors.ts';
import { BUILTIN_METRICS, metricType } from '../metrics/builtinMetrics.ts';
import { aggregationFits, parseMetricKey, parseThresholdExpression } from '../thresholds/parseThreshold.ts';
import type { MetricType, ScenarioDefinition } from '../types.ts';
import { templateReferences } from './templates.ts';

/** k6's executor names. */
export const EXECUTORS = [
  'constant-arrival-rate',
  'ramping-arrival-rate',
  'constant-vus',
  'ramping-vus',
  'per-vu-iterations',
  'shared-iterations',
] as const;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];
const METRIC_TYPES: MetricType[] = ['counter', 'rate', 'trend', 'gauge'];
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Obj = Record<string, unknown>;

class Checker {
  readonly file: string | undefined;
  constructor(file: string | undefined) {
    this.file = file;
  }
  fail(code: ScenarioErrorCode, field: string, message: string): never {
    throw new ScenarioError(code, message, { field, file: this.file });
  }
  object(v: unknown, field: string): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      this.fail('MB_ERR_SCENARIO_FIELD', field, 'must be an object');
    return v as Obj;
  }
  string(v: unknown, field: string): string {
    if (typeof v !== 'string' || v.length === 0)
      this.fail('MB_ERR_SCENARIO_FIELD', field, 'must be a non-empty string');
    return v;
  }
  number(v: unknown, field: string, opts: { integer?: boolean; min?: number } = {}): number {
    if (typeof v !== 'number' || !Number.isFinite(v))
      this.fail('MB_ERR_SCENARIO_NUMBER', field, `must be a finite number, got ${JSON.stringify(v)}`);
    const min = opts.min ?? 0;
    if (v < min) this.fail('MB_ERR_SCENARIO_NUMBER', field, `must be >= ${min}, got ${v}`);
    if (opts.integer && !Number.isInteger(v))
      this.fail('MB_ERR_SCENARIO_NUMBER', field, `must be an integer, got ${v}`);
    return v;
  }
  duration(v: unknown, field: string): number {
    const ms = typeof v === 'string' || typeof v === 'number' ? tryParseDuration(v) : undefined;
    if (ms === undefined)
      this.fail(
        'MB_ERR_SCENARIO_DURATION',
        field,
        `${JSON.stringify(v)} is not a duration such as "30s", "1m30s" or "500ms" (a bare number is ms, as in k6)`,
      );
    return ms;
  }
  optional<T>(v: unknown, check: (v: unknown) => T): T | undefined {
    return v === undefined ? undefined : check(v);
  }
}

/** Throws a ScenarioError for the first invalid field; returns the definition typed. */
export function validateScenario(input: unknown, file?: string): ScenarioDefinition {
  const c: Checker = new Checker(file);
  const def = c.object(input, 'scenario');
  if (def.apiVersion !== 'marketbench/v1')
    c.fail(
      'MB_ERR_SCENARIO_FIELD',
      'apiVersion',
      `must be "marketbench/v1", got ${JSON.stringify(def.apiVersion)}`,
    );
  c.string(def.name, 'name');
  c.string(def.description, 'description');

  const metrics: Record<string, MetricType> = {};
  if (def.metrics !== undefined) {
    for (const [name, type] of Object.entries(c.object(def.metrics, 'metrics'))) {
      if (!IDENT.test(name))
        c.fail(
          'MB_ERR_SCENARIO_METRIC',
          `metrics.${name}`,
          'metric names are identifiers ([A-Za-z_][A-Za-z0-9_]*)',
        );
      if (name in BUILTIN_METRICS)
        c.fail('MB_ERR_SCENARIO_METRIC', `metrics.${name}`, 'is a built-in metric name');
      if (!METRIC_TYPES.includes(type as MetricType))
        c.fail('MB_ERR_SCENARIO_METRIC', `metrics.${name}`, `type must be one of ${METRIC_TYPES.join(', ')}`);
      metrics[name] = type as MetricType;
    }
  }

  const feeders = def.feeders === undefined ? {} : c.object(def.feeders, 'feeders');
  for (const [name, f] of Object.entries(feeders)) {
    const field = `feeders.${name}`;
    const spec = c.object(f, field);
    if (!['sequential', 'random', 'unique'].includes(spec.mode as string))
      c.fail('MB_ERR_SCENARIO_FEEDER', `${field}.mode`, 'must be sequential, random or unique');
    if ((spec.file === undefined) === (spec.rows === undefined))
      c.fail('MB_ERR_SCENARIO_FEEDER', field, 'needs exactly one of file or rows');
    if (spec.file !== undefined) c.string(spec.file, `${field}.file`);
    if (spec.rows !== undefined && (!Array.isArray(spec.rows) || spec.rows.length === 0))
      c.fail('MB_ERR_SCENARIO_FEEDER', `${field}.rows`, 'must be a non-empty array of objects');
  }

  const journeys = c.object(def.journeys, 'journeys');
  if (Object.keys(journeys).length === 0)
    c.fail('MB_ERR_SCENARIO_FIELD', 'journeys', 'needs at least one journey');
  for (const [jname, j] of Object.entries(journeys)) {
    const jf = `journeys.${jname}`;
    const journey = c.object(j, jf);
    c.number(journey.weight, `${jf}.weight`);
    if (!Array.isArray(journey.steps) || journey.steps.length === 0)
      c.fail('MB_ERR_SCENARIO_FIELD', `${jf}.steps`, 'must be a non-empty array');
    const captured = new Set<string>();
    journey.steps.forEach((s: unknown, i: number) => {
      const sf = `${jf}.steps[${i}]`;
      const step = c.object(s, sf);
      c.string(step.name, `${sf}.name`);
      if (!METHODS.includes(step.method as string))
        c.fail('MB_ERR_SCENARIO_FIELD', `${sf}.method`, `must be one of ${METHODS.join(', ')}`);
      if (typeof step.path !== 'string' || !step.path.startsWith('/'))
        c.fail('MB_ERR_SCENARIO_FIELD', `${sf}.path`, 'must be a path starting with "/"');
      if (step.headers !== undefined)
        for (const [h, v] of Object.entries(c.object(step.headers, `${sf}.headers`)))
          c.string(v, `${sf}.headers.${h}`);
      for (const ref of templateReferences([step.path, step.headers, step.body])) {
        const dot = ref.indexOf('.');
        if (dot > 0) {
          if (!(ref.slice(0, dot) in feeders))
            c.fail(
              'MB_ERR_SCENARIO_REFERENCE',
              sf,
              `template {{${ref}}} names feeder "${ref.slice(0, dot)}", which is not declared in feeders`,
            );
        } else if (!captured.has(ref)) {
          c.fail(
            'MB_ERR_SCENARIO_REFERENCE',
            sf,
            `template {{${ref}}} is not a feeder column, a value captured by an earlier step, uuid:<label>, vu, iteration or randomInt:<min>:<max>`,
          );
        }
      }
      if (step.expectedStatuses !== undefined) {
        if (!Array.isArray(step.expectedStatuses))
          c.fail('MB_ERR_SCENARIO_FIELD', `${sf}.expectedStatuses`, 'must be an array of status codes');
        step.expectedStatuses.forEach((v: unknown, k: number) => {
          c.number(v, `${sf}.expectedStatuses[${k}]`, { integer: true, min: 100 });
        });
      }
      if (step.checks !== undefined) {
        for (const [cname, chk] of Object.entries(c.object(step.checks, `${sf}.checks`))) {
          const check = c.object(chk, `${sf}.checks.${cname}`);
          const known = ['status', 'jsonPath', 'equals', 'maxDurationMs'];
          for (const k of Object.keys(check))
            if (!known.includes(k))
              c.fail(
                'MB_ERR_SCENARIO_FIELD',
                `${sf}.checks.${cname}.${k}`,
                `unknown check field (known: ${known.join(', ')})`,
              );
          if (check.maxDurationMs !== undefined)
            c.number(check.maxDurationMs, `${sf}.checks.${cname}.maxDurationMs`);
        }
      }
      if (step.capture !== undefined) {
        for (const [v, p] of Object.entries(c.object(step.capture, `${sf}.capture`))) {
          c.string(p, `${sf}.capture.${v}`);
          if (!IDENT.test(v))
            c.fail('MB_ERR_SCENARIO_FIELD', `${sf}.capture.${v}`, 'variable names are identifiers');
          captured.add(v);
        }
      }
      if (step.think !== undefined) {
        if (typeof step.think === 'object') {
          const t = c.object(step.think, `${sf}.think`);
          const min = c.duration(t.min, `${sf}.think.min`);
          const max = c.duration(t.max, `${sf}.think.max`);
          if (max < min) c.fail('MB_ERR_SCENARIO_DURATION', `${sf}.think`, 'max must be >= min');
        } else c.duration(step.think, `${sf}.think`);
      }
      if (step.record !== undefined) {
        if (!Array.isArray(step.record)) c.fail('MB_ERR_SCENARIO_FIELD', `${sf}.record`, 'must be an array');
        step.record.forEach((r: unknown, k: number) => {
          const rec = c.object(r, `${sf}.record[${k}]`);
          const m = c.string(rec.metric, `${sf}.record[${k}].metric`);
          if (!(m in metrics))
            c.fail(
              'MB_ERR_SCENARIO_METRIC',
              `${sf}.record[${k}].metric`,
              `"${m}" is not declared in metrics`,
            );
          const v = rec.value;
          if (
            !(
              typeof v === 'number' ||
              v === 'duration' ||
              v === 'ok' ||
              (typeof v === 'string' && v.startsWith('json:'))
            )
          ) {
            c.fail(
              'MB_ERR_SCENARIO_FIELD',
              `${sf}.record[${k}].value`,
              'must be "duration", "ok", a number or "json:<path>"',
            );
          }
        });
      }
    });
  }

  const options = c.object(def.options, 'options');
  const scenarios =
    options.scenarios === undefined || SHORTCUTS.some((k) => options[k] !== undefined)
      ? { default: shortcutExecutor(options, c) }
      : c.object(options.scenarios, 'options.scenarios');
  if (Object.keys(scenarios).length === 0)
    c.fail('MB_ERR_SCENARIO_FIELD', 'options.scenarios', 'needs at least one named scenario');
  const normalized: Obj = {};
  let maxVus = 0;
  for (const [sname, s] of Object.entries(scenarios as Obj)) {
    const f = `options.scenarios.${sname}`;
    let e = c.object(s, f);
    if (e.exec !== undefined) {
      // k6's exec names the function a scenario runs; here a journey is that function.
      const exec = c.string(e.exec, `${f}.exec`);
      if (!(exec in journeys))
        c.fail(
          'MB_ERR_SCENARIO_REFERENCE',
          `${f}.exec`,
          `journey "${exec}" is not defined (exec names a journey)`,
        );
      const listed = e.journeys as unknown;
      if (listed !== undefined && !(Array.isArray(listed) && listed.length === 1 && listed[0] === exec))
        c.fail(
          'MB_ERR_SCENARIO_FIELD',
          `${f}.exec`,
          'exec and journeys name different journeys: set one of them',
        );
      e = { ...e, journeys: [exec] };
    }
    normalized[sname] = e;
    if (!EXECUTORS.includes(e.executor as (typeof EXECUTORS)[number])) {
      c.fail(
        'MB_ERR_SCENARIO_EXECUTOR',
        `${f}.executor`,
        `unknown executor ${JSON.stringify(e.executor)} (known: ${EXECUTORS.join(', ')})`,
      );
    }
    c.optional(e.startTime, (v) => c.duration(v, `${f}.startTime`));
    c.optional(e.gracefulStop, (v) => c.duration(v, `${f}.gracefulStop`));
    c.optional(e.timeUnit, (v) => c.duration(v, `${f}.timeUnit`));
    if (e.tags !== undefined)
      for (const [k, v] of Object.entries(c.object(e.tags, `${f}.tags`))) c.string(v, `${f}.tags.${k}`);
    if (e.journeys !== undefined) {
      if (!Array.isArray(e.journeys) || e.journeys.length === 0)
        c.fail('MB_ERR_SCENARIO_FIELD', `${f}.journeys`, 'must be a non-empty array of journey names');
      for (const j of e.journeys)
        if (!(j in journeys))
          c.fail('MB_ERR_SCENARIO_REFERENCE', `${f}.journeys`, `journey "${j}" is not defined`);
    }
    const names = (e.journeys as string[] | undefined) ?? Object.keys(journeys);
    if (!names.some((j) => ((journeys[j] as Obj).weight as number) > 0))
      c.fail('MB_ERR_SCENARIO_NUMBER', `${f}.journeys`, 'the journeys have no positive weight');
    const stages = (field: string) => {
      if (!Array.isArray(e.stages) || e.stages.length === 0)
        c.fail('MB_ERR_SCENARIO_FIELD', field, 'must be a non-empty array of {duration, target}');
      e.stages.forEach((st: unknown, i: number) => {
        const o = c.object(st, `${field}[${i}]`);
        c.duration(o.duration, `${field}[${i}].duration`);
        c.number(o.target, `${field}[${i}].target`);
      });
      return e.stages as { target: number }[];
    };
    switch (e.executor) {
      case 'constant-arrival-rate':
      case 'ramping-arrival-rate': {
        if (e.executor === 'constant-arrival-rate') {
          c.number(e.rate, `${f}.rate`);
          c.duration(e.duration, `${f}.duration`);
        } else {
          c.optional(e.startRate, (v) => c.number(v, `${f}.startRate`));
          stages(`${f}.stages`);
        }
        const pre = c.number(e.preAllocatedVUs, `${f}.preAllocatedVUs`, { integer: true });
        const max = c.optional(e.maxVUs, (v) => c.number(v, `${f}.maxVUs`, { integer: true, min: 1 })) ?? pre;
        if (max < pre) c.fail('MB_ERR_SCENARIO_NUMBER', `${f}.maxVUs`, `must be >= preAllocatedVUs (${pre})`);
        if (max < 1)
          c.fail('MB_ERR_SCENARIO_NUMBER', `${f}.maxVUs`, 'an arrival-rate executor needs at least one VU');
        maxVus = Math.max(maxVus, max);
        break;
      }
      case 'constant-vus':
        maxVus = Math.max(maxVus, c.number(e.vus, `${f}.vus`, { integer: true, min: 1 }));
        c.duration(e.duration, `${f}.duration`);
        break;
      case 'ramping-vus': {
        const start = c.optional(e.startVUs, (v) => c.number(v, `${f}.startVUs`, { integer: true })) ?? 1;
        maxVus = Math.max(maxVus, start, ...stages(`${f}.stages`).map((s) => Math.ceil(s.target)));
        c.optional(e.gracefulRampDown, (v) => c.duration(v, `${f}.gracefulRampDown`));
        break;
      }
      case 'per-vu-iterations':
      case 'shared-iterations':
        maxVus = Math.max(maxVus, c.number(e.vus, `${f}.vus`, { integer: true, min: 1 }));
        c.number(e.iterations, `${f}.iterations`, { integer: true, min: 1 });
        c.optional(e.maxDuration, (v) => c.duration(v, `${f}.maxDuration`));
        break;
    }
  }
  for (const [name, f] of Object.entries(feeders)) {
    const rows = (f as Obj).rows;
    if ((f as Obj).mode === 'unique' && Array.isArray(rows) && rows.length < maxVus) {
      c.fail(
        'MB_ERR_SCENARIO_FEEDER',
        `feeders.${name}`,
        `unique mode gives each VU its own row: ${rows.length} rows for up to ${maxVus} VUs`,
      );
    }
  }

  if (options.thresholds !== undefined) {
    for (const [key, items] of Object.entries(c.object(options.thresholds, 'options.thresholds'))) {
      const f = `options.thresholds["${key}"]`;
      const parsed = parseMetricKey(key);
      if (typeof parsed === 'string') c.fail('MB_ERR_SCENARIO_THRESHOLD', f, parsed);
      if ('url' in parsed.filter)
        c.fail(
          'MB_ERR_SCENARIO_THRESHOLD',
          f,
          'samples carry no url tag (one series per URL would not scale): filter by the step, {name:...}',
        );
      const type = metricType(parsed.metric, metrics);
      if (!type)
        c.fail(
          'MB_ERR_SCENARIO_METRIC',
          f,
          `"${parsed.metric}" is neither a built-in metric nor declared in metrics`,
        );
      if (!Array.isArray(items) || items.length === 0)
        c.fail('MB_ERR_SCENARIO_THRESHOLD', f, 'must be a non-empty array of expressions');
      items.forEach((item: unknown, i: number) => {
        const itemField = `${f}[${i}]`;
        let source: unknown = item;
        if (typeof item === 'object' && item !== null) {
          const o = item as Obj;
          source = o.threshold;
          if (o.abortOnFail !== undefined && typeof o.abortOnFail !== 'boolean')
            c.fail('MB_ERR_SCENARIO_THRESHOLD', `${itemField}.abortOnFail`, 'must be a boolean');
          c.optional(o.delayAbortEval, (v) => c.duration(v, `${itemField}.delayAbortEval`));
        }
        if (typeof source !== 'string')
          c.fail(
            'MB_ERR_SCENARIO_THRESHOLD',
            itemField,
            'must be an expression string or {threshold, abortOnFail, delayAbortEval}',
          );
        const expr = parseThresholdExpression(source);
        if (typeof expr === 'string') c.fail('MB_ERR_SCENARIO_THRESHOLD', itemField, expr);
        if (!aggregationFits(type, expr))
          c.fail(
            'MB_ERR_SCENARIO_THRESHOLD',
            itemField,
            `"${expr.aggregation === 'p' ? 'p(N)' : expr.aggregation}" does not apply to ${parsed.metric}, a ${type}`,
          );
      });
    }
  }
  if (options.tags !== undefined)
    for (const [k, v] of Object.entries(c.object(options.tags, 'options.tags')))
      c.string(v, `options.tags.${k}`);
  c.optional(options.timeScale, (v) => c.number(v, 'options.timeScale', { min: Number.MIN_VALUE }));
  if (options.knee !== undefined) {
    const k = c.object(options.knee, 'options.knee');
    c.number(k.p99Ms, 'options.knee.p99Ms');
    c.number(k.errorRate, 'options.knee.errorRate');
    c.optional(k.consecutiveSeconds, (v) =>
      c.number(v, 'options.knee.consecutiveSeconds', { integer: true, min: 1 }),
    );
  }

  if (def.faults !== undefined) {
    if (!Array.isArray(def.faults)) c.fail('MB_ERR_SCENARIO_FIELD', 'faults', 'must be an array');
    def.faults.forEach((fs: unknown, i: number) => {
      const ff = `faults[${i}]`;
      const fault = c.object(fs, ff);
      c.duration(fault.at, `${ff}.at`);
      if (!FAULT_DEPENDENCIES.includes(fault.dependency as (typeof FAULT_DEPENDENCIES)[number])) {
        c.fail(
          'MB_ERR_SCENARIO_FIELD',
          `${ff}.dependency`,
          `must be one of ${FAULT_DEPENDENCIES.join(', ')}`,
        );
      }
      if (fault.action !== 'set' && fault.action !== 'clear')
        c.fail('MB_ERR_SCENARIO_FIELD', `${ff}.action`, 'must be "set" or "clear"');
      if (fault.action === 'set') c.object(fault.spec, `${ff}.spec`);
    });
  }
  const { vus: _vus, duration: _duration, iterations: _iterations, stages: _stages, ...rest } = options;
  return { ...(def as object), options: { ...rest, scenarios: normalized } } as ScenarioDefinition;
}

/** k6's execution shortcuts (top-level options that stand for one `default` scenario). */
const SHORTCUTS = ['vus', 'duration', 'iterations', 'stages'] as const;

/** The executor k6 derives from the shortcuts (`options.vus`, `duration`, `iterations`, `stages`). */
function shortcutExecutor(options: Obj, c: Checker): Obj {
  const used = SHORTCUTS.filter((k) => options[k] !== undefined);
  if (options.scenarios !== undefined)
    c.fail(
      'MB_ERR_SCENARIO_FIELD',
      `options.${used[0]}`,
      `using an execution shortcut (${used.join(', ')}) and scenarios simultaneously is not allowed (as in k6)`,
    );
  const vus = c.optional(options.vus, (v) => c.number(v, 'options.vus', { integer: true })) ?? 1;
  if (options.iterations !== undefined) {
    if (options.stages !== undefined)
      c.fail(
        'MB_ERR_SCENARIO_FIELD',
        'options.stages',
        'iterations and stages cannot be used together (as in k6)',
      );
    return {
      executor: 'shared-iterations',
      vus,
      iterations: options.iterations,
      ...(options.duration !== undefined ? { maxDuration: options.duration } : {}),
    };
  }
  if (options.stages !== undefined) {
    if (options.duration !== undefined)
      c.fail(
        'MB_ERR_SCENARIO_FIELD',
        'options.duration',
        'duration and stages cannot be used together (as in k6)',
      );
    return { executor: 'ramping-vus', startVUs: vus, stages: options.stages };
  }
  if (options.duration !== undefined) return { executor: 'constant-vus', vus, duration: options.duration };
  // No execution option at all: k6 runs one iteration per VU (per-vu-iterations, 1 VU by default).
  return { executor: 'per-vu-iterations', vus, iterations: 1 };
}
