// Reads a TrafficProfile from any store with the collector exporter's schema: only the exporter's
// columns of `otel_traces` (ServiceName, SpanKind, Timestamp, SpanId, SpanAttributes,
// ResourceAttributes), plus marketbench's per-minute rollup when it exists and the question is
// per minute. Counts are exact; path, query, body-size and session figures come from a sample of
// at most `sampleSpans` spans (hashed on the span id, or on the session id so that a session is
// read whole), which is what keeps 10M spans under the 10 s budget (bench/derive).

import { ATTR, OTEL_TABLES, TABLES } from '@marketbench/contracts';
import type { Store } from '@marketbench/telemetry-store';
import type {
  RouteProfile,
  SessionPattern,
  SessionProfile,
  TrafficProfile,
  TrafficSelection,
  ValueCount,
} from './TrafficProfile.ts';
import { routeKey } from './TrafficProfile.ts';

/** Span attributes that identify a session, in the order they are preferred. */
export const SESSION_ATTRIBUTES = [ATTR.sessionId, ATTR.enduserId] as const;

const URL_QUERY = ATTR.urlQuery;
const REQUEST_BODY_SIZE = ATTR.httpRequestBodySize;
/** The pre-1.26 spelling of the environment resource attribute, still written by older SDKs. */
const LEGACY_ENVIRONMENT = 'deployment.environment';

/** How to read a profile. */
export interface ReadProfileOptions {
  /** Width of a rate bucket in seconds (default 60: per minute). */
  bucketSeconds?: number;
  /** At most this many spans are read for paths, queries, body sizes and sessions (default 1,000,000). */
  sampleSpans?: number;
  /** Most frequent path values kept per route (default 1,000). */
  topValues?: number;
  /** At most this many sessions are read (default 50,000). */
  maxSessions?: number;
  /** A session's first this many requests make its pattern (default 30). */
  maxSessionSteps?: number;
  /** Use the per-minute rollup for counts when it can answer (default true). */
  useRollup?: boolean;
}

const DEFAULTS = {
  bucketSeconds: 60,
  sampleSpans: 1_000_000,
  topValues: 1000,
  maxSessions: 50_000,
  maxSessionSteps: 30,
  useRollup: true,
} as const satisfies Required<ReadProfileOptions>;

const attr = (key: string) => `SpanAttributes['${key}']`;

/** The WHERE clause of every query: one service's server spans in the window. */
function spanFilter(sel: TrafficSelection): string {
  const parts = [
    'ServiceName = {service:String}',
    "SpanKind = 'Server'",
    'Timestamp >= fromUnixTimestamp64Milli({fromMs:Int64})',
    'Timestamp < fromUnixTimestamp64Milli({toMs:Int64})',
  ];
  if (sel.environment !== undefined) {
    parts.push(
      `(ResourceAttributes['${ATTR.deploymentEnvironment}'] = {environment:String} OR ResourceAttributes['${LEGACY_ENVIRONMENT}'] = {environment:String})`,
    );
  }
  if (sel.runId !== undefined) parts.push(`${attr(ATTR.runId)} = {runId:String}`);
  return parts.join('\n  AND ');
}

function selectionParams(sel: TrafficSelection): Record<string, string | number> {
  return {
    service: sel.service,
    fromMs: sel.fromMs,
    toMs: sel.toMs,
    ...(sel.environment !== undefined ? { environment: sel.environment } : {}),
    ...(sel.runId !== undefined ? { runId: sel.runId } : {}),
  };
}

interface CountRow {
  bucket: number | string;
  method: string;
  route: string;
  status: string | number;
  n: number | string;
}

