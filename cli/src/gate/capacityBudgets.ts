// Budgets on a capacity run's stored USL figures (`spec.capacity` of a budgets file): absolute
// floors and ceilings, and the largest drop or rise against a baseline's figure. The verdict
// reads the figure's bootstrap interval as the baseline comparison reads its p95 interval:
// within the limit → pass; the whole interval beyond it → fail; the estimate beyond but the
// interval straddling → inconclusive (the steps are too noisy to tell).

import type { Store } from '@marketbench/telemetry-store';
import {
  CAPACITY_FIGURES,
  type CapacityFigure,
  readCapacityFigures,
  type StoredFigure,
} from '../capacity/capacityStore.ts';
import { CliError } from '../errors.ts';
import type { BudgetResult, Verdict } from './types.ts';

/** Limits on one figure; each is optional, at least one is set. */
export interface CapacityRule {
  /** The figure must be at least this. */
  min?: number;
  /** The figure must be at most this. */
  max?: number;
  /** It may fall at most this fraction below the baseline's (0.1 = 10%); needs a baseline. */
  maxDrop?: number;
  /** It may rise at most this fraction above the baseline's; needs a baseline. */
  maxRise?: number;
}

/** `spec.capacity`: figure → rule. */
export type CapacityBudgets = Partial<Record<CapacityFigure, CapacityRule>>;

/** JSON Schema of `spec.capacity` (draft-07), for the budgets schema. */
export const CAPACITY_BUDGETS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: Object.fromEntries(
    CAPACITY_FIGURES.map((f) => [
      f,
      {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          min: { type: 'number' },
          max: { type: 'number' },
          maxDrop: { type: 'number', minimum: 0, maximum: 1 },
          maxRise: { type: 'number', minimum: 0 },
        },
      },
    ]),
  ),
} as const;

/** Unit of each figure in the gate's JSON (`1/s` as the gate writes rates). */
const FIGURE_UNITS: Record<CapacityFigure, string> = {
  max_throughput: '1/s',
  n_star: '',
  sigma: 'ratio',
  kappa: '',
  lambda: '1/s',
  r2: 'ratio',
  knee_throughput: '1/s',
};

const RULE_KEYS = ['min', 'max', 'maxDrop', 'maxRise'] as const;

