// Every error code of the catalog is documented in docs/LOAD.md with its exit code.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SCENARIO_ERRORS } from '../src/errors.ts';
import { checkReachable } from '../src/runner/targetUrl.ts';

test('every MB_ERR_SCENARIO_* code is in docs/LOAD.md with its exit code, and nothing else is', () => {
  const doc = readFileSync(new URL('../../docs/LOAD.md', import.meta.url), 'utf8');
  for (const [code, { exit }] of Object.entries(SCENARIO_ERRORS.specs)) {
    assert.match(
      doc,
      new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${exit}\\s*\\|`),
      `${code} (exit ${exit}) is not documented`,
    );
  }
  const documented = [...doc.matchAll(/`(MB_ERR_SCENARIO_[A-Z_]+)`/g)].map((m) => m[1]);
  for (const code of documented)
    assert.ok(SCENARIO_ERRORS.has(code), `docs/LOAD.md documents ${code}, which the catalog lacks`);
});

test('an unreachable target fails with MB_ERR_SCENARIO_RUN before any load', async () => {
  await assert.rejects(
    checkReachable('http://127.0.0.1:1'),
    (err: Error & { code?: string }) => err.code === 'MB_ERR_SCENARIO_RUN',
  );
});
