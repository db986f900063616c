// The standard normal tail, for the normal approximation of the Mann–Whitney U test.
// erfc follows Numerical Recipes' Chebyshev fit (fractional error < 1.2e-7 everywhere),
// enough for p-values printed to four significant digits without pulling in a stats library.

/** Complementary error function erfc(x). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Survival function of the standard normal: P(Z > z). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}
