// --help of the commands this package's main job, report and gate add, and their usage errors,
// through the real bin as a user types them.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/marketbench.js', import.meta.url));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });

test('--help of start, up, report, gate and baseline save exits 0 and names the flags', () => {
  const expectations: Array<[string[], RegExp[]]> = [
    [
      ['start', '--help'],
      [/--duration/, /--rate/, /marketplace-day/, /99 a threshold failed/],
    ],
    [
      ['up', '--help'],
      [/--port/, /--ingest-port/],
    ],
    [
      ['report', '--help'],
      [/--last/, /--out/],
    ],
    [
      ['gate', '--help'],
      [/--budgets/, /--baseline/, /--junit/, /--markdown/, /98 inconclusive/],
    ],
    [
      ['baseline', 'save', '--help'],
      [/--to/, /--samples/],
    ],
  ];
  for (const [args, patterns] of expectations) {
    const r = run(...args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    for (const p of patterns) assert.match(r.stdout, p, args.join(' '));
  }
});

test('usage errors exit 1 with one line', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-help-'));
  try {
    const noBudgets = run('gate');
    assert.equal(noBudgets.status, 1);
    assert.match(noBudgets.stderr, /--budgets/);
    const missing = run('gate', '--budgets', path.join(home, 'nope.yaml'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read budgets .*nope\.yaml.*\[MB_ERR_BUDGET_INVALID\]/);
    const badRate = run('start', '--rate', 'fast');
    assert.equal(badRate.status, 1);
    assert.match(badRate.stderr, /--rate must be a non-negative integer/);
    const both = spawnSync(process.execPath, [BIN, 'report', 'abc', '--last'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, MARKETBENCH_HOME: home },
    });
    assert.equal(both.status, 1);
    assert.match(both.stderr, /not both/);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
