// `npm run gen` in load-scenarios: writes load-scenarios/k6/<name>.js for every built-in
// scenario and k6/lib/journeys.js with their journeys, each once (committed; CI regenerates them
// and fails on a difference). k6/lib/marketbench.js, the runtime they import, is hand-written.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_SCENARIOS, builtinScenarioFile } from '../scenarios/catalog.ts';
import { exportK6, sharedJourneysModule } from './exportK6.ts';

/** Directory of the committed k6 scripts. */
export const K6_DIR = fileURLToPath(new URL('../../k6/', import.meta.url));

/** The shared journeys module, relative to the scripts. */
const JOURNEYS_IMPORT = './lib/journeys.js';

/** The repository-relative path of a file, for headers that do not depend on the checkout. */
function repoRelative(file: string): string {
  return path
    .relative(fileURLToPath(new URL('../../../', import.meta.url)), file)
    .split(path.sep)
    .join('/');
}

function builtinJourneys() {
  return sharedJourneysModule(BUILTIN_SCENARIOS, {
    command: 'npm run gen',
    from: 'the built-in scenarios in load-scenarios/src/scenarios',
  });
}

/** The k6 script of a built-in scenario, with its DO-NOT-EDIT header. */
export function builtinK6Script(name: string): string {
  return exportK6(BUILTIN_SCENARIOS[name], {
    command: `marketbench export k6 ${name}`,
    source: repoRelative(builtinScenarioFile(name)),
    sharedJourneys: { from: JOURNEYS_IMPORT, names: builtinJourneys().names[name] },
  });
}

/** The journeys module the built-in scripts import. */
export function builtinJourneysModule(): string {
  return builtinJourneys().source;
}

/** Writes every built-in's k6 script and the shared journeys into `dir`; returns the files written. */
export function writeBuiltinK6(dir = K6_DIR): string[] {
  mkdirSync(path.join(dir, 'lib'), { recursive: true });
  const journeysFile = path.join(dir, 'lib', 'journeys.js');
  writeFileSync(journeysFile, builtinJourneysModule());
  return [
    journeysFile,
    ...Object.keys(BUILTIN_SCENARIOS).map((name) => {
      const file = path.join(dir, `${name}.js`);
      writeFileSync(file, builtinK6Script(name));
      return file;
    }),
  ];
}

if (import.meta.main) {
  for (const f of writeBuiltinK6()) process.stdout.write(`wrote ${repoRelative(f)}\n`);
}
