// Turns a scenario's declarative journeys into compiled steps (templates compiled once) and a
// weighted picker per executor.

import { parseDuration } from '@marketbench/contracts';
import {
  compileBody,
  compileString,
  type StringTemplate,
  type TemplateContext,
} from '../scenario/templates.ts';
import type { Check, Journey, MetricRecord, Step, ThinkTime } from '../types.ts';

/** A step ready to run. */
export interface CompiledStep {
  step: Step;
  name: string;
  method: string;
  path: StringTemplate;
  /** The path as written in the scenario, without its query (`url.template` of the client span). */
  template: string;
  headers: Array<[string, StringTemplate]>;
  body: ((ctx: TemplateContext) => string) | undefined;
  expected: (status: number) => boolean;
  checks: Array<[string, Check]>;
  capture: Array<[string, string]>;
  record: MetricRecord[];
  /** Think time in ms: [min, max]. */
  think: [number, number] | undefined;
  /** The step needs the response body (checks on JSON, captures, json: records). */
  keepBody: boolean;
  stopOnFailure: boolean;
  /** The baggage header, built on first use (it holds the run id). */
  baggage?: string;
}

/** A journey ready to run. */
export interface CompiledJourney {
  name: string;
  weight: number;
  steps: CompiledStep[];
  /** Feeders the journey's templates read. */
  feeders: string[];
}

function thinkRange(t: ThinkTime | undefined): [number, number] | undefined {
  if (t === undefined) return undefined;
  if (typeof t === 'string') {
    const ms = parseDuration(t, 'duration');
    return [ms, ms];
  }
  return [parseDuration(t.min, 'duration'), parseDuration(t.max, 'duration')];
}

/** `/listings/{{randomInt:1:20000}}?q=x` → `/listings/{randomInt}`: the path's shape, its query dropped. */
export function urlTemplate(path: string): string {
  return path.split('?')[0].replace(/\{\{\s*([A-Za-z_$][\w$.]*)[^}]*\}\}/g, '{$1}');
}

function compileStep(step: Step): CompiledStep {
  const expected = step.expectedStatuses;
  const checks = Object.entries(step.checks ?? {});
  const record = step.record ?? [];
  return {
    step,
    name: step.name,
    method: step.method,
    path: compileString(step.path, true),
    template: urlTemplate(step.path),
    headers: Object.entries(step.headers ?? {}).map(([k, v]) => [k.toLowerCase(), compileString(v)]),
    body: compileBody(step.body),
    expected: expected ? (s) => expected.includes(s) : (s) => s >= 200 && s < 400,
    checks,
    capture: Object.entries(step.capture ?? {}),
    record,
    think: thinkRange(step.think),
    keepBody:
      Object.keys(step.capture ?? {}).length > 0 ||
      checks.some(([, c]) => c.jsonPath !== undefined) ||
      record.some((r) => typeof r.value === 'string' && r.value.startsWith('json:')),
    stopOnFailure: step.stopOnFailure ?? true,
  };
}

const FEEDER_REF = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\.[^}]+\}\}/g;

export function compileJourney(name: string, journey: Journey): CompiledJourney {
  const feeders = new Set<string>();
  for (const m of JSON.stringify(journey.steps).matchAll(FEEDER_REF)) feeders.add(m[1]);
  return { name, weight: journey.weight, steps: journey.steps.map(compileStep), feeders: [...feeders] };
}

/** Picks a journey by weight. */
export class JourneyPicker {
  private readonly journeys: CompiledJourney[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(journeys: CompiledJourney[]) {
    this.journeys = journeys.filter((j) => j.weight > 0);
    let sum = 0;
    this.cumulative = this.journeys.map((j) => (sum += j.weight));
    this.total = sum;
  }

  pick(random: () => number): CompiledJourney {
    if (this.journeys.length === 1) return this.journeys[0];
    const x = random() * this.total;
    for (let i = 0; i < this.cumulative.length; i++) if (x < this.cumulative[i]) return this.journeys[i];
    return this.journeys[this.journeys.length - 1];
  }
}
