// `defineScenario()` gives a scenario file its types (like k6's `options` typing); validation
// runs when the scenario is run or listed, naming the file.

import type { ScenarioDefinition } from '../types.ts';

/** Types a scenario definition (identity at run time). */
export function defineScenario<const T extends ScenarioDefinition>(definition: T): T {
  return definition;
}
