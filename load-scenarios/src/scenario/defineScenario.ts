// `defineScenario()` gives a scenario file its types (like k6's `options` typing); validation
// runs when the scenario is run or listed, naming the file.

import type { ScenarioDefinition, ScenarioInput } from '../types.ts';

/** Types a scenario definition, named scenarios or k6's execution shortcuts (identity at run time). */
export function defineScenario<const T extends ScenarioDefinition | ScenarioInput>(definition: T): T {
  return definition;
}
