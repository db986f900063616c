// The USL fitter on published data sets whose coefficients are known from their sources, and
// the bootstrap's intervals on them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bootstrapUsl,
  fitUsl,
  throughputBand,
  UslFitError,
  type UslPoint,
} from '../../src/capacity/fitUsl.ts';
import { maxThroughput, peakConcurrency, uslThroughput } from '../../src/capacity/usl.ts';

const points = (n: number[], x: number[]): UslPoint[] => n.map((v, i) => ({ n: v, x: x[i] }));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

// Cisco benchmark from Baron Schwartz, "Practical Scalability Analysis with the Universal
// Scalability Law" (VividCortex, 2015), as used by codahale/usl4j's ModelTest.java, which holds
// the book's fitted values to 0.02%: σ = 0.02671591, κ = 7.690945e-4, λ = 995.6486, N* = 35,
// X(N*) = 12,341.
const CISCO = points(
  Array.from({ length: 32 }, (_, i) => i + 1),
  [
    955.16, 1878.91, 2688.01, 3548.68, 4315.54, 5130.43, 5931.37, 6531.08, 7219.8, 7867.61, 8278.71, 8646.7,
    9047.84, 9426.55, 9645.37, 9897.24, 10097.6, 10240.5, 10532.39, 10798.52, 11151.43, 11518.63, 11806,
    12089.37, 12075.41, 12177.29, 12211.41, 12158.93, 12155.27, 12118.04, 12140.4, 12074.39,
  ],
);

test('Cisco benchmark (Schwartz 2015; usl4j ModelTest): the book coefficients within 0.02%', () => {
  const f = fitUsl(CISCO);
  assert.ok(rel(f.sigma, 0.02671591) < 2e-4, `σ ${f.sigma}`);
  assert.ok(rel(f.kappa, 7.690945e-4) < 2e-4, `κ ${f.kappa}`);
  assert.ok(rel(f.lambda, 995.6486) < 2e-4, `λ ${f.lambda}`);
  // the book and usl4j give N* rounded down to a whole client
  assert.equal(Math.floor(peakConcurrency(f)), 35);
  assert.ok(rel(maxThroughput(f), 12341) < 2e-4, `Xmax ${maxThroughput(f)}`);
  // usl4j's throughputAtConcurrency(20) of the same model
  assert.ok(rel(uslThroughput(f, 20), 11063.633137626028) < 2e-4);
  assert.ok(f.r2 > 0.99);
});

// SPEC SDM91 on a Sun SPARCcenter 2000 (Gunther, "Guerrilla Capacity Planning", Springer 2007;
// the `specsdm91` data set of the R package usl). The package's own tests (usl 3.0.x,
// tests/*.Rout.save) give: optimal.scalability = 1/σ = 36.06401, limit.scalability = λ/σ =
// 3245.589 and, for σ = 0.001, 89995.23 (so λ = 89.99523); peak.scalability (N*) = 97 to two
// significant digits; fitted values 90 1078 1541 1850 1879 1822 1646.
const SPECSDM91 = points(
  [1, 18, 36, 72, 108, 144, 216],
  [64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775.0, 1702.2],
);

test('SPEC SDM91 (GCaP 2007; R package usl tests): λ, σ, λ/σ, N* and fitted values', () => {
  const f = fitUsl(SPECSDM91);
  assert.ok(rel(1 / f.sigma, 36.06401) < 1e-4, `1/σ ${1 / f.sigma}`);
  assert.ok(rel(f.lambda / f.sigma, 3245.589) < 1e-4, `λ/σ ${f.lambda / f.sigma}`);
  assert.ok(rel(f.lambda, 89.99523) < 1e-4, `λ ${f.lambda}`);
  assert.equal(Number(peakConcurrency(f).toPrecision(2)), 97);
  assert.deepEqual(
    SPECSDM91.map((p) => Math.round(uslThroughput(f, p.n))),
    [90, 1078, 1541, 1850, 1879, 1822, 1646],
  );
});

