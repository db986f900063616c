// The CLI's error catalog: every code the CLI raises is documented in docs/CLI.md with its exit
// code, and every code the cli package mentions (src and bin) is in a catalog: the CLI's own or
// the one of the package whose error the command passes on.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONTRACT_ERRORS } from '@marketbench/contracts';
import { SCENARIO_ERRORS } from '@marketbench/load-scenarios';
import { SERVICE_ERRORS } from '@marketbench/reference-service';
import { SLO_ERRORS } from '@marketbench/slo-definitions';
import { STORE_ERRORS } from '@marketbench/telemetry-store';
import { CLI_ERRORS } from '../src/errors.ts';

const CLI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOC = fs.readFileSync(path.join(CLI_DIR, '..', 'docs', 'CLI.md'), 'utf8');
const CATALOGS = new Set<string>([
  ...CLI_ERRORS.codes,
  ...CONTRACT_ERRORS.codes,
  ...SERVICE_ERRORS.codes,
  ...SCENARIO_ERRORS.codes,
  ...SLO_ERRORS.codes,
  ...STORE_ERRORS.codes,
]);
// A code, not a prefix followed by `*` (`MB_ERR_SCENARIO_*` names a family).
const CODE = /MB_ERR_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_*])/g;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|js)$/.test(e.name) ? [p] : [];
  });
}

test('every code of CLI_ERRORS and CONTRACT_ERRORS is in a docs/CLI.md table with its exit code', () => {
  for (const [code, { exit }] of [
    ...Object.entries(CLI_ERRORS.specs),
    ...Object.entries(CONTRACT_ERRORS.specs),
  ]) {
    assert.ok(
      new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${exit}\\s*\\|`).test(DOC),
      `${code} (exit ${exit}) is not in a docs/CLI.md table`,
    );
  }
});

test('every code in cli/src, cli/bin and docs/CLI.md is in a catalog', () => {
  const files = [...sources(path.join(CLI_DIR, 'src')), ...sources(path.join(CLI_DIR, 'bin'))];
  assert.ok(files.length > 20);
  for (const file of files) {
    for (const [code] of fs.readFileSync(file, 'utf8').matchAll(CODE))
      assert.ok(CATALOGS.has(code), `${path.relative(CLI_DIR, file)} uses ${code}, which no catalog has`);
  }
  for (const [code] of DOC.matchAll(CODE))
    assert.ok(CATALOGS.has(code), `docs/CLI.md documents ${code}, which no catalog has`);
});
