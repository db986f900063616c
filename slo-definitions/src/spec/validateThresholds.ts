// Stage 1c of the pipeline: a latency threshold must be a bucket bound of the HTTP duration
// histogram the instrumentation records; otherwise Prometheus has no `le` series to count the
// requests under it, and the SLI would read 100% errors (every latency alert always firing).

import { HTTP_DURATION_BUCKETS, METRICS } from '@marketbench/contracts';
import { SloError } from '../errors.ts';
import type { SloSpecFile } from '../types.ts';
import { formatDuration, parseDuration } from './duration.ts';

/** Bucket bounds (seconds) of `http_server_request_duration_seconds`. */
export const LATENCY_BOUNDS: readonly number[] = HTTP_DURATION_BUCKETS;

/** Every latency threshold of a schema-valid spec that is not a bucket bound; empty when clean. */
export function validateThresholds(
  spec: SloSpecFile,
  file: string,
  bounds: readonly number[] = LATENCY_BOUNDS,
): SloError[] {
  const errors: SloError[] = [];
  spec.spec.slos.forEach((slo, i) => {
    const threshold = slo.indicator.httpLatency?.threshold;
    if (threshold === undefined) return;
    const seconds = parseDuration(threshold);
    if (bounds.some((b) => Math.abs(b - seconds) < 1e-9)) return;
    errors.push(
      new SloError(
        'MB_ERR_SLO_BAD_THRESHOLD',
        `latency threshold ${threshold} is not a bucket bound of ${METRICS.httpServerDuration} ` +
          `(${bounds.map(formatDuration).join(', ')}): Prometheus could not count the requests under it`,
        { file, path: `/spec/slos/${i}/indicator/httpLatency/threshold` },
      ),
    );
  });
  return errors;
}
