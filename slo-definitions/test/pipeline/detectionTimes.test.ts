// Detection and reset times of the burn-rate alerts, from windows, factors and for: alone; the
// table in docs/SLO.md is checked against them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_DIR } from '../../src/build/gen.ts';
import { compileSpecFile } from '../../src/pipeline/compileSpec.ts';
import {
  alertTimings,
  pairDetectionSeconds,
  pairResetSeconds,
  pairResetSecondsAfter,
} from '../../src/pipeline/detectionTimes.ts';
import { baseSlo, baseSpecFile } from '../factories.ts';

const compile = (target: number, alerting = {}) =>
  compileSpecFile(baseSpecFile([baseSlo({ objectives: [{ target }], alerting })]), 'x.yaml')[0];
const close = (a: number | undefined, b: number) =>
  assert.ok(a !== undefined && Math.abs(a - b) < 1e-6, `${a} ≠ ${b}`);

test('a 100% outage trips 1h/5m at 99% after 1h × 14.4 × 1% = 518.4 s, and it clears 5m × (1 - 0.144) after', () => {
  const slo = compile(0.99);
  const page = slo.windows[0];
  close(pairDetectionSeconds(page, slo.errorBudget, 1), 518.4);
  close(pairResetSeconds(page, slo.errorBudget, 1), 256.8);
  // A 20x burn: 60 min × 14.4 / 20 = 43.2 min, whatever the target.
  close(pairDetectionSeconds(page, slo.errorBudget, 20 * slo.errorBudget), 43.2 * 60);
  close(pairDetectionSeconds(compile(0.999).windows[0], 0.001, 0.02), 43.2 * 60);
  // A burn under the threshold never trips the pair.
  assert.equal(pairDetectionSeconds(page, slo.errorBudget, 0.1), undefined);
  assert.equal(pairResetSeconds(page, slo.errorBudget, 0.1), 0);
});

test('with 4 minutes of history (a fresh Prometheus) both windows hold only those minutes: it trips in 40 s', () => {
  const slo = compile(0.99);
  // x / (240 + x) > 0.144  ⇔  x > 0.144 × 240 / 0.856
  close(pairDetectionSeconds(slo.windows[0], slo.errorBudget, 1, 240), (0.144 * 240) / 0.856);
  // Once the history passes the short window, the short window is full.
  close(pairDetectionSeconds(slo.windows[0], slo.errorBudget, 1, 3000), (0.144 * 3000) / 0.856);
});

test("alert timings: the fastest pair plus for:, reset by the slowest pair; for: is the spec's when set", () => {
  const [page, ticket] = alertTimings(compile(0.99), 1);
  assert.equal(page.forSeconds, 60);
  close(page.detectSeconds, 518.4 + 60);
  assert.equal(page.firstPair, '1h/5m');
  close(page.resetSeconds, 1800 * (1 - 0.06));
  assert.equal(ticket.forSeconds, 24 * 60);
  const custom = alertTimings(compile(0.99, { pageFor: '5m' }), 1)[0];
  close(custom.detectSeconds, 518.4 + 300);
});

test('the table in docs/SLO.md is what the functions compute', () => {
  const doc = fs.readFileSync(path.join(REPO_DIR, 'docs/SLO.md'), 'utf8');
  const fmt = (s: number | undefined) =>
    s === undefined
      ? '-'
      : s < 120
        ? `${s.toFixed(0)} s`
        : s < 7200
          ? `${(s / 60).toFixed(1)} min`
          : `${(s / 3600).toFixed(1)} h`;
  const [a, b] = [compile(0.99), compile(0.999)];
  a.windows.forEach((w, i) => {
    const v = b.windows[i];
    const cells = [
      w.severity,
      `${w.long} / ${w.short}`,
      `${w.burnRate}×`,
      `${fmt(pairDetectionSeconds(w, a.errorBudget, 1))} / ${fmt(pairDetectionSeconds(v, b.errorBudget, 1))}`,
      fmt(pairDetectionSeconds(w, a.errorBudget, 20 * a.errorBudget)).replace('108.0 min', '108 min'),
      `${fmt(pairResetSeconds(w, a.errorBudget, 1))} / ${fmt(pairResetSeconds(v, b.errorBudget, 1))}`,
    ];
    const row = new RegExp(
      `^\\|\\s*${cells.map((c) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('\\s*\\|\\s*')}\\s*\\|$`,
      'm',
    );
    assert.match(doc, row);
  });
});

test('after a short burn on a fresh Prometheus, a pair holds until the burn is under t/e of all it has seen', () => {
  const slo = compile(0.99);
  const [fast, slow] = slo.windows;
  // 30 s healthy, 10 s at 100%: 1h/5m (t = 0.144) holds while 10 / (40 + r) > 0.144.
  assert.ok(
    Math.abs(
      pairResetSecondsAfter(fast, slo.errorBudget, 1, { historySeconds: 30, burnSeconds: 10 }) -
        (10 / 0.144 - 40),
    ) < 0.2,
  );
  // 6h/30m (t = 0.06) holds longer: 10 / (40 + r) > 0.06.
  assert.ok(
    Math.abs(
      pairResetSecondsAfter(slow, slo.errorBudget, 1, { historySeconds: 30, burnSeconds: 10 }) -
        (10 / 0.06 - 40),
    ) < 0.2,
  );
  // With full windows a long outage clears once the short window is clean enough, as pairResetSeconds says.
  const full = pairResetSecondsAfter(fast, slo.errorBudget, 1, { historySeconds: 86_400, burnSeconds: 3600 });
  assert.ok(Math.abs(full - (pairResetSeconds(fast, slo.errorBudget, 1) ?? 0)) < 0.2, `${full}`);
});
