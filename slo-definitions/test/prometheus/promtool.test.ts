// The generated Prometheus rules pass `promtool check rules`, and the generated promtool unit
// tests (synthetic series: 20x burn pages in time, 1.2x only tickets, healthy is silent, the page
// resets after recovery) pass `promtool test rules` (Prometheus 2.42).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { missingCommand, needs } from '../../../test-support/dependency.ts';
import { PACKAGE_DIR } from '../../src/build/gen.ts';

const rulesDir = path.join(PACKAGE_DIR, 'generated/prometheus');
const testsDir = path.join(PACKAGE_DIR, 'test/promtool');

function run(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('promtool', args, { cwd });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('promtool check rules accepts every generated rule file', (t) => {
  if (!needs(t, missingCommand('promtool'))) return;
  const files = fs.readdirSync(rulesDir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 9);
  const r = spawnSync('promtool', ['check', 'rules', ...files], { cwd: rulesDir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('promtool check rules rejects a broken rule (the check can fail)', (t) => {
  if (!needs(t, missingCommand('promtool'))) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-promtool-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'bad.yaml'),
      'groups:\n  - name: x\n    rules:\n      - record: a\n        expr: sum(rate(x[5m])\n',
    );
    const r = spawnSync('promtool', ['check', 'rules', 'bad.yaml'], { cwd: dir, encoding: 'utf8' });
    assert.notEqual(r.status, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('promtool test rules: each SLI shape pages, tickets, stays silent and resets as specified', async (t) => {
  if (!needs(t, missingCommand('promtool'))) return;
  // One SLO per SLI shape (availability with 4xx excluded, latency, counter ratio, gauge freshness)
  // keeps this file quick; the other files differ only in routes and targets (run them all:
  // cd slo-definitions/test/promtool && promtool test rules *.yaml).
  const files = [
    'reference-service-checkout-success.test.yaml',
    'reference-service-item-latency.test.yaml',
    'reference-service-psp-authorization-success.test.yaml',
    'ingest-freshness.test.yaml',
  ];
  for (const f of files) assert.ok(fs.existsSync(path.join(testsDir, f)), f);
  // Two promtool processes at a time: each file evaluates its rules minute by minute over hours.
  const queue = [...files];
  const failures: string[] = [];
  await Promise.all(
    [0, 1].map(async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        const r = await run(['test', 'rules', f], testsDir);
        if (r.code !== 0) failures.push(`${f}:\n${r.out}`);
      }
    }),
  );
  assert.deepEqual(failures, []);
});
