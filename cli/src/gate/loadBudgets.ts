// Reads and validates a budgets file before any query runs: a marketbench/v1 Budgets file, or a
// plain k6 options file (JSON or YAML) whose thresholds become the budgets. Both are checked by a
// JSON Schema (ajv) that refuses unknown keys; every problem names the file and the field.

import fs from 'node:fs';
import { BUILTIN_METRICS, type ThresholdItem } from '@marketbench/load-scenarios';
import { Ajv, type ErrorObject } from 'ajv';
import YAML from 'yaml';
import { CliError } from '../errors.ts';
import { BUDGETS_SCHEMA, K6_OPTIONS_SCHEMA } from './budgetsSchema.ts';
import { validateCapacityBudgets } from './capacityBudgets.ts';
import { DEFAULT_BASELINE_POLICY } from './compareSteps.ts';
import { type ThresholdSyntax, thresholdSyntax } from './thresholdSyntax.ts';
import type { BaselinePolicy, BudgetsSpec } from './types.ts';

/** A budgets file, validated, with the baseline policy's defaults filled in. */
export interface Budgets {
  /** Name shown in reports (metadata.name, else the file name). */
  name: string;
  /** The file it was read from (for messages). */
  file: string;
  /** `marketbench` for a Budgets file, `k6` for a k6 options file. */
  format: 'marketbench' | 'k6';
  /** The spec (a k6 options file's thresholds become spec.thresholds). */
  spec: BudgetsSpec;
  /** Baseline policy with defaults. */
  baseline: BaselinePolicy;
  /** What the gate should say about the file (k6 options it does not apply). */
  notes: string[];
}

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const validateBudgetsDoc = ajv.compile(BUDGETS_SCHEMA);
const validateK6Options = ajv.compile(K6_OPTIONS_SCHEMA);

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function invalid(file: string, field: string, why: string): CliError {
  return new CliError('MB_ERR_BUDGET_INVALID', `${file}: ${field}: ${why}`);
}

