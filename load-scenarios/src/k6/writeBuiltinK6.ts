// `npm run gen` in load-scenarios: writes load-scenarios/k6/<name>.js for every built-in
// scenario (committed; CI regenerates and fails on a difference).

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_SCENARIOS, builtinScenarioFile } from '../scenarios/catalog.ts';
import { exportK6 } from './exportK6.ts';

/** Directory of the committed k6 scripts. */
export const K6_DIR = fileURLToPath(new URL('../../k6/', import.meta.url));

/** The repository-relative path of a file, for headers that do not depend on the checkout. */
function repoRelative(file: string): string {
  return path.relative(fileURLToPath(new URL('../../../', import.meta.url)), file).split(path.sep).join('/');
}

/** The k6 script of a built-in scenario, with its DO-NOT-EDIT header. */
export function builtinK6Script(name: string): string {
  return exportK6(BUILTIN_SCENARIOS[name], { command: `marketbench export k6 ${name}`, source: repoRelative(builtinScenarioFile(name)) });
}

/** Writes every built-in's k6 script into `dir`; returns the files written. */
export function writeBuiltinK6(dir = K6_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.keys(BUILTIN_SCENARIOS).map((name) => {
    const file = path.join(dir, `${name}.js`);
    writeFileSync(file, builtinK6Script(name));
    return file;
  });
}

if (import.meta.main) {
  for (const f of writeBuiltinK6()) process.stdout.write(`wrote ${repoRelative(f)}\n`);
}
