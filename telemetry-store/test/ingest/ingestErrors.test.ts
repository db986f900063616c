// Every error code the receiver can answer with is documented, with its status, in docs/INGEST.md.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { INGEST_ERRORS } from '../../src/ingest/ingestErrors.ts';

test('every ingest error code is in docs/INGEST.md with its HTTP status', () => {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/INGEST.md'), 'utf8');
  for (const [code, { status }] of Object.entries(INGEST_ERRORS.specs)) {
    assert.match(
      doc,
      new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`),
      `${code} (${status}) is not documented`,
    );
  }
});