// Ray tracer on an SGI Origin 2000 (GCaP 2007; the `raytracer` data set of the R package usl).
// usl's tests/confint.Rout.save: alpha (σ) 0.0578, beta (κ) 0.0000, gamma (λ) 21.8488: a
// contention-only system, so κ sits on its bound and N* is infinite.
const RAYTRACER = points(
  [1, 4, 8, 12, 16, 20, 24, 28, 32, 48, 64],
  [20, 78, 130, 170, 190, 200, 210, 230, 260, 280, 310],
);

test('ray tracer (GCaP 2007; R package usl tests): σ 0.0578, κ on its bound 0, λ 21.8488', () => {
  const f = fitUsl(RAYTRACER);
  assert.equal(Number(f.sigma.toPrecision(3)), 0.0578);
  assert.ok(f.kappa < 1e-6, `κ ${f.kappa}`);
  assert.ok(rel(f.lambda, 21.8488) < 1e-5, `λ ${f.lambda}`);
  assert.equal(peakConcurrency({ ...f, kappa: 0 }), Number.POSITIVE_INFINITY);
  // draws with κ = 0 have an unbounded N*: the interval's end is ∞, never NaN
  const b = bootstrapUsl(RAYTRACER, { resamples: 100 });
  assert.equal(b.nStar.high, Number.POSITIVE_INFINITY);
  assert.ok(!Number.isNaN(b.nStar.low));
});

// The R package usl's tests/coef.R: throughput generated from σ = κ = 0.02, λ = 1 (exact to 4 digits).
test('usl tests/coef.R: σ = κ = 0.02, λ = 1 from the generated points', () => {
  const f = fitUsl(points([1, 2, 4, 6, 8, 10], [1, 1.8868, 3.0769, 3.5294, 3.5398, 3.3557]));
  assert.equal(Number(f.sigma.toPrecision(3)), 0.02);
  assert.equal(Number(f.kappa.toPrecision(3)), 0.02);
  assert.equal(Number(f.lambda.toPrecision(3)), 1);
  assert.ok(f.r2 > 0.99999);
});

test('the bootstrap intervals hold the point fit, are reproducible, and the band holds the curve', () => {
  const f = fitUsl(CISCO);
  const b = bootstrapUsl(CISCO, { resamples: 300, seed: 7 });
  assert.equal(b.draws.length, 300);
  for (const k of ['lambda', 'sigma', 'kappa'] as const) {
    assert.ok(b[k].low <= f[k] && f[k] <= b[k].high, `${k}: ${b[k].low} ≤ ${f[k]} ≤ ${b[k].high}`);
    assert.ok(b[k].low < b[k].high, `${k} interval has width`);
  }
  assert.ok(b.nStar.low < 35 && 35 < b.nStar.high);
  const again = bootstrapUsl(CISCO, { resamples: 300, seed: 7 });
  assert.deepEqual(again.sigma, b.sigma);
  const band = throughputBand(b.draws, 20, 0.95);
  assert.ok(band.low <= uslThroughput(f, 20) && uslThroughput(f, 20) <= band.high);
});

test('a noisier data set gives wider intervals than a clean one', () => {
  const truth = { lambda: 500, sigma: 0.05, kappa: 0.002 };
  const ns = [1, 2, 4, 8, 12, 16, 24, 32];
  let seed = 3;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  const clean = ns.map((n) => ({ n, x: uslThroughput(truth, n) * (1 + 0.01 * noise()) }));
  const noisy = ns.map((n) => ({ n, x: uslThroughput(truth, n) * (1 + 0.3 * noise()) }));
  const bc = bootstrapUsl(clean, { resamples: 200 });
  const bn = bootstrapUsl(noisy, { resamples: 200 });
  assert.ok(bn.sigma.high - bn.sigma.low > bc.sigma.high - bc.sigma.low);
  const fc = fitUsl(clean);
  assert.ok(rel(fc.sigma, truth.sigma) < 0.1 && rel(fc.kappa, truth.kappa) < 0.1, JSON.stringify(fc));
});

test('fewer than three distinct loads, or a zero throughput, cannot be fitted', () => {
  assert.throws(() => fitUsl(points([1, 1, 2], [10, 11, 19])), UslFitError);
  assert.throws(() => fitUsl(points([1, 2, 4], [10, 0, 30])), UslFitError);
});
