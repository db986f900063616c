// Histogram bucket bounds that the instrumentation records with and that the SLO specs, the
// store's SLI rollup and the dashboards compute against. They live here, not in
// instrumentation, so reading them loads no OpenTelemetry SDK.

/** Semantic-convention bucket boundaries for `http.server.request.duration`, seconds. */
export const HTTP_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

/** True when `seconds` is a bound of HTTP_DURATION_BUCKETS (a latency SLO threshold must be one). */
export function isHttpDurationBound(seconds: number): boolean {
  return HTTP_DURATION_BUCKETS.includes(seconds);
}