/** Validates `spec.capacity` (the same rules as CAPACITY_BUDGETS_SCHEMA), naming the file and field. */
export function validateCapacityBudgets(value: unknown, file: string): CapacityBudgets | undefined {
  if (value === undefined) return undefined;
  const bad = (field: string, why: string) =>
    new CliError('MB_ERR_BUDGET_INVALID', `${file}: spec.capacity${field}: ${why}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('', `expected a mapping of figures (${CAPACITY_FIGURES.join(', ')})`);
  const entries = Object.entries(value);
  if (entries.length === 0) throw bad('', 'is empty');
  for (const [figure, rule] of entries) {
    if (!(CAPACITY_FIGURES as readonly string[]).includes(figure))
      throw bad(`.${figure}`, `unknown figure; one of ${CAPACITY_FIGURES.join(', ')}`);
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule))
      throw bad(`.${figure}`, 'expected { min, max, maxDrop, maxRise }');
    const keys = Object.keys(rule);
    if (keys.length === 0) throw bad(`.${figure}`, 'set min, max, maxDrop or maxRise');
    for (const k of keys) {
      if (!(RULE_KEYS as readonly string[]).includes(k))
        throw bad(`.${figure}.${k}`, `unknown key; one of ${RULE_KEYS.join(', ')}`);
      const v = (rule as Record<string, unknown>)[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`.${figure}.${k}`, 'must be a number');
      if (k === 'maxDrop' && !(v >= 0 && v <= 1))
        throw bad(`.${figure}.${k}`, 'must be a fraction from 0 to 1');
      if (k === 'maxRise' && !(v >= 0)) throw bad(`.${figure}.${k}`, 'must be a fraction ≥ 0');
    }
  }
  return value as CapacityBudgets;
}

const show = (n: number | null) =>
  n === null
    ? '–'
    : n === Number.POSITIVE_INFINITY
      ? '∞'
      : Math.abs(n) < 0.01 && n !== 0
        ? n.toExponential(3)
        : n.toFixed(Math.abs(n) >= 1000 ? 0 : Math.abs(n) >= 1 ? 2 : 4);

/** Verdict of `figure` ≥ limit (floor) or ≤ limit (ceiling), read with its interval. */
function judge(f: StoredFigure, limit: number, floor: boolean): { verdict: Verdict; why: string } {
  const v = f.value as number;
  const ok = floor ? v >= limit : v <= limit;
  if (ok) return { verdict: 'pass', why: 'estimate within the limit' };
  const far = floor ? f.high : f.low;
  if (far === null || (floor ? far < limit : far > limit))
    return {
      verdict: 'fail',
      why: far === null ? 'estimate beyond the limit' : 'the whole interval is beyond the limit',
    };
  return {
    verdict: 'inconclusive',
    why: 'estimate beyond the limit, but its interval straddles it: the steps are too noisy to tell',
  };
}

/** Evaluates `spec.capacity` for a run, against the baseline's figures when given. */
export async function evaluateCapacityBudgets(
  store: Store,
  runId: string,
  budgets: CapacityBudgets,
  baseline: Record<CapacityFigure, StoredFigure> | undefined,
  notes: string[],
): Promise<BudgetResult[]> {
  const figures = await readCapacityFigures(store, runId);
  const results: BudgetResult[] = [];
  for (const [figure, rule] of Object.entries(budgets) as [CapacityFigure, CapacityRule][]) {
    const checks: { name: string; limit: number | null; floor: boolean; label: string }[] = [];
    if (rule.min !== undefined)
      checks.push({ name: `min`, limit: rule.min, floor: true, label: `≥ ${show(rule.min)}` });
    if (rule.max !== undefined)
      checks.push({ name: `max`, limit: rule.max, floor: false, label: `≤ ${show(rule.max)}` });
    const base = baseline?.[figure]?.value ?? null;
    for (const [k, floor] of [
      ['maxDrop', true],
      ['maxRise', false],
    ] as const) {
      const frac = rule[k];
      if (frac === undefined) continue;
      if (base === null) {
        notes.push(
          `capacity.${figure}.${k}: not compared (${baseline ? 'the baseline has no such figure' : 'no --baseline, or the baseline has no capacity fit'})`,
        );
        continue;
      }
      const limit = floor ? base * (1 - frac) : base * (1 + frac);
      checks.push({
        name: k,
        limit,
        floor,
        label: `${floor ? '≥' : '≤'} ${show(limit)} (baseline ${show(base)} ${floor ? '−' : '+'} ${Math.round(frac * 100)}%)`,
      });
    }
    for (const c of checks) {
      const name = `capacity.${figure} ${c.name}`;
      const f = figures?.[figure];
      if (!f || f.value === null) {
        results.push({
          kind: 'capacity',
          name,
          verdict: 'fail',
          observed: null,
          unit: FIGURE_UNITS[figure],
          limit: { operator: c.floor ? '>=' : '<=', value: c.limit as number },
          observedText: 'no data',
          limitText: c.label,
          detail: figures
            ? `run ${runId} has no ${figure} (no USL fit)`
            : `run ${runId} is not a capacity run: nothing stored in the capacity tables`,
        });
        continue;
      }
      const j = judge(f, c.limit as number, c.floor);
      results.push({
        kind: 'capacity',
        name,
        verdict: j.verdict,
        observed: f.value,
        unit: FIGURE_UNITS[figure],
        limit: { operator: c.floor ? '>=' : '<=', value: c.limit as number },
        observedText: `${show(f.value)}${f.low !== null && f.high !== null && (f.low !== f.value || f.high !== f.value) ? ` [${show(f.low)}, ${show(f.high)}]` : ''}`,
        limitText: c.label,
        detail: j.why,
      });
    }
  }
  return results;
}
