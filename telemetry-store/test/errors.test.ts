// Every store error code is documented in docs/STORE.md with the exit code the catalog gives it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { STORE_ERRORS, StoreError } from '../src/errors.ts';

test('every STORE_ERRORS code has a row in docs/STORE.md with its exit code', () => {
  const doc = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'STORE.md'), 'utf8');
  for (const [code, { exit }] of Object.entries(STORE_ERRORS.specs)) {
    assert.match(
      doc,
      // Tolerates the column padding Markdown table formatters add.
      new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${exit}\\s*\\|`),
      `${code} (exit ${exit}) missing from docs/STORE.md`,
    );
  }
});

test('a StoreError carries its code and the catalog exit code', () => {
  const err = new StoreError('MB_ERR_STORE_LOCKED', 'owned by process 42');
  assert.equal(err.code, 'MB_ERR_STORE_LOCKED');
  assert.equal(err.exitCode, 3);
  assert.equal(err.message, 'owned by process 42');
});
