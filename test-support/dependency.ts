// Tests that need a real dependency (a PostgreSQL server, promtool, Chromium) call
// `needs()`: on a laptop a missing dependency skips the test with a one-line reason;
// under CI=true it fails, so CI can never go green by skipping the real thing.

import { spawnSync } from 'node:child_process';
import net from 'node:net';
import type { TestContext } from 'node:test';
import { inCi as ciEnvironment } from '@marketbench/contracts';

/** True when running under CI (CI=true or CI=1). */
export const inCi = ciEnvironment();

/**
 * Skips (laptop) or fails (CI) the test when `missing` is a reason string; returns true when the
 * dependency is present and the test should go on.
 */
export function needs(t: TestContext, missing: string | undefined): boolean {
  if (missing === undefined) return true;
  if (inCi) throw new Error(`required dependency missing under CI: ${missing}`);
  t.skip(missing);
  return false;
}

/** Reason string when `command --version`-style probing fails, undefined when the command runs. */
export function missingCommand(command: string, args: readonly string[] = ['--version']): string | undefined {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0 ? undefined : `${command} not available (install it, e.g. via .ci/run)`;
}

/** Reason string when nothing accepts TCP connections on host:port, undefined when something does. */
export async function missingPort(host: string, port: number, what: string): Promise<string | undefined> {
  const ok = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port });
    const done = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  return ok ? undefined : `${what} not reachable on ${host}:${port}`;
}