/** One line per schema problem, `/json/pointer: message`, unknown keys named. */
function schemaMessages(errors: readonly ErrorObject[]): string[] {
  // An anyOf reports once for itself and once per branch: keep its own line (and an unknown key
  // inside a branch, which says exactly what is wrong).
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath);
  const out = new Set<string>();
  for (const e of errors) {
    const at = e.instancePath || '(root)';
    if (e.propertyName !== undefined) continue; // the enum inside propertyNames, reported below
    if (e.keyword === 'additionalProperties') {
      out.add(`${at}: unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`);
    } else if (e.keyword === 'propertyNames') {
      out.add(
        `${at}: unknown key "${(e.params as { propertyName: string }).propertyName}" (not a k6 option)`,
      );
    } else if (e.keyword === 'anyOf') {
      out.add(
        e.instancePath.includes('/slos/')
          ? `${at}: set maxBurnRate, maxBudgetConsumed or noPage`
          : `${at}: must be an expression string such as "p(99)<300" or { threshold: "..." }`,
      );
    } else if (anyOfPaths.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`))) {
      // a branch of an anyOf: its own line says it
    } else if (e.keyword === 'const') {
      out.add(`${at}: must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`);
    } else {
      out.add(`${at}: ${e.message}`);
    }
  }
  return [...out];
}

/** Checks every threshold's syntax; built-in metrics also get their aggregations checked. */
function checkThresholds(
  file: string,
  prefix: string,
  thresholds: Record<string, ThresholdItem[]>,
  syntax: ThresholdSyntax,
): void {
  for (const [key, items] of Object.entries(thresholds)) {
    const field = `${prefix}["${key}"]`;
    const parsed = syntax.parseMetricKey(key);
    if (typeof parsed === 'string') throw invalid(file, field, parsed);
    if (!IDENT.test(parsed.metric)) throw invalid(file, field, `"${parsed.metric}" is not a metric name`);
    if ('url' in parsed.filter)
      throw invalid(
        file,
        field,
        'marketbench samples carry no url tag (one series per URL would not scale): filter by the step, {name:...}',
      );
    for (const item of items) {
      const e = typeof item === 'string' ? item : item.threshold;
      const x = syntax.parseThresholdExpression(e);
      if (typeof x === 'string') throw invalid(file, field, x);
      if (parsed.metric in BUILTIN_METRICS && !syntax.aggregationFits(parsed.metric, x))
        throw invalid(file, field, `"${e}": aggregation does not apply to ${parsed.metric}`);
    }
  }
}

/** Validates a parsed budgets document (a Budgets file or a k6 options file). */
export function validateBudgets(
  doc: unknown,
  file: string,
  syntax: ThresholdSyntax = thresholdSyntax,
): Budgets {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw invalid(file, '(root)', 'expected a mapping (a marketbench/v1 Budgets file or k6 options)');
  const d = doc as Record<string, unknown>;
  const notes: string[] = [];
  let spec: BudgetsSpec;
  let format: Budgets['format'];
  if ('apiVersion' in d || 'kind' in d || 'spec' in d) {
    if (!validateBudgetsDoc(d))
      throw new CliError(
        'MB_ERR_BUDGET_INVALID',
        `${file}: ${schemaMessages(validateBudgetsDoc.errors ?? []).join('; ')}`,
      );
    spec = d as unknown as BudgetsSpec;
    format = 'marketbench';
  } else {
    if (!validateK6Options(d))
      throw new CliError(
        'MB_ERR_BUDGET_INVALID',
        `${file}: ${schemaMessages(validateK6Options.errors ?? []).join('; ')} (a budgets file is either apiVersion: marketbench/v1, kind: Budgets, or k6 options with thresholds)`,
      );
    const ignored = Object.keys(d).filter((k) => k !== 'thresholds');
    if (ignored.length > 0)
      notes.push(
        `${file}: k6 options other than thresholds do not apply to a stored run: ${ignored.join(', ')}`,
      );
    spec = {
      apiVersion: 'marketbench/v1',
      kind: 'Budgets',
      spec: { thresholds: d.thresholds as Record<string, ThresholdItem[]> },
    };
    format = 'k6';
  }
  const s = spec.spec;
  const prefix = format === 'k6' ? 'thresholds' : 'spec.thresholds';
  checkThresholds(file, prefix, s.thresholds ?? {}, syntax);
  const thresholdCount = Object.keys(s.thresholds ?? {}).length;
  if (
    thresholdCount === 0 &&
    (s.slos ?? []).length === 0 &&
    s.baseline === undefined &&
    s.capacity === undefined
  )
    throw invalid(
      file,
      format === 'k6' ? 'thresholds' : 'spec',
      'no budgets: set thresholds, slos, capacity or a baseline policy (an empty gate would pass anything)',
    );
  validateCapacityBudgets(s.capacity, file);
  for (const a of s.thresholds ? Object.values(s.thresholds) : [])
    for (const item of a)
      if (typeof item === 'object' && item.abortOnFail)
        notes.push(`${file}: abortOnFail has no effect on a stored run (the gate runs after it ended)`);
  const baseline: BaselinePolicy = { ...DEFAULT_BASELINE_POLICY, ...(s.baseline ?? {}) };
  const name = spec.metadata?.name ?? file.replace(/^.*\//, '');
  return { name, file, format, spec, baseline, notes: [...new Set(notes)] };
}

/** Reads a budgets file (YAML or JSON). */
export function loadBudgets(file: string, syntax: ThresholdSyntax = thresholdSyntax): Budgets {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError('MB_ERR_BUDGET_INVALID', `cannot read budgets ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let doc: unknown;
  try {
    // YAML 1.2 is a superset of JSON: one parser reads both.
    doc = YAML.parse(text);
  } catch (err) {
    throw new CliError(
      'MB_ERR_BUDGET_INVALID',
      `${file} is not valid YAML or JSON: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return validateBudgets(doc, file, syntax);
}
