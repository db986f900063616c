// What recorded traffic looked like, read from server spans in the collector exporter's schema:
// the request rate per time bucket, the route mix with each route's status mix, body sizes and
// the popularity of its path and query values, and (where spans carry a session or user id) the
// sequences of requests each session made. `scenario derive` turns one into a scenario file;
// `scenario compare` measures the distance between two.

/** Which spans a profile was read from. */
export interface TrafficSelection {
  /** `service.name` of the server spans (the exporter's `ServiceName` column). */
  service: string;
  /** Start of the window, ms since the epoch (inclusive). */
  fromMs: number;
  /** End of the window, ms since the epoch (exclusive). */
  toMs: number;
  /** `deployment.environment.name` resource attribute, when the window is one environment's. */
  environment?: string;
  /** Only spans of this load run (`marketbench.run_id` span attribute). */
  runId?: string;
}

/** One observed value of a path parameter tuple or a query string, with how often it was seen. */
export interface ValueCount {
  /** The value: a path (`/listings/42`) or a query string without `?` (`q=boots&limit=20`). */
  value: string;
  /** Spans that carried it (in the sample the values were read from). */
  count: number;
}

/** One route (method and template) as the spans show it. */
export interface RouteProfile {
  /** HTTP method (`http.request.method`). */
  method: string;
  /** Route template (`http.route`), or the empty string for requests no route matched. */
  route: string;
  /** Server spans of this route in the window. */
  requests: number;
  /** Server spans of this route per bucket (as TrafficProfile.buckets). */
  buckets: number[];
  /** Server spans by HTTP status code (0 when the span has none). */
  statuses: Record<string, number>;
  /** Median server duration in ms (from the sample). */
  medianMs: number;
  /** Median request body size in bytes (`http.request.body.size`), undefined when spans do not record it. */
  bodyBytes?: number;
  /** The most frequent paths, most frequent first (from the sample). */
  paths: ValueCount[];
  /** Distinct paths in the sample (the long tail beyond `paths` included). */
  distinctPaths: number;
  /** Spans of this route in the sample (the base of the shares below). */
  sampled: number;
  /** Spans in the sample that carried a query string (`url.query`). */
  withQuery: number;
  /** The most frequent query strings (`url.query`), most frequent first; empty when spans do not record it. */
  queries: ValueCount[];
}

/** One kind of session: the same sequence of requests, with how many sessions made it. */
export interface SessionPattern {
  /** Route keys (`METHOD route`) in the order the session sent them. */
  steps: string[];
  /** Sessions with exactly this sequence (in the session sample). */
  count: number;
  /** Median gap in ms after each step but the last (the think time). */
  gapsMs: number[];
}

/** Sessions read from a session or user attribute. */
export interface SessionProfile {
  /** The span attribute sessions were grouped by (`session.id` or `enduser.id`). */
  attribute: string;
  /** Sessions read (a sample of at most `maxSessions`). */
  sessions: number;
  /** Requests those sessions made. */
  requests: number;
  /** Server spans of the window that carry the attribute (estimated from the sample when sampled). */
  spansWithAttribute: number;
  /** Sequences, most frequent first. */
  patterns: SessionPattern[];
}

/** Recorded traffic of one service over one window. */
export interface TrafficProfile {
  /** What was read. */
  selection: TrafficSelection;
  /** Where the counts came from: the per-minute rollup or the spans themselves. */
  countSource: 'rollup' | 'spans';
  /** Server spans in the window. */
  spans: number;
  /** Share of spans that the path, query, body and session figures were read from (1 = all). */
  sampleFraction: number;
  /** Width of one rate bucket, seconds. */
  bucketSeconds: number;
  /** Start of bucket 0, ms since the epoch. */
  startMs: number;
  /** Length of the window in seconds (the last bucket may be shorter than `bucketSeconds`). */
  windowSeconds: number;
  /** Server spans per bucket, from `startMs`, one entry per bucket of the window (zeros included). */
  buckets: number[];
  /** Routes, most requested first. */
  routes: RouteProfile[];
  /** Sessions, when spans carry a session or user attribute. */
  sessions?: SessionProfile;
}

/** `METHOD route`: the key a route is known by in mixes and session patterns. */
export function routeKey(method: string, route: string): string {
  return `${method} ${route}`;
}

/** Width in seconds of bucket `i` of a profile (the last one may be partial). */
export function bucketWidth(
  profile: Pick<TrafficProfile, 'bucketSeconds' | 'windowSeconds'>,
  i: number,
): number {
  return Math.max(0, Math.min(profile.bucketSeconds, profile.windowSeconds - i * profile.bucketSeconds));
}
