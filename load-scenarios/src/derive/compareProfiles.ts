// How far one recorded traffic is from another: the total variation distance of the route mix
// and of the status mix (half the L1 distance between the two distributions: 0 = identical,
// 1 = disjoint; the largest difference in probability any set of routes can show), and the
// request-rate error bucket by bucket, in requests per second and as a share of the reference's
// peak. The reference may be scaled (`--rate-scale`) and its buckets compressed (`--speedup`):
// a scenario derived at 3× rate and 60× speed is compared bucket i against bucket i.

import type { TrafficProfile } from './TrafficProfile.ts';
import { bucketWidth, routeKey } from './TrafficProfile.ts';

/** One category of a mix in both profiles. */
export interface MixRow {
  /** Route key (`GET /listings/:id`) or status code. */
  key: string;
  /** Share in the reference. */
  reference: number;
  /** Share in the candidate. */
  candidate: number;
}

/** The distance between two distributions over the same categories. */
export interface MixDistance {
  /** Total variation distance, 0 to 1. */
  distance: number;
  /** Every category of either side, largest absolute difference first. */
  rows: MixRow[];
}

/** Request rate of one bucket on both sides. */
export interface RateRow {
  /** Bucket index from the start of each profile. */
  bucket: number;
  /** Reference requests/s × rate scale. */
  expected: number;
  /** Candidate requests/s. */
  actual: number;
}

/** Per-bucket rate error. */
export interface RateError {
  /** Highest expected requests/s of any compared bucket. */
  peak: number;
  /** Largest |actual − expected| of any bucket, requests/s. */
  maxError: number;
  /** Mean |actual − expected|, requests/s. */
  meanError: number;
  /** maxError / peak (the figure the fidelity check bounds). */
  maxErrorOfPeak: number;
  /** Buckets compared (full buckets present on both sides). */
  rows: RateRow[];
}

/** The fidelity of a candidate traffic to a reference. */
export interface TrafficComparison {
  /** Route mix (method and route template). */
  routeMix: MixDistance;
  /** Status code mix over all routes. */
  statusMix: MixDistance;
  /** Request rate per bucket. */
  rate: RateError;
  /** Spans on each side. */
  spans: { reference: number; candidate: number };
}

/** Total variation distance of two count maps. */
export function totalVariation(reference: Map<string, number>, candidate: Map<string, number>): MixDistance {
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const ra = sum(reference) || 1;
  const cb = sum(candidate) || 1;
  const keys = new Set([...reference.keys(), ...candidate.keys()]);
  const rows: MixRow[] = [...keys].map((key) => ({
    key,
    reference: (reference.get(key) ?? 0) / ra,
    candidate: (candidate.get(key) ?? 0) / cb,
  }));
  rows.sort(
    (x, y) =>
      Math.abs(y.candidate - y.reference) - Math.abs(x.candidate - x.reference) || x.key.localeCompare(y.key),
  );
  const distance = rows.reduce((s, r) => s + Math.abs(r.candidate - r.reference), 0) / 2;
  return { distance, rows };
}

function routeCounts(p: TrafficProfile): Map<string, number> {
  return new Map(p.routes.map((r) => [routeKey(r.method, r.route), r.requests]));
}

function statusCounts(p: TrafficProfile): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of p.routes)
    for (const [s, n] of Object.entries(r.statuses)) out.set(s, (out.get(s) ?? 0) + n);
  return out;
}

/** Options of compareProfiles. */
export interface CompareOptions {
  /** The candidate is expected to send this many times the reference's rate (default 1). */
  rateScale?: number;
}

/** Compares a candidate profile with a reference, bucket i against bucket i. */
export function compareProfiles(
  reference: TrafficProfile,
  candidate: TrafficProfile,
  options: CompareOptions = {},
): TrafficComparison {
  const scale = options.rateScale ?? 1;
  const rows: RateRow[] = [];
  const n = Math.min(reference.buckets.length, candidate.buckets.length);
  for (let i = 0; i < n; i++) {
    const wr = bucketWidth(reference, i);
    const wc = bucketWidth(candidate, i);
    // A partial last bucket on either side measures a different stretch of time: leave it out.
    if (wr < reference.bucketSeconds || wc < candidate.bucketSeconds) continue;
    rows.push({
      bucket: i,
      expected: (reference.buckets[i] / wr) * scale,
      actual: candidate.buckets[i] / wc,
    });
  }
  const peak = rows.reduce((m, r) => Math.max(m, r.expected), 0);
  const errors = rows.map((r) => Math.abs(r.actual - r.expected));
  const maxError = errors.reduce((m, e) => Math.max(m, e), 0);
  const meanError = errors.length ? errors.reduce((a, b) => a + b, 0) / errors.length : 0;
  return {
    routeMix: totalVariation(routeCounts(reference), routeCounts(candidate)),
    statusMix: totalVariation(statusCounts(reference), statusCounts(candidate)),
    rate: { peak, maxError, meanError, maxErrorOfPeak: peak > 0 ? maxError / peak : 0, rows },
    spans: { reference: reference.spans, candidate: candidate.spans },
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** The comparison as the terminal shows it. */
export function formatComparison(
  c: TrafficComparison,
  labels: { reference: string; candidate: string },
): string {
  const lines: string[] = [];
  lines.push(`reference: ${labels.reference} (${c.spans.reference.toLocaleString('en-US')} server spans)`);
  lines.push(`candidate: ${labels.candidate} (${c.spans.candidate.toLocaleString('en-US')} server spans)`);
  lines.push('');
  lines.push(`route mix distance (total variation)   ${c.routeMix.distance.toFixed(4)}`);
  lines.push(`status mix distance (total variation)  ${c.statusMix.distance.toFixed(4)}`);
  lines.push(
    `rate error per bucket                  max ${c.rate.maxError.toFixed(1)} req/s (${pct(c.rate.maxErrorOfPeak)} of the ${c.rate.peak.toFixed(1)} req/s peak), mean ${c.rate.meanError.toFixed(1)} req/s over ${c.rate.rows.length} buckets`,
  );
  const mixTable = (title: string, m: MixDistance) => {
    lines.push('', `${title}`, `  ${'reference'.padStart(9)} ${'candidate'.padStart(9)}  key`);
    for (const r of m.rows.slice(0, 15))
      lines.push(`  ${pct(r.reference).padStart(9)} ${pct(r.candidate).padStart(9)}  ${r.key}`);
    if (m.rows.length > 15) lines.push(`  … ${m.rows.length - 15} more`);
  };
  mixTable('route mix (largest differences first)', c.routeMix);
  mixTable('status mix', c.statusMix);
  return `${lines.join('\n')}\n`;
}
