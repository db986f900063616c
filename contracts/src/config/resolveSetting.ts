// "Flag, then environment variable, then default", once: every option marketbench reads from
// more than one place goes through `resolveSetting`, so the rule (an empty variable is unset; a
// bad value is MB_ERR_USAGE naming the flag or the variable it came from) is the same everywhere.

import { CONTRACT_ERRORS } from '../errors/contractErrors.ts';
import type { Parser, SettingSources } from '../types.ts';
import { processEnvironment, readEnv } from './environment.ts';

/** Argument, then flag, then the first set environment variable, then the default. */
export function resolveSetting<T>(sources: SettingSources<T> & { default: T }): T;
export function resolveSetting<T>(sources: SettingSources<T>): T | undefined;
export function resolveSetting<T>(sources: SettingSources<T>): T | undefined {
  if (sources.arg !== undefined) return sources.arg;
  if (sources.flag?.value !== undefined) return sources.parse(sources.flag.value, sources.flag.name);
  const env = sources.environment ?? processEnvironment();
  const names = typeof sources.env === 'string' ? [sources.env] : (sources.env ?? []);
  for (const name of names) {
    const raw = readEnv(name, env);
    if (raw !== undefined) return sources.parse(raw, name);
  }
  return sources.default;
}

/** Parser that keeps the text as is. */
export const parseString: Parser<string> = (raw) => raw;

/** Parser of `true`/`1`/`yes` and `false`/`0`/`no` (any case); MB_ERR_USAGE otherwise. */
export const parseBoolean: Parser<boolean> = (raw, name) => {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw CONTRACT_ERRORS.create('MB_ERR_USAGE', `${name} must be true or false, got "${raw}"`);
};

/** Parser of one of `words`; MB_ERR_USAGE listing them otherwise. */
export function parseOneOf<const W extends string>(words: readonly W[]): Parser<W> {
  return (raw, name) => {
    if ((words as readonly string[]).includes(raw)) return raw as W;
    throw CONTRACT_ERRORS.create('MB_ERR_USAGE', `${name} must be one of ${words.join(', ')}, got "${raw}"`);
  };
}
