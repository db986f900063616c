// The reference service's admin token, read in one place: the service that checks it, the stack
// that starts the service and the runner that injects faults all agree on where it comes from.

import { ENV } from '../names.ts';
import type { Environment } from '../types.ts';
import { processEnvironment } from './environment.ts';
import { parseString, resolveSetting } from './resolveSetting.ts';

/** The admin token: the argument, else MARKETBENCH_ADMIN_TOKEN, else undefined (the service then makes one). */
export function resolveAdminToken(
  arg?: string | undefined,
  environment: Environment = processEnvironment(),
): string | undefined {
  return resolveSetting({ arg, env: ENV.adminToken, parse: parseString, environment });
}
