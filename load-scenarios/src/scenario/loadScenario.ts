// Resolves `marketbench run <scenario|file.ts>`: a built-in name, or a module path whose
// default export is a scenario; validated (naming the file) before anything runs.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ScenarioError } from '../errors.ts';
import { BUILTIN_SCENARIOS, builtinScenarioFile } from '../scenarios/catalog.ts';
import type { ScenarioDefinition } from '../types.ts';
import { validateScenario } from './validateScenario.ts';

/** A resolved scenario and the file it came from. */
export interface LoadedScenario {
  definition: ScenarioDefinition;
  /** Source file (the built-in's own file for a built-in). */
  file: string;
  builtin: boolean;
}

/** Loads and validates a built-in scenario by name or a scenario module by path. */
export async function loadScenario(nameOrFile: string, cwd = process.cwd()): Promise<LoadedScenario> {
  const builtin = BUILTIN_SCENARIOS[nameOrFile];
  if (builtin) {
    const file = builtinScenarioFile(nameOrFile);
    return { definition: validateScenario(builtin, file), file, builtin: true };
  }
  const file = path.resolve(cwd, nameOrFile);
  if (!/\.(ts|mts|js|mjs)$/.test(file) || !existsSync(file)) {
    throw new ScenarioError(
      'MB_ERR_SCENARIO_UNKNOWN',
      `"${nameOrFile}" is neither a built-in scenario (${Object.keys(BUILTIN_SCENARIOS).join(', ')}) nor an existing .ts/.js file`,
    );
  }
  let mod: { default?: unknown; scenario?: unknown };
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw new ScenarioError(
      'MB_ERR_SCENARIO_LOAD',
      `cannot import the scenario module: ${(err as Error).message}`,
      { file, cause: err },
    );
  }
  const def = mod.default ?? mod.scenario;
  if (def === undefined) {
    throw new ScenarioError(
      'MB_ERR_SCENARIO_LOAD',
      'the module has no default export (export default defineScenario({...}))',
      { file },
    );
  }
  return { definition: validateScenario(def, file), file, builtin: false };
}
