// `k6`: check() evaluates every named predicate and records it; sleep() records the pause (the
// tests assert the think time asked for, without waiting it out).

import { recorded } from './recorder.ts';

export function check(
  value: unknown,
  checks: Record<string, (v: unknown) => boolean>,
  tags: Record<string, string> = {},
): boolean {
  let all = true;
  for (const [name, fn] of Object.entries(checks)) {
    const pass = Boolean(fn(value));
    recorded.checks.push({ name, pass, tags });
    all &&= pass;
  }
  return all;
}

export function sleep(seconds: number): void {
  recorded.sleeps.push(seconds);
}
