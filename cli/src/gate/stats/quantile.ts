// Sample quantiles with linear interpolation between order statistics (Hyndman–Fan type 7,
// numpy's default and ClickHouse's quantileExactInclusive), so the gate's p95 of a sample and
// the store's p95 of the same rows agree.

/** The q-quantile (0 ≤ q ≤ 1) of an ascending-sorted array; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** The q-quantile of an unsorted sample (copied, not mutated). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return quantileSorted(sorted, q);
}