async function tableExists(store: Store, table: string): Promise<boolean> {
  const rows = await store.query<{ n: number | string }>(
    'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {table:String}',
    { db: store.database, table },
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

/** Counts per bucket, route and status: from the rollup when it can answer exactly, else from spans. */
async function readCounts(
  store: Store,
  sel: TrafficSelection,
  bucketMs: number,
  startMs: number,
  useRollup: boolean,
): Promise<{ rows: CountRow[]; source: 'rollup' | 'spans' }> {
  const minuteAligned = sel.fromMs % 60_000 === 0 && sel.toMs % 60_000 === 0 && bucketMs % 60_000 === 0;
  if (
    useRollup &&
    minuteAligned &&
    sel.environment === undefined &&
    sel.runId === undefined &&
    (await tableExists(store, TABLES.httpSli1m))
  ) {
    const rows = await store.query<CountRow>(
      `SELECT intDiv(toUnixTimestamp(minute) * 1000 - {startMs:Int64}, {bucketMs:Int64}) AS bucket,
  method, route, toString(status) AS status, sum(requests) AS n
FROM ${TABLES.httpSli1m}
WHERE ServiceName = {service:String}
  AND minute >= toDateTime(intDiv({fromMs:Int64}, 1000)) AND minute < toDateTime(intDiv({toMs:Int64}, 1000))
GROUP BY bucket, method, route, status`,
      { ...selectionParams(sel), startMs, bucketMs },
    );
    // The rollup only holds spans inserted after it was created: use it only when it has them all.
    const rollupTotal = rows.reduce((s, r) => s + Number(r.n), 0);
    const [{ n: spanTotal }] = await store.query<{ n: number | string }>(
      `SELECT count() AS n FROM ${OTEL_TABLES.traces} WHERE ${spanFilter(sel)}`,
      selectionParams(sel),
    );
    if (rollupTotal === Number(spanTotal)) return { rows, source: 'rollup' };
  }
  const rows = await store.query<CountRow>(
    `SELECT intDiv(toUnixTimestamp64Milli(Timestamp) - {startMs:Int64}, {bucketMs:Int64}) AS bucket,
  ${attr(ATTR.httpMethod)} AS method, ${attr(ATTR.httpRoute)} AS route,
  ${attr(ATTR.httpStatusCode)} AS status, count() AS n
FROM ${OTEL_TABLES.traces}
WHERE ${spanFilter(sel)}
GROUP BY bucket, method, route, status`,
    { ...selectionParams(sel), startMs, bucketMs },
  );
  return { rows, source: 'spans' };
}

/** `cityHash64(expr) % 1e6 < threshold`: a deterministic sample of `fraction` of the values of expr. */
function sampleClause(expr: string, fraction: number): string {
  if (fraction >= 1) return '1';
  return `cityHash64(${expr}) % 1000000 < ${Math.max(1, Math.ceil(fraction * 1_000_000))}`;
}

interface ValueRow {
  method: string;
  route: string;
  value: string;
  n: number | string;
}

async function readTopValues(
  store: Store,
  sel: TrafficSelection,
  column: string,
  sample: string,
  top: number,
): Promise<Map<string, ValueCount[]>> {
  const rows = await store.query<ValueRow>(
    `SELECT method, route, value, n FROM (
  SELECT ${attr(ATTR.httpMethod)} AS method, ${attr(ATTR.httpRoute)} AS route, ${column} AS value, count() AS n
  FROM ${OTEL_TABLES.traces}
  WHERE ${spanFilter(sel)} AND ${sample} AND ${column} != ''
  GROUP BY method, route, value
)
ORDER BY n DESC, value
LIMIT {top:UInt32} BY method, route`,
    { ...selectionParams(sel), top },
  );
  const out = new Map<string, ValueCount[]>();
  for (const r of rows) {
    const key = routeKey(r.method, r.route);
    let list = out.get(key);
    if (!list) {
      list = [];
      out.set(key, list);
    }
    list.push({ value: r.value, count: Number(r.n) });
  }
  return out;
}

interface RouteStatRow {
  method: string;
  route: string;
  distinctPaths: number | string;
  bodyBytes: number | string;
  withBody: number | string;
  medianMs: number | string;
  sampled: number | string;
  withQuery: number | string;
}

async function readRouteStats(
  store: Store,
  sel: TrafficSelection,
  sample: string,
): Promise<Map<string, RouteStatRow>> {
  const rows = await store.query<RouteStatRow>(
    `SELECT ${attr(ATTR.httpMethod)} AS method, ${attr(ATTR.httpRoute)} AS route,
  uniq(${attr(ATTR.urlPath)}) AS distinctPaths,
  quantileIf(0.5)(toUInt64OrZero(${attr(REQUEST_BODY_SIZE)}), mapContains(SpanAttributes, '${REQUEST_BODY_SIZE}')) AS bodyBytes,
  countIf(mapContains(SpanAttributes, '${REQUEST_BODY_SIZE}')) AS withBody,
  quantile(0.5)(Duration) / 1e6 AS medianMs,
  count() AS sampled,
  countIf(mapContains(SpanAttributes, '${URL_QUERY}')) AS withQuery
FROM ${OTEL_TABLES.traces}
WHERE ${spanFilter(sel)} AND ${sample}
GROUP BY method, route`,
    selectionParams(sel),
  );
  return new Map(rows.map((r) => [routeKey(r.method, r.route), r]));
}

/** Median of an array of numbers (sorted copy). */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function readSessions(
  store: Store,
  sel: TrafficSelection,
  spans: number,
  fraction: number,
  opts: Required<ReadProfileOptions>,
): Promise<SessionProfile | undefined> {
  const spanSample = sampleClause('SpanId', fraction);
  const [present] = await store.query<Record<string, number | string>>(
    `SELECT count() AS total, ${SESSION_ATTRIBUTES.map((a, i) => `countIf(mapContains(SpanAttributes, '${a}')) AS a${i}`).join(', ')}
FROM ${OTEL_TABLES.traces} WHERE ${spanFilter(sel)} AND ${spanSample}`,
    selectionParams(sel),
  );
  const index = SESSION_ATTRIBUTES.findIndex((_, i) => Number(present?.[`a${i}`] ?? 0) > 0);
  if (index < 0) return undefined;
  const attribute = SESSION_ATTRIBUTES[index];
  const rows = await store.query<{ seq: [number | string, string][] }>(
    `SELECT arraySort(x -> x.1, groupArray((toUnixTimestamp64Milli(Timestamp), concat(${attr(ATTR.httpMethod)}, ' ', ${attr(ATTR.httpRoute)})))) AS seq
FROM ${OTEL_TABLES.traces}
WHERE ${spanFilter(sel)} AND ${attr(attribute)} != '' AND ${sampleClause(attr(attribute), fraction)}
GROUP BY ${attr(attribute)}
LIMIT {maxSessions:UInt32}`,
    { ...selectionParams(sel), maxSessions: opts.maxSessions },
  );
  const byPattern = new Map<string, { steps: string[]; count: number; gaps: number[][] }>();
  let requests = 0;
  for (const { seq } of rows) {
    requests += seq.length;
    const steps = seq.slice(0, opts.maxSessionSteps).map((s) => s[1]);
    const key = steps.join('\n');
    let p = byPattern.get(key);
    if (!p) {
      p = { steps, count: 0, gaps: steps.slice(1).map(() => []) };
      byPattern.set(key, p);
    }
    p.count++;
    for (let i = 1; i < steps.length; i++) p.gaps[i - 1].push(Number(seq[i][0]) - Number(seq[i - 1][0]));
  }
  const patterns: SessionPattern[] = [...byPattern.values()]
    .sort((a, b) => b.count - a.count || a.steps.join().localeCompare(b.steps.join()))
    .map((p) => ({ steps: p.steps, count: p.count, gapsMs: p.gaps.map(median) }));
  const share = Number(present[`a${index}`]) / Math.max(1, Number(present.total));
  return {
    attribute,
    sessions: rows.length,
    requests,
    spansWithAttribute: Math.round(spans * share),
    patterns,
  };
}

/** Reads the traffic profile of `sel` (counts exact, the rest from a bounded sample). */
export async function readTrafficProfile(
  store: Store,
  sel: TrafficSelection,
  options: ReadProfileOptions = {},
): Promise<TrafficProfile> {
  const opts = { ...DEFAULTS, ...options };
  const bucketMs = Math.round(opts.bucketSeconds * 1000);
  const startMs = sel.fromMs;
  const { rows, source } = await readCounts(store, sel, bucketMs, startMs, opts.useRollup);
  const bucketCount = Math.max(1, Math.ceil((sel.toMs - sel.fromMs) / bucketMs));
  const buckets = new Array<number>(bucketCount).fill(0);
  const routes = new Map<string, RouteProfile>();
  let spans = 0;
  for (const r of rows) {
    const n = Number(r.n);
    const b = Number(r.bucket);
    spans += n;
    const key = routeKey(r.method, r.route);
    let route = routes.get(key);
    if (!route) {
      route = {
        method: r.method,
        route: r.route,
        requests: 0,
        buckets: new Array<number>(bucketCount).fill(0),
        statuses: {},
        medianMs: 0,
        sampled: 0,
        withQuery: 0,
        paths: [],
        distinctPaths: 0,
        queries: [],
      };
      routes.set(key, route);
    }
    route.requests += n;
    if (b >= 0 && b < bucketCount) {
      buckets[b] += n;
      route.buckets[b] += n;
    }
    const status = String(Number(r.status) || 0);
    route.statuses[status] = (route.statuses[status] ?? 0) + n;
  }
  const sampleFraction = spans === 0 ? 1 : Math.min(1, opts.sampleSpans / spans);
  if (spans > 0) {
    const spanSample = sampleClause('SpanId', sampleFraction);
    const [paths, queries, stats] = [
      await readTopValues(store, sel, attr(ATTR.urlPath), spanSample, opts.topValues),
      await readTopValues(store, sel, attr(URL_QUERY), spanSample, opts.topValues),
      await readRouteStats(store, sel, spanSample),
    ];
    for (const [key, route] of routes) {
      route.paths = paths.get(key) ?? [];
      route.queries = queries.get(key) ?? [];
      const stat = stats.get(key);
      if (stat) {
        route.distinctPaths = Number(stat.distinctPaths);
        route.medianMs = Number(stat.medianMs);
        route.sampled = Number(stat.sampled);
        route.withQuery = Number(stat.withQuery);
        if (Number(stat.withBody) > 0) route.bodyBytes = Math.round(Number(stat.bodyBytes));
      }
    }
  }
  const sessions = spans > 0 ? await readSessions(store, sel, spans, sampleFraction, opts) : undefined;
  return {
    selection: sel,
    countSource: source,
    spans,
    sampleFraction,
    bucketSeconds: opts.bucketSeconds,
    startMs,
    windowSeconds: (sel.toMs - sel.fromMs) / 1000,
    buckets,
    routes: [...routes.values()].sort(
      (a, b) =>
        b.requests - a.requests || routeKey(a.method, a.route).localeCompare(routeKey(b.method, b.route)),
    ),
    ...(sessions ? { sessions } : {}),
  };
}
