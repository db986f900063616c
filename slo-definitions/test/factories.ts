// Factories for spec objects: each test states only the fields it is about.
import type { SloSpec, SloSpecFile } from '../src/types.ts';

/** A valid SLO: checkout success at 99% over 30 days with the default policy. */
export function baseSlo(overrides: Partial<SloSpec> = {}): SloSpec {
  return {
    name: 'checkout-success',
    description: 'Checkouts complete without a server error.',
    indicator: { httpAvailability: { routeGroup: 'checkout', excludeClientErrors: true } },
    objectives: [{ target: 0.99 }],
    timeWindow: { duration: '30d', isRolling: true },
    budgetingMethod: 'Occurrences',
    ...overrides,
  };
}

/** A valid spec file holding `slos` (one baseSlo by default). */
export function baseSpecFile(slos: SloSpec[] = [baseSlo()]): SloSpecFile {
  return {
    apiVersion: 'marketbench/v1',
    kind: 'ServiceLevelObjectives',
    metadata: { name: 'shop' },
    spec: { service: 'marketbench-reference-service', slos },
  };
}
