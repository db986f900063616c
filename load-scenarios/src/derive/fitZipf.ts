// A Zipf law fitted to how often each id was requested: P(rank r) ∝ r^−s over ranks 1..n. The
// exponent is the maximum-likelihood estimate for the observed rank frequencies (truncated at
// n), found by golden-section search on the log-likelihood, which is concave in s. Written by
// hand: it is one concave 1-D maximisation of a dozen lines, and the npm packages that offer a
// Zipf fit use the log-log least-squares line, which is biased by the noisy tail
// (Clauset, Shalizi & Newman 2009, "Power-law distributions in empirical data", §3).

/** A fitted Zipf law. */
export interface ZipfFit {
  /** Exponent s. */
  exponent: number;
  /** Ranks the law covers. */
  n: number;
  /** Total variation distance between the observed shares and the fitted ones (0 = exact). */
  distance: number;
}

/** P(rank r) for r = 1..n under exponent s. */
export function zipfProbabilities(n: number, s: number): number[] {
  const w = Array.from({ length: n }, (_, i) => (i + 1) ** -s);
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

/** Log-likelihood of the counts (most frequent first) under exponent s. */
function logLikelihood(counts: readonly number[], s: number): number {
  let weighted = 0;
  let harmonic = 0;
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const lnr = Math.log(i + 1);
    weighted += counts[i] * lnr;
    harmonic += Math.exp(-s * lnr);
    total += counts[i];
  }
  return -s * weighted - total * Math.log(harmonic);
}

/** Fits a Zipf law to counts sorted from most to least frequent. */
export function fitZipf(sortedCounts: readonly number[], bounds: [number, number] = [0, 6]): ZipfFit {
  const n = sortedCounts.length;
  if (n <= 1) return { exponent: 0, n, distance: 0 };
  const phi = (Math.sqrt(5) - 1) / 2;
  let [a, b] = bounds;
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = logLikelihood(sortedCounts, c);
  let fd = logLikelihood(sortedCounts, d);
  while (b - a > 1e-6) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = logLikelihood(sortedCounts, c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = logLikelihood(sortedCounts, d);
    }
  }
  const exponent = (a + b) / 2;
  const total = sortedCounts.reduce((x, y) => x + y, 0);
  const fitted = zipfProbabilities(n, exponent);
  const distance = sortedCounts.reduce((s, k, i) => s + Math.abs(k / total - fitted[i]), 0) / 2;
  return { exponent, n, distance };
}
