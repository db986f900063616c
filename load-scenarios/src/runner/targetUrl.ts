// marketbench loads this machine: a target must be http(s) on a loopback address, unless the
// user opts in, explicitly and twice, to load a host of their own: `--allow-remote-target` on the
// command line, and the host listed in MARKETBENCH_ALLOWED_TARGETS. Either alone is refused.

import net from 'node:net';
import { ScenarioError } from '../errors.ts';

/** True for localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m?.slice(1).every((o) => Number(o) <= 255) ?? false;
}

/** The user's opt-in to load a host that is not this machine. */
export interface TargetPolicy {
  /** `--allow-remote-target` was given. */
  allowRemote?: boolean;
  /** Entries of MARKETBENCH_ALLOWED_TARGETS: `host`, `host:port`, `*.domain` or an origin. */
  allowedTargets?: readonly string[];
}

/** The entries of a MARKETBENCH_ALLOWED_TARGETS value (comma- or space-separated). */
export function parseAllowedTargets(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/** Whether `url` is one of the allowed entries (hostname case-insensitive; a port must match when given). */
export function isAllowedTarget(url: URL, allowed: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowed.some((entry) => {
    let e: URL;
    try {
      e = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `${url.protocol}//${entry}`);
    } catch {
      return false;
    }
    const pattern = e.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (pattern === '*' || pattern === '') return false;
    const hostOk = pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;
    const explicitPort = /:\d+(?:\/|$)/.test(entry.replace(/^[a-z][a-z0-9+.-]*:\/\//i, ''));
    return hostOk && (!explicitPort || (e.port || (e.protocol === 'https:' ? '443' : '80')) === port);
  });
}

/** True when the target's host is not this machine. */
export function isRemoteTarget(origin: string): boolean {
  return !isLoopbackHost(new URL(origin).hostname);
}

/**
 * The target's origin, or a MB_ERR_SCENARIO_TARGET error for anything that is not http(s) on
 * loopback, unless the policy opts in to that very host.
 */
export function checkTarget(target: string, policy: TargetPolicy = {}): string {
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
    if (!policy.allowRemote) {
      throw new ScenarioError(
        'MB_ERR_SCENARIO_TARGET',
        `target "${target}" is not a loopback address; marketbench sends load only to this machine (127.0.0.0/8, localhost, [::1]) unless you opt in for a host of your own with --allow-remote-target and MARKETBENCH_ALLOWED_TARGETS`,
        { field: '--target' },
      );
    }
    if (!isAllowedTarget(url, policy.allowedTargets ?? [])) {
      throw new ScenarioError(
        'MB_ERR_SCENARIO_TARGET',
        `target "${target}": --allow-remote-target is given but ${url.host} is not listed in MARKETBENCH_ALLOWED_TARGETS (${(policy.allowedTargets ?? []).join(', ') || 'empty'}); list the hosts you own and may load`,
        { field: '--target' },
      );
    }
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
