// Known answers from scipy 1.17 (scipy.stats.mannwhitneyu(..., method='asymptotic')); the first
// pair is the example in scipy's documentation (males vs females, U = 17, p = 0.1113).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mannWhitneyU } from '../../../src/gate/stats/mannWhitneyU.ts';
import { erfc, normalSf } from '../../../src/gate/stats/normal.ts';

const close = (actual: number, expected: number, rel = 1e-6) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} != ${expected}`);

test('erfc and the normal tail match scipy', () => {
  close(erfc(0.5), 0.4795001221869535);
  close(erfc(-1.3), 1.9340079449406524);
  close(erfc(2.7), 0.0001343327399405242, 1e-5);
  close(normalSf(1.6448536269514722), 0.05);
});

test("scipy's documented example: U = 17, two-sided p = 0.11134688653314041", () => {
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];
  const r = mannWhitneyU(males, females, 'two-sided');
  assert.equal(r.u, 17);
  close(r.p, 0.11134688653314041);
  close(mannWhitneyU(males, females, 'greater').p, 0.055673443266570206);
  close(mannWhitneyU(males, females, 'greater', false).p, 0.04320536648685);
  assert.equal(r.commonLanguage, 17 / 20);
  close(r.cliffsDelta, 0.7);
});

test('ties: average ranks and the tie-corrected variance agree with scipy', () => {
  const a = [1, 2, 2, 3, 3, 3, 4, 5, 5, 9];
  const b = [2, 3, 3, 4, 4, 6, 7, 7, 8, 8, 10];
  const ab = mannWhitneyU(a, b, 'greater');
  assert.equal(ab.u, 31);
  close(ab.p, 0.9593217568205629);
  const ba = mannWhitneyU(b, a, 'greater');
  assert.equal(ba.u, 79);
  close(ba.p, 0.04728863339284115);
  close(mannWhitneyU(b, a, 'two-sided').p, 0.0945772667856823);
});

test('many ties in larger samples (n = 200 and 150)', () => {
  const x = Array.from({ length: 200 }, (_, i) => (i + 1) % 17);
  const y = Array.from({ length: 150 }, (_, i) => ((i + 1) * 7) % 13);
  const g = mannWhitneyU(x, y, 'greater');
  assert.equal(g.u, 18468.5);
  close(g.p, 0.00010375996517976327, 1e-5);
  close(mannWhitneyU(x, y, 'less').p, 0.99989667753934);
  close(mannWhitneyU(x, y, 'two-sided', false).p, 0.00020708199175029302, 1e-5);
});

test('identical constant samples give p = 1, not NaN', () => {
  const r = mannWhitneyU([5, 5, 5], [5, 5]);
  assert.equal(r.p, 1);
  assert.equal(r.cliffsDelta, 0);
});
