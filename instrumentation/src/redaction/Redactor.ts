// Keeps card numbers and secrets out of exported telemetry. A value is replaced when its key is
// configured (exact key, its last dot-segment, or a `prefix.*` pattern) or when the value contains
// a PAN: a Luhn-valid sequence of 13-19 digits (optionally grouped by single spaces or dashes)
// standing on its own. Digits inside an identifier (a UUID, a trace id, an order id) are never a
// PAN: one in ten random digit runs passes Luhn, so matching inside ids corrupted them in spans
// (`841cf0b3-a6b9-4f[REDACTED]d32`) and the order could no longer be found by its id.

import type { Attributes, AttributeValue } from '@opentelemetry/api';

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

// Digit runs of 13-19 digits, allowing single spaces/dashes between groups (4111 1111 1111 1111),
// bounded on both sides by a non-alphanumeric (or the string's end) that does not join it to an
// identifier: `a1-` before or `-9f` after makes the run one group of a UUID-like id, not a PAN.
const CANDIDATE =
  /(?<![\p{L}\p{N}])(?<![\p{L}\p{N}][-_])\d(?:[ -]?\d){12,18}(?![\p{L}\p{N}])(?![-_][\p{L}\p{N}])/gu;
const QUICK = /\d{4}/;

/** True when `digits` (only 0-9) passes the Luhn check. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Replaces every Luhn-valid 13-19 digit run in `text`; returns the same string when nothing matched. */
export function redactPans(text: string): string {
  if (text.length < 13 || !QUICK.test(text)) return text;
  return text.replace(CANDIDATE, (match) => {
    const digits = match.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19) return match;
    return luhnValid(digits) ? REDACTED : match;
  });
}

/** Redacts values by key and by content; counts what it replaced. */
export class Redactor {
  readonly #exact = new Set<string>();
  readonly #prefixes: string[] = [];
  readonly #keyCache = new Map<string, boolean>();
  /** Values replaced so far. */
  redacted = 0;

  constructor(keys: readonly string[]) {
    for (const raw of keys) {
      const k = raw.toLowerCase();
      if (k.endsWith('.*')) this.#prefixes.push(k.slice(0, -1));
      else if (k.endsWith('*')) this.#prefixes.push(k.slice(0, -1));
      else this.#exact.add(k);
    }
  }

  /** True when values under `key` must never be exported. */
  isSecretKey(key: string): boolean {
    let hit = this.#keyCache.get(key);
    if (hit !== undefined) return hit;
    const k = key.toLowerCase();
    const dot = k.lastIndexOf('.');
    const last = dot >= 0 ? k.slice(dot + 1) : k;
    hit =
      this.#exact.has(k) ||
      this.#exact.has(last) ||
      this.#prefixes.some((p) => k.startsWith(p) || k.includes(`.${p}`));
    if (this.#keyCache.size < 10_000) this.#keyCache.set(key, hit);
    return hit;
  }

  /** Redacted copy of a single value (strings scanned for PANs, arrays element-wise). */
  value<T>(v: T): T {
    if (typeof v === 'string') {
      const r = redactPans(v);
      if (r !== v) this.redacted++;
      return r as T;
    }
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1e12) {
      // A PAN that arrived as a number (13+ digits) is still a PAN.
      const s = String(v);
      if (s.length >= 13 && s.length <= 19 && luhnValid(s)) {
        this.redacted++;
        return REDACTED as T;
      }
      return v;
    }
    if (Array.isArray(v)) {
      let changed = false;
      const out = v.map((e) => {
        const r = this.value(e);
        if (r !== e) changed = true;
        return r;
      });
      return (changed ? out : v) as T;
    }
    if (v !== null && typeof v === 'object') return this.object(v as Record<string, unknown>) as T;
    return v;
  }

  /** Redacted version of a plain object (nested objects included); returns the input when nothing changed. */
  object<T extends Record<string, unknown>>(obj: T): T {
    let out: Record<string, unknown> | undefined;
    for (const key in obj) {
      const v = obj[key];
      let r: unknown;
      if (this.isSecretKey(key)) {
        r = v === undefined || v === null ? v : REDACTED;
        if (r !== v) this.redacted++;
      } else {
        r = this.value(v);
      }
      if (r !== v) {
        out ??= { ...obj };
        out[key] = r;
      }
    }
    return (out ?? obj) as T;
  }

  /** Redacts an OTel attributes object IN PLACE (the span has ended; nothing else reads it before export). */
  attributesInPlace(attrs: Attributes): void {
    for (const key in attrs) {
      const v = attrs[key];
      if (v === undefined) continue;
      if (this.isSecretKey(key)) {
        attrs[key] = REDACTED;
        this.redacted++;
        continue;
      }
      if (typeof v === 'string') {
        if (v.length >= 13) {
          const r = redactPans(v);
          if (r !== v) {
            attrs[key] = r;
            this.redacted++;
          }
        }
      } else if (typeof v !== 'boolean') {
        const r = this.value(v) as AttributeValue;
        if (r !== v) attrs[key] = r;
      }
    }
  }
}
