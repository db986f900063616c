// Every code of the dashboards catalog is documented in docs/DASHBOARDS.md, and the errors the
// package throws carry their code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DASHBOARD_ERRORS } from '../src/errors.ts';
import { expandBackendMacros, MacroError } from '../src/macros/backendMacros.ts';

test('every MB_ERR_DASHBOARDS_* code is in a docs/DASHBOARDS.md table, and nothing else is', () => {
  const doc = readFileSync(new URL('../../docs/DASHBOARDS.md', import.meta.url), 'utf8');
  for (const code of DASHBOARD_ERRORS.codes)
    assert.ok(new RegExp(`\\|\\s*\`${code}\`\\s*\\|`).test(doc), `${code} is not documented`);
  for (const [code] of doc.matchAll(/MB_ERR_[A-Z0-9_]*[A-Z0-9]/g))
    assert.ok(DASHBOARD_ERRORS.has(code), `docs/DASHBOARDS.md documents ${code}, which the catalog lacks`);
});

test('a query the plugin rejects throws MacroError with MB_ERR_DASHBOARDS_MACRO', () => {
  const ctx = {
    from: new Date('2026-01-01T00:00:00Z'),
    to: new Date('2026-01-01T01:00:00Z'),
    intervalMs: 60_000,
  };
  assert.throws(
    () => expandBackendMacros('select * from t where $__timeFilter(a, b)', ctx),
    (err: unknown) => err instanceof MacroError && err.code === 'MB_ERR_DASHBOARDS_MACRO',
  );
});
