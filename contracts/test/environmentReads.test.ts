// Configuration precedence is implemented once (contracts' resolveSetting), so the environment is
// read in one module: contracts/src/config/environment.ts. Any other `process.env` in a package's
// sources, the CLI entry or the test support is a second precedence rule in the making.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { packageSourceDirs, REPO, sourceFiles, stripComments } from './support/sourceFiles.ts';

const ALLOWED = new Set(['contracts/src/config/environment.ts']);

/** The `process.env` uses in `code` (read, spread or index), comments aside. */
export function environmentReads(code: string): string[] {
  return [...stripComments(code).matchAll(/\bprocess\s*\.\s*env\b(?:\s*\.\s*\w+|\s*\[[^\]]*\])?/g)].map((m) =>
    m[0].replace(/\s+/g, ''),
  );
}

test('the detector finds a read, an index and a spread, and ignores comments', () => {
  assert.deepEqual(environmentReads('const p = process.env.MARKETBENCH_PORT;'), [
    'process.env.MARKETBENCH_PORT',
  ]);
  assert.deepEqual(environmentReads("const v = process.env[name] ?? '';"), ['process.env[name]']);
  assert.deepEqual(environmentReads('fork(f, [], { env: { ...process.env } });'), ['process.env']);
  assert.deepEqual(environmentReads('// falls back to process.env.X\nconst a = 1;'), []);
});

test('process.env appears in contracts/src/config/environment.ts and nowhere else', () => {
  const files = sourceFiles([...packageSourceDirs(), 'contracts/src', 'cli/bin', 'test-support']);
  assert.ok(files.some((f) => path.relative(REPO, f) === 'contracts/src/config/environment.ts'));
  const offences: string[] = [];
  for (const file of files) {
    const rel = path.relative(REPO, file);
    if (ALLOWED.has(rel)) continue;
    for (const use of environmentReads(fs.readFileSync(file, 'utf8')))
      offences.push(`${rel}: ${use} (read it with readEnv or resolveSetting from @marketbench/contracts)`);
  }
  assert.deepEqual(offences, []);
});
