// The one module of marketbench that reads `process.env` (test/environmentReads.test.ts refuses
// a read anywhere else). Everything else takes an `Environment` argument defaulting to
// `processEnvironment()`, so tests pass their own and nobody mutates the real one.

import type { EnvName } from '../names.ts';
import type { Environment } from '../types.ts';

/** The environment of this process. */
export function processEnvironment(): Environment {
  return process.env;
}

/** The value of `name`, or undefined when it is unset or empty (an empty variable means "not set"). */
export function readEnv(name: EnvName, env: Environment = processEnvironment()): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** True under CI (`CI=true` or `CI=1`): tests whose real dependency is missing fail instead of skipping. */
export function inCi(env: Environment = processEnvironment()): boolean {
  const v = readEnv('CI', env);
  return v === 'true' || v === '1';
}
