// Reads and validates a budgets file (`apiVersion: marketbench/v1`, `kind: Budgets`) before any
// query runs, naming the file and the field of the first problem.

import fs from 'node:fs';
import YAML from 'yaml';
import { CliError, EXIT } from '../errors.ts';
import { DEFAULT_BASELINE_POLICY } from './compareSteps.ts';
import { GATE_METRICS } from './runData.ts';
import { type ThresholdSyntax, thresholdSyntax } from './thresholdSyntax.ts';
import type { BaselinePolicy, BudgetsSpec, SloBudget } from './types.ts';

/** A budgets file, validated, with the baseline policy's defaults filled in. */
export interface Budgets {
  /** Name shown in reports (metadata.name, else the file name). */
  name: string;
  /** The spec as written. */
  spec: BudgetsSpec;
  /** Baseline policy with defaults. */
  baseline: BaselinePolicy;
}

function invalid(file: string, field: string, why: string): CliError {
  return new CliError('MB_ERR_BUDGET_INVALID', `${file}: ${field}: ${why}`, EXIT.usage);
}

/** Validates a parsed budgets document. */
export function validateBudgets(
  doc: unknown,
  file: string,
  syntax: ThresholdSyntax = thresholdSyntax,
): Budgets {
  if (typeof doc !== 'object' || doc === null) throw invalid(file, '(root)', 'expected a YAML mapping');
  const d = doc as Record<string, unknown>;
  if (d.apiVersion !== 'marketbench/v1') throw invalid(file, 'apiVersion', 'must be marketbench/v1');
  if (d.kind !== 'Budgets') throw invalid(file, 'kind', 'must be Budgets');
  const spec = d.spec as BudgetsSpec['spec'] | undefined;
  if (typeof spec !== 'object' || spec === null) throw invalid(file, 'spec', 'missing');
  for (const [key, exprs] of Object.entries(spec.thresholds ?? {})) {
    const field = `spec.thresholds["${key}"]`;
    const parsed = syntax.parseMetricKey(key);
    if (typeof parsed === 'string') throw invalid(file, field, parsed);
    if (!(GATE_METRICS as readonly string[]).includes(parsed.metric)) {
      throw invalid(
        file,
        field,
        `metric "${parsed.metric}" is not one the gate reads from stored rows (${GATE_METRICS.join(', ')})`,
      );
    }
    if (!Array.isArray(exprs) || exprs.length === 0)
      throw invalid(file, field, 'expected a non-empty list of expressions');
    for (const e of exprs) {
      if (typeof e !== 'string') throw invalid(file, field, 'expressions are strings such as "p(99)<300"');
      const x = syntax.parseThresholdExpression(e);
      if (typeof x === 'string') throw invalid(file, field, x);
      if (!syntax.aggregationFits(parsed.metric, x))
        throw invalid(file, field, `"${e}": aggregation does not apply to ${parsed.metric}`);
    }
  }
  (spec.slos ?? []).forEach((s: SloBudget, i: number) => {
    const field = `spec.slos[${i}]`;
    if (typeof s?.slo !== 'string' || s.slo === '')
      throw invalid(file, field, 'slo (the SLO name) is required');
    if (s.maxBurnRate === undefined && s.maxBudgetConsumed === undefined && s.noPage === undefined) {
      throw invalid(file, field, 'set maxBurnRate, maxBudgetConsumed or noPage');
    }
    if (s.maxBurnRate !== undefined && !(typeof s.maxBurnRate === 'number' && s.maxBurnRate > 0)) {
      throw invalid(file, `${field}.maxBurnRate`, 'must be a positive number');
    }
    if (
      s.maxBudgetConsumed !== undefined &&
      !(typeof s.maxBudgetConsumed === 'number' && s.maxBudgetConsumed >= 0)
    ) {
      throw invalid(file, `${field}.maxBudgetConsumed`, 'must be a fraction ≥ 0');
    }
  });
  const baseline: BaselinePolicy = { ...DEFAULT_BASELINE_POLICY, ...(spec.baseline ?? {}) };
  const fractions: Array<keyof BaselinePolicy> = ['quantile', 'alpha', 'confidence'];
  for (const k of fractions) {
    const v = baseline[k];
    if (typeof v !== 'number' || !(v > 0 && v < 1))
      throw invalid(file, `spec.baseline.${k}`, 'must be between 0 and 1');
  }
  for (const k of ['tolerance', 'minToleranceMs', 'resamples', 'minSamples'] as const) {
    const v = baseline[k];
    if (typeof v !== 'number' || !(v >= 0)) throw invalid(file, `spec.baseline.${k}`, 'must be a number ≥ 0');
  }
  const name = (d.metadata as { name?: string } | undefined)?.name ?? file.replace(/^.*\//, '');
  return { name, spec: { ...(d as unknown as BudgetsSpec), spec }, baseline };
}

/** Reads a budgets YAML file. */
export function loadBudgets(file: string, syntax: ThresholdSyntax = thresholdSyntax): Budgets {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(
      'MB_ERR_BUDGET_INVALID',
      `cannot read budgets ${file}: ${(err as Error).message}`,
      EXIT.usage,
      { cause: err },
    );
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new CliError(
      'MB_ERR_BUDGET_INVALID',
      `${file} is not valid YAML: ${(err as Error).message}`,
      EXIT.usage,
      { cause: err },
    );
  }
  return validateBudgets(doc, file, syntax);
}
