// The built-in scenarios by name (`marketbench run smoke`), with their source files for k6
// export headers and `scenarios list`.

import { fileURLToPath } from 'node:url';
import type { ScenarioDefinition } from '../types.ts';
import checkoutRush from './checkoutRush.ts';
import flashSale from './flashSale.ts';
import marketplaceDay from './marketplaceDay.ts';
import pspIncident from './pspIncident.ts';
import smoke from './smoke.ts';
import soak from './soak.ts';
import stress from './stress.ts';

/** Built-in scenarios by name. */
export const BUILTIN_SCENARIOS: Readonly<Record<string, ScenarioDefinition>> = {
  smoke,
  'marketplace-day': marketplaceDay,
  'flash-sale': flashSale,
  'checkout-rush': checkoutRush,
  soak,
  stress,
  'psp-incident': pspIncident,
};

const FILES: Record<string, string> = {
  smoke: 'smoke.ts',
  'marketplace-day': 'marketplaceDay.ts',
  'flash-sale': 'flashSale.ts',
  'checkout-rush': 'checkoutRush.ts',
  soak: 'soak.ts',
  stress: 'stress.ts',
  'psp-incident': 'pspIncident.ts',
};

/** Absolute path of a built-in scenario's source file. */
export function builtinScenarioFile(name: string): string {
  return fileURLToPath(new URL(`./${FILES[name]}`, import.meta.url));
}
