// `npm run gen` for slo-definitions: regenerates generated/ from specs/, the promtool unit
// tests under test/promtool/, and the golden outputs beside testdata/in-*.yaml.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SPECS_DIR, loadSpecs } from '../spec/loadSpecs.ts';
import { buildGolden, buildImportGolden } from './buildGolden.ts';
import { buildOutputs, buildPromtoolTests } from './buildOutputs.ts';
import { writeOutputs } from './writeOutputs.ts';

/** Root of the slo-definitions package. */
export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
/** Root of the repository (spec paths in generated files are relative to it). */
export const REPO_DIR = path.resolve(PACKAGE_DIR, '..');

/** Regenerates everything; returns the paths (relative to the package) that changed. */
export function gen(): string[] {
  const slos = loadSpecs(DEFAULT_SPECS_DIR, REPO_DIR);
  const changed = [
    ...writeOutputs(path.join(PACKAGE_DIR, 'generated'), buildOutputs(slos)).map((f) => `generated/${f}`),
    ...writeOutputs(path.join(PACKAGE_DIR, 'test/promtool'), buildPromtoolTests(slos)).map(
      (f) => `test/promtool/${f}`,
    ),
    ...writeOutputs(path.join(PACKAGE_DIR, 'testdata'), buildGolden(path.join(PACKAGE_DIR, 'testdata'))).map(
      (f) => `testdata/${f}`,
    ),
    ...writeOutputs(
      path.join(PACKAGE_DIR, 'testdata/import'),
      buildImportGolden(path.join(PACKAGE_DIR, 'testdata/import')),
    ).map((f) => `testdata/import/${f}`),
  ];
  return changed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const changed = gen();
  process.stdout.write(
    changed.length ? `slo-definitions: wrote ${changed.join(', ')}\n` : 'slo-definitions: up to date\n',
  );
}
