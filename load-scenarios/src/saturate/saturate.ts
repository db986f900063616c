// Saturate mode: the maximum closed-model throughput of one route, found with autocannon by
// doubling the connections until throughput stops growing by more than `minGain` (or latency
// explodes). Loopback targets only, like every run.

import { BAGGAGE } from '@marketbench/contracts';
import autocannon from 'autocannon';
import { ScenarioError } from '../errors.ts';
import { checkReachable, checkTarget, type TargetPolicy } from '../runner/targetUrl.ts';

/** Options of saturate(). */
export interface SaturateOptions {
  /** Base URL, loopback only. */
  target: string;
  /** The user's explicit opt-in to load a host of their own. */
  targetPolicy?: TargetPolicy;
  /** Path and query of the route, e.g. `/listings/42`. */
  path: string;
  /** HTTP method (default GET). */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** JSON body for methods that take one. */
  body?: string;
  /** Seconds per step (default 5). */
  seconds?: number;
  /** Connection counts to try, in order (default 1, 2, 4, ... 256). */
  connections?: number[];
  /** Stop when a step gains less than this share over the best so far (default 0.05). */
  minGain?: number;
  /** Run id sent as baggage (`marketbench.run_id`). */
  runId?: string;
}

/** One step of the search. */
export interface SaturateStep {
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/** The result: every step and the best one. */
export interface SaturateResult {
  target: string;
  path: string;
  steps: SaturateStep[];
  best: SaturateStep;
}

/** Finds the maximum closed-model throughput of one route. */
export async function saturate(options: SaturateOptions): Promise<SaturateResult> {
  const origin = checkTarget(options.target, options.targetPolicy);
  if (!options.path.startsWith('/'))
    throw new ScenarioError('MB_ERR_SCENARIO_FIELD', `path must start with "/", got "${options.path}"`, {
      field: '--path',
    });
  await checkReachable(origin);
  const ladder = options.connections ?? [1, 2, 4, 8, 16, 32, 64, 128, 256];
  const minGain = options.minGain ?? 0.05;
  const seconds = options.seconds ?? 5;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.runId) headers.baggage = `${BAGGAGE.runId}=${options.runId}`;
  const steps: SaturateStep[] = [];
  let best: SaturateStep | undefined;
  for (const connections of ladder) {
    const r = await autocannon({
      url: origin + options.path,
      method: options.method ?? 'GET',
      body: options.body,
      headers,
      connections,
      duration: seconds,
    });
    const step: SaturateStep = {
      connections,
      requestsPerSecond: r.requests.total / seconds,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      errors: r.errors + r.timeouts,
      non2xx: r.non2xx,
    };
    steps.push(step);
    const gained = !best || step.requestsPerSecond > best.requestsPerSecond * (1 + minGain);
    if (!best || step.requestsPerSecond > best.requestsPerSecond) best = step;
    if (!gained) break;
  }
  return { target: origin, path: options.path, steps, best: best as SaturateStep };
}

/** The result as a table. */
export function formatSaturate(r: SaturateResult): string {
  const lines = [
    `  saturate ${r.target}${r.path}`,
    '',
    '  connections      req/s    p50 ms    p99 ms  errors  non-2xx',
  ];
  for (const s of r.steps) {
    lines.push(
      `  ${String(s.connections).padStart(11)} ${s.requestsPerSecond.toFixed(0).padStart(10)} ${s.p50Ms.toFixed(1).padStart(9)} ${s.p99Ms.toFixed(1).padStart(9)} ${String(s.errors).padStart(7)} ${String(s.non2xx).padStart(8)}`,
    );
  }
  lines.push(
    '',
    `  max throughput: ${r.best.requestsPerSecond.toFixed(0)} req/s at ${r.best.connections} connections (p99 ${r.best.p99Ms.toFixed(1)} ms)`,
  );
  return `${lines.join('\n')}\n`;
}
