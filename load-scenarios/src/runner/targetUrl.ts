// marketbench loads only this machine: a target must be http(s) on a loopback address.

import net from 'node:net';
import { ScenarioError } from '../errors.ts';

/** True for localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m?.slice(1).every((o) => Number(o) <= 255) ?? false;
}

/** The target's origin, or a MB_ERR_SCENARIO_TARGET error for anything that is not loopback http(s). */
export function checkTarget(target: string): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new ScenarioError(
      'MB_ERR_SCENARIO_TARGET',
      `target "${target}" is not a URL (expected e.g. http://127.0.0.1:8080)`,
      { field: '--target' },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ScenarioError('MB_ERR_SCENARIO_TARGET', `target "${target}" must be http or https`, {
      field: '--target',
    });
  }
  if (!isLoopbackHost(url.hostname)) {
    throw new ScenarioError(
      'MB_ERR_SCENARIO_TARGET',
      `target "${target}" is not a loopback address; marketbench sends load only to this machine (127.0.0.0/8, localhost, [::1])`,
      { field: '--target' },
    );
  }
  return url.origin;
}

/** Fails with MB_ERR_SCENARIO_RUN when nothing accepts connections at the target (before any load). */
export async function checkReachable(origin: string, timeoutMs = 3000): Promise<void> {
  const url = new URL(origin);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const error = await new Promise<string | undefined>((resolve) => {
    const socket = net.connect({ host, port });
    const done = (e: string | undefined) => {
      socket.destroy();
      resolve(e);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err) => done(err.message));
  });
  if (error !== undefined) {
    throw new ScenarioError(
      'MB_ERR_SCENARIO_RUN',
      `target ${origin} is not reachable (${error}); is the service running?`,
      { field: '--target' },
    );
  }
}
