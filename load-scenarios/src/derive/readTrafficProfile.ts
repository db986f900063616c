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
  /** At most this many sessions are read (default 20,000). */
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
  maxSessions: 20_000,
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

/** One row of the sampled pass: a route's statistics, or one of its path or query values. */
interface SampleRow {
  kind: 'route' | 'path' | 'query';
  method: string;
  route: string;
  value: string;
  n: number | string;
  distinctPaths: number | string;
  bodyBytes: number | string;
  withBody: number | string;
  medianMs: number | string;
  withQuery: number | string;
  sessions: (number | string)[];
}

/** What the sampled pass found per route, and which session attribute the spans carry. */
interface SampleResult {
  routes: Map<string, SampleRow>;
  paths: Map<string, ValueCount[]>;
  queries: Map<string, ValueCount[]>;
  /** Share of sampled spans carrying each of SESSION_ATTRIBUTES. */
  sessionShares: number[];
}

/**
 * Paths, query strings, body sizes, durations and session attributes in one pass over the sample
 * (GROUPING SETS): the span attributes map is what costs, so it is read once, not once a question.
 */
async function readSample(
  store: Store,
  sel: TrafficSelection,
  sample: string,
  top: number,
): Promise<SampleResult> {
  const rows = await store.query<SampleRow>(
    `SELECT multiIf(g = 1, 'path', g = 2, 'query', 'route') AS kind, method, route, value, n,
  distinctPaths, bodyBytes, withBody, medianMs, withQuery, sessions
FROM (
  SELECT grouping(path, query) AS g, method, route, if(g = 1, path, query) AS value, count() AS n,
    uniq(path) AS distinctPaths,
    quantileIf(0.5)(bodySize, hasBody) AS bodyBytes,
    countIf(hasBody) AS withBody,
    quantile(0.5)(Duration) / 1e6 AS medianMs,
    countIf(query != '') AS withQuery,
    [${SESSION_ATTRIBUTES.map((_, i) => `countIf(session${i})`).join(', ')}] AS sessions
  FROM (
    SELECT ${attr(ATTR.httpMethod)} AS method, ${attr(ATTR.httpRoute)} AS route,
      ${attr(ATTR.urlPath)} AS path, ${attr(URL_QUERY)} AS query,
      toUInt64OrZero(${attr(REQUEST_BODY_SIZE)}) AS bodySize, mapContains(SpanAttributes, '${REQUEST_BODY_SIZE}') AS hasBody,
      ${SESSION_ATTRIBUTES.map((a, i) => `mapContains(SpanAttributes, '${a}') AS session${i}`).join(', ')},
      Duration
    FROM ${OTEL_TABLES.traces}
    WHERE ${spanFilter(sel)} AND ${sample}
  )
  GROUP BY GROUPING SETS ((method, route), (method, route, path), (method, route, query))
)
WHERE g = 3 OR value != ''
ORDER BY g, n DESC, value
LIMIT {top:UInt32} BY g, method, route`,
    { ...selectionParams(sel), top },
  );
  const out: SampleResult = { routes: new Map(), paths: new Map(), queries: new Map(), sessionShares: [] };
  let total = 0;
  const sessions = SESSION_ATTRIBUTES.map(() => 0);
  for (const r of rows) {
    const key = routeKey(r.method, r.route);
    if (r.kind === 'route') {
      out.routes.set(key, r);
      total += Number(r.n);
      r.sessions.forEach((c, i) => {
        sessions[i] += Number(c);
      });
      continue;
    }
    const map = r.kind === 'path' ? out.paths : out.queries;
    let list = map.get(key);
    if (!list) {
      list = [];
      map.set(key, list);
    }
    list.push({ value: r.value, count: Number(r.n) });
  }
  out.sessionShares = sessions.map((c) => (total > 0 ? c / total : 0));
  return out;
}

async function readSessions(
  store: Store,
  sel: TrafficSelection,
  spans: number,
  shares: number[],
  opts: Required<ReadProfileOptions>,
): Promise<SessionProfile | undefined> {
  const index = shares.findIndex((share) => share > 0);
  if (index < 0) return undefined;
  const attribute = SESSION_ATTRIBUTES[index];
  // Sessions are sampled whole, on their id: enough spans for maxSessions sessions of up to ten
  // requests, not more (grouping a million spans into sessions is what costs).
  const fraction = Math.min(1, (opts.maxSessions * 10) / Math.max(1, spans * shares[index]));
  // Sessions are grouped, then their sequences, in ClickHouse: what comes back is one row per
  // pattern (at most maxPatterns), with the per-position median gap (quantileExactForEach).
  const rows = await store.query<{
    steps: string[];
    n: number | string;
    gaps: (number | string)[];
    sessions: number | string;
    requests: number | string;
  }>(
    `SELECT steps, count() AS n, quantileExactForEach(0.5)(gaps) AS gaps,
  sum(n) OVER () AS sessions, sum(sum(length)) OVER () AS requests
FROM (
  SELECT arraySort(x -> x.1, groupArray((toUnixTimestamp64Milli(Timestamp), concat(${attr(ATTR.httpMethod)}, ' ', ${attr(ATTR.httpRoute)})))) AS seq,
    arraySlice(arrayMap(x -> x.2, seq), 1, {maxSteps:UInt32}) AS steps,
    arraySlice(arrayDifference(arrayMap(x -> x.1, seq)), 2, {maxSteps:UInt32} - 1) AS gaps,
    length(seq) AS length
  FROM ${OTEL_TABLES.traces}
  WHERE ${spanFilter(sel)} AND ${attr(attribute)} != '' AND ${sampleClause(attr(attribute), fraction)}
  GROUP BY ${attr(attribute)}
  LIMIT {maxSessions:UInt32}
)
GROUP BY steps
ORDER BY n DESC, steps
LIMIT {maxPatterns:UInt32}`,
    {
      ...selectionParams(sel),
      maxSessions: opts.maxSessions,
      maxSteps: opts.maxSessionSteps,
      maxPatterns: 1000,
    },
  );
  const patterns: SessionPattern[] = rows.map((r) => ({
    steps: r.steps,
    count: Number(r.n),
    gapsMs: r.gaps.map(Number),
  }));
  const sessionCount = Number(rows[0]?.sessions ?? 0);
  const requests = Number(rows[0]?.requests ?? 0);
  const share = shares[index];
  return {
    attribute,
    sessions: sessionCount,
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
  let sessions: SessionProfile | undefined;
  if (spans > 0) {
    const sample = await readSample(store, sel, sampleClause('SpanId', sampleFraction), opts.topValues);
    for (const [key, route] of routes) {
      route.paths = sample.paths.get(key) ?? [];
      route.queries = sample.queries.get(key) ?? [];
      const stat = sample.routes.get(key);
      if (stat) {
        route.distinctPaths = Number(stat.distinctPaths);
        route.medianMs = Number(stat.medianMs);
        route.sampled = Number(stat.n);
        route.withQuery = Number(stat.withQuery);
        if (Number(stat.withBody) > 0) route.bodyBytes = Math.round(Number(stat.bodyBytes));
      }
    }
    sessions = await readSessions(store, sel, spans, sample.sessionShares, opts);
  }
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
