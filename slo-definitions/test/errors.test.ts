import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_DIR } from '../src/build/gen.ts';
import { SLO_ERRORS } from '../src/errors.ts';

test('every MB_ERR_SLO_* code is documented in docs/SLO.md, and nothing else is', () => {
  const doc = fs.readFileSync(path.join(REPO_DIR, 'docs/SLO.md'), 'utf8');
  const documented = new Set(doc.match(/MB_ERR_SLO_[A-Z_]+/g));
  for (const code of SLO_ERRORS.codes) assert.ok(documented.has(code), `${code} missing from docs/SLO.md`);
  for (const code of documented) assert.ok(SLO_ERRORS.has(code), `docs/SLO.md documents unknown ${code}`);
});
