// Per-step measurements of a stepped run, from the store: the client's rows in each step's
// measured window (after its settle), the service's server spans in the same window, the
// scraped process CPU of the service, and the generator's own samples. Two views of the number
// in flight, by Little's law (L = X·W): the client's (requests/s × mean latency as the client saw
// it) and the server's (spans/s × mean span duration); the gap is time outside the handler
// (sockets, the event-loop queue, the generator).

import { ATTR, LOAD_SAMPLES, METRICS, OTEL_TABLES, SERVICES, TABLES } from '@marketbench/contracts';
import type { QueryParams, Store } from '@marketbench/telemetry-store';
import { FAILED_SQL } from '../gate/runData.ts';
import { stepExecutor } from './steppedScenario.ts';
import type { CapacityStep, LatencyObjective } from './types.ts';

/** The regex a route template matches on a request path: `/listings/:id` → `^/listings/[^/]+$`. */
export function routeRegex(template: string): string {
  const parts = template
    .split('/')
    .map((p) => (p.startsWith(':') ? '[^/]+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return `^${parts.join('/')}$`;
}

/** SQL condition on a load row for an objective's requests (route, method, client errors). */
function objectiveFilter(o: LatencyObjective, i: number, params: QueryParams): string {
  const conds: string[] = [];
  if (o.routes.length > 0) {
    params[`re${i}`] = o.routes.map(routeRegex).join('|');
    conds.push(`match(path(url), {re${i}:String})`);
  }
  if (o.methods.length > 0) {
    params[`m${i}`] = o.methods;
    conds.push(`method IN {m${i}:Array(String)}`);
  }
  if (o.excludeClientErrors) conds.push('NOT (status >= 400 AND status < 500)');
  return conds.length > 0 ? conds.join(' AND ') : '1';
}

const R = TABLES.loadRequests;
const num = (v: unknown): number => Number(v ?? 0);
const nullable = (v: unknown): number | null =>
  v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v);

/** Measures every step of `runId`; `levels[i]` is the load step i was run at. */
export async function measureSteps(
  store: Store,
  runId: string,
  levels: readonly number[],
  settleMs: number,
  measureMs: number,
  objectives: readonly LatencyObjective[],
): Promise<CapacityStep[]> {
  const starts = await store.query<{ exec: string; t0: string }>(
    `SELECT scenario AS exec, toString(toUnixTimestamp64Micro(min(intended_start))) AS t0
       FROM ${R} WHERE run_id = {run:String} GROUP BY scenario`,
    { run: runId },
  );
  const startOf = new Map(starts.map((s) => [s.exec, Number(s.t0) / 1000]));
  const steps: CapacityStep[] = [];
  for (let i = 0; i < levels.length; i++) {
    const exec = stepExecutor(i);
    const t0 = startOf.get(exec);
    if (t0 === undefined) continue; // the run stopped before this step
    const from = t0 + settleMs;
    const to = from + measureMs;
    const p: QueryParams = { run: runId, exec, from: Math.round(from), to: Math.round(to) };
    const win =
      'intended_start >= fromUnixTimestamp64Milli(toInt64({from:Int64})) AND intended_start < fromUnixTimestamp64Milli(toInt64({to:Int64}))';
    const objCols = objectives
      .map(
        (o, j) =>
          `quantileExactInclusiveIf(${o.quantile})(latency_corrected_ms, ${objectiveFilter(o, j, p)}) AS q${j}, countIf(${objectiveFilter(o, j, p)}) AS n${j}`,
      )
      .join(', ');
    const [c] = await store.query<Record<string, unknown>>(
      `SELECT count() AS requests, countIf(${FAILED_SQL}) AS errors, countIf(status > 0) AS answered,
              quantileExactInclusive(0.5)(latency_corrected_ms) AS p50,
              quantileExactInclusive(0.95)(latency_corrected_ms) AS p95,
              quantileExactInclusive(0.99)(latency_corrected_ms) AS p99,
              avg(latency_uncorrected_ms) AS w_client,
              toString(toUnixTimestamp64Micro(max(intended_start))) AS last
              ${objCols ? `, ${objCols}` : ''}
         FROM ${R} WHERE run_id = {run:String} AND scenario = {exec:String} AND ${win}`,
      p,
    );
    const requests = num(c?.requests);
    // A step cut short (Ctrl-C) is measured over the time it ran.
    const lastMs = Number(c?.last ?? 0) / 1000;
    const seconds =
      Math.max(1e-3, (requests > 0 ? Math.min(to, Math.max(lastMs, from + 1)) : to) - from) / 1000;
    // The service's side of the same requests: their server spans (parent = the request's span).
    // Little's law over the window: (spans/s) × mean span duration = total span time / window.
    const [s] = await store.query<{ spans: unknown; busy: unknown }>(
      `SELECT count() AS spans, sum(Duration) / 1e9 AS busy
         FROM ${OTEL_TABLES.traces}
        WHERE ServiceName = {svc:String} AND SpanKind = 'Server' AND SpanAttributes[{runAttr:String}] = {run:String}
          AND Timestamp >= fromUnixTimestamp64Milli(toInt64({from:Int64} - 60000))
          AND Timestamp < fromUnixTimestamp64Milli(toInt64({to:Int64} + 60000))
          AND (TraceId, ParentSpanId) IN (
            SELECT trace_id, span_id FROM ${R} WHERE run_id = {run:String} AND scenario = {exec:String} AND ${win})`,
      { ...p, svc: SERVICES.reference, runAttr: ATTR.runId },
    );
    const [cpu] = await store.query<{ cores: unknown }>(
      // CPU seconds per second between the last scrape at or before each end of the window.
      `SELECT (argMaxIf(Value, TimeUnix, TimeUnix <= fromUnixTimestamp64Milli(toInt64({to:Int64})))
                - argMaxIf(Value, TimeUnix, TimeUnix <= fromUnixTimestamp64Milli(toInt64({from:Int64}))))
              / nullIf(dateDiff('millisecond',
                  maxIf(TimeUnix, TimeUnix <= fromUnixTimestamp64Milli(toInt64({from:Int64}))),
                  maxIf(TimeUnix, TimeUnix <= fromUnixTimestamp64Milli(toInt64({to:Int64})))) / 1000, 0) AS cores
         FROM ${OTEL_TABLES.metricsSum}
        WHERE MetricName = {metric:String} AND ServiceName = {svc:String}
          AND TimeUnix <= fromUnixTimestamp64Milli(toInt64({to:Int64}))
        HAVING countIf(TimeUnix <= fromUnixTimestamp64Milli(toInt64({from:Int64}))) > 0`,
      { ...p, metric: METRICS.cpuSeconds, svc: SERVICES.reference },
    );
    const [g] = await store.query<{ cpu: unknown; dropped: unknown }>(
      `SELECT avgIf(value, name = {cpuName:String}) AS cpu, sumIf(value, name = {droppedName:String}) AS dropped
         FROM ${TABLES.loadSamples}
        WHERE run_id = {run:String} AND ts >= fromUnixTimestamp64Milli(toInt64({from:Int64})) AND ts < fromUnixTimestamp64Milli(toInt64({to:Int64}))`,
      { ...p, cpuName: LOAD_SAMPLES.generatorCpu, droppedName: LOAD_SAMPLES.droppedIterations },
    );
    const throughput = requests / seconds;
    const spans = num(s?.spans);
    steps.push({
      step: i + 1,
      load: levels[i],
      measuredFrom: new Date(from).toISOString(),
      measuredTo: new Date(from + seconds * 1000).toISOString(),
      seconds,
      requests,
      answered: num(c?.answered),
      errors: num(c?.errors),
      throughput,
      p50Ms: num(c?.p50),
      p95Ms: num(c?.p95),
      p99Ms: num(c?.p99),
      inFlightClient: throughput * (num(c?.w_client) / 1000),
      inFlightServer: spans > 0 ? num(s?.busy) / seconds : null,
      serverSpans: spans,
      serviceCpu: nullable(cpu?.cores),
      generatorCpu: nullable(g?.cpu),
      droppedIterations: num(g?.dropped),
      objectives: objectives.map((o, j) => ({
        slo: o.name,
        value: num(c?.[`n${j}`]) > 0 ? num(c?.[`q${j}`]) : null,
        requests: num(c?.[`n${j}`]),
      })),
    });
  }
  return steps;
}
