// Factories for test scenarios: one journey with one GET step unless told otherwise.

import type { ExecutorConfig, ScenarioDefinition, Step } from '../../src/types.ts';

export function baseScenario(
  executor: ExecutorConfig,
  overrides: Partial<ScenarioDefinition> = {},
  steps?: Step[],
): ScenarioDefinition {
  return {
    apiVersion: 'marketbench/v1',
    name: 'test',
    description: 'test scenario',
    options: { scenarios: { main: executor } },
    journeys: { only: { weight: 1, steps: steps ?? [{ name: 'ping', method: 'GET', path: '/ping' }] } },
    ...overrides,
  };
}
