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

/** Rearranges `a` so that a[k] holds the k-th smallest value (Hoare quickselect, median-of-three pivot). */
function select(a: Float64Array, k: number, left: number, right: number): void {
  let l = left;
  let r = right;
  while (r > l) {
    const m = (l + r) >>> 1;
    // median of three, so sorted or constant inputs stay linear
    if (a[m] < a[l]) swap(a, m, l);
    if (a[r] < a[l]) swap(a, r, l);
    if (a[r] < a[m]) swap(a, r, m);
    const pivot = a[m];
    let i = l;
    let j = r;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Type-7 q-quantile of `a` in linear time; reorders `a` in place. */
export function quantileInPlace(a: Float64Array, q: number): number {
  const n = a.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  select(a, lo, 0, n - 1);
  const vlo = a[lo];
  if (lo + 1 >= n || h === lo) return vlo;
  // the next order statistic is the minimum of the right part
  let vhi = a[lo + 1];
  for (let i = lo + 2; i < n; i++) if (a[i] < vhi) vhi = a[i];
  return vlo + (h - lo) * (vhi - vlo);
}
