// The one number grammar for flags, environment variables and config values: plain decimal
// notation only. `Number()` alone would take `''` as 0, `0x1f`, `1e3` and `Infinity`, and a
// `replaceAll('_', '')` before it took `8_080`; none of those is what a user means by a port.

import { CONTRACT_ERRORS } from '../errors/contractErrors.ts';
import type { NumberRule } from '../types.ts';

const DECIMAL = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;

/** "a non-negative integer", "a number from 0 to 1", …: what `rule` asks for, in words. */
export function describeNumberRule(rule: NumberRule = {}): string {
  const noun = rule.integer ? 'integer' : 'number';
  const { min, max } = rule;
  if (min !== undefined && max !== undefined)
    return `${rule.integer ? 'an' : 'a'} ${noun} from ${min} to ${max}`;
  if (min === 0) return `a non-negative ${noun}`;
  if (min === 1 && rule.integer) return 'a positive integer';
  if (min !== undefined) return `${rule.integer ? 'an' : 'a'} ${noun} of at least ${min}`;
  if (max !== undefined) return `${rule.integer ? 'an' : 'a'} ${noun} of at most ${max}`;
  return `${rule.integer ? 'an' : 'a'} ${noun}`;
}

/** The number `raw` denotes under `rule`, or undefined when it is not one (no throw). */
export function tryParseNumber(raw: string | number, rule: NumberRule = {}): number | undefined {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else {
    const text = raw.trim();
    if (!DECIMAL.test(text)) return undefined;
    n = Number(text);
  }
  if (!Number.isFinite(n)) return undefined;
  if (rule.integer && !Number.isInteger(n)) return undefined;
  if (rule.min !== undefined && n < rule.min) return undefined;
  if (rule.max !== undefined && n > rule.max) return undefined;
  return n;
}

/**
 * The number `raw` denotes under `rule`; MB_ERR_USAGE naming `name` (a flag or variable) otherwise:
 * `--items must be a positive integer, got "1.5"`.
 */
export function parseNumber(raw: string | number, name: string, rule: NumberRule = {}): number {
  const n = tryParseNumber(raw, rule);
  if (n === undefined)
    throw CONTRACT_ERRORS.create('MB_ERR_USAGE', `${name} must be ${describeNumberRule(rule)}, got "${raw}"`);
  return n;
}

/** A TCP port, 0 to 65535 (0 asks the system for a free one); MB_ERR_USAGE naming `name` otherwise. */
export function parsePort(raw: string | number, name: string): number {
  const port = tryParseNumber(raw, PORT_RULE);
  if (port === undefined)
    throw CONTRACT_ERRORS.create(
      'MB_ERR_USAGE',
      `${name} must be a port number from 0 to 65535, got "${raw}"`,
    );
  return port;
}

const PORT_RULE: NumberRule = { integer: true, min: 0, max: 65_535 };
