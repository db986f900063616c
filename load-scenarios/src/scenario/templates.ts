// `{{...}}` templates in step paths, headers and bodies, compiled once per step so an iteration
// only concatenates. Built-ins: uuid:<label> (one per label per iteration), vu, iteration,
// randomInt:<min>:<max>, __ENV.<NAME> (as k6's __ENV: `marketbench run -e NAME=value` or the
// environment); `feeder.column` reads the iteration's feeder row; anything else is a variable
// captured by an earlier step.

import { randomUUID } from 'node:crypto';
import { processEnvironment } from '@marketbench/contracts';

/** What a template reads at render time. */
export interface TemplateContext {
  /** VU id, from 1. */
  vu: number;
  /** Iteration number of this VU, from 0. */
  iteration: number;
  /** Captured variables of this iteration. */
  vars: Record<string, unknown>;
  /** UUIDs by label, for this iteration. */
  uuids: Map<string, string>;
  /** The iteration's row of a feeder. */
  row(feeder: string): Record<string, unknown>;
  /** Uniform random number in [0, 1). */
  random(): number;
}

const TEMPLATE = /\{\{\s*([^}]+?)\s*\}\}/g;
const WHOLE = /^\{\{\s*([^}]+?)\s*\}\}$/;

/** `__ENV.NAME` references an environment variable (k6's __ENV), set with `-e NAME=value`. */
export const ENV_PREFIX = '__ENV.';

function isBuiltin(ref: string): boolean {
  return (
    ref === 'vu' ||
    ref === 'iteration' ||
    ref.startsWith('uuid:') ||
    ref.startsWith(ENV_PREFIX) ||
    /^randomInt:-?\d+:-?\d+$/.test(ref)
  );
}

/** Names of the environment variables (`{{__ENV.NAME}}`) the given values read. */
export function envReferences(values: unknown[]): string[] {
  const names = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(TEMPLATE))
        if (m[1].startsWith(ENV_PREFIX)) names.add(m[1].slice(ENV_PREFIX.length));
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  values.forEach(walk);
  return [...names];
}

/** Non-built-in references in any strings inside the given values (feeder.column or captured names). */
export function templateReferences(values: unknown[]): string[] {
  const refs: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(TEMPLATE)) if (!isBuiltin(m[1])) refs.push(m[1]);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  values.forEach(walk);
  return refs;
}

/** Resolves one reference. */
export function resolveRef(ref: string, ctx: TemplateContext): unknown {
  if (ref === 'vu') return ctx.vu;
  if (ref === 'iteration') return ctx.iteration;
  if (ref.startsWith('uuid:')) {
    let id = ctx.uuids.get(ref);
    if (!id) {
      id = randomUUID();
      ctx.uuids.set(ref, id);
    }
    return id;
  }
  if (ref.startsWith(ENV_PREFIX)) return processEnvironment()[ref.slice(ENV_PREFIX.length)];
  if (ref.startsWith('randomInt:')) {
    const [, a, b] = ref.split(':');
    const min = Number(a);
    return min + Math.floor(ctx.random() * (Number(b) - min + 1));
  }
  const dot = ref.indexOf('.');
  if (dot > 0) return ctx.row(ref.slice(0, dot))[ref.slice(dot + 1)];
  return ctx.vars[ref];
}

/** A compiled string template. */
export type StringTemplate = (ctx: TemplateContext) => string;

/**
 * Compiles a string with templates into a function (constant strings cost nothing). With
 * `encode`, substituted values are URI-component encoded (for paths and query strings).
 */
export function compileString(text: string, encode = false): StringTemplate {
  const parts: Array<string | { ref: string }> = [];
  let last = 0;
  for (const m of text.matchAll(TEMPLATE)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ ref: m[1] });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (parts.every((p) => typeof p === 'string')) return () => text;
  return (ctx) => {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else {
        const v = String(resolveRef(p.ref, ctx) ?? '');
        out += encode ? encodeURIComponent(v) : v;
      }
    }
    return out;
  };
}

/** Compiles a JSON body: a string that is exactly one template keeps the referenced value's type. */
export function compileBody(body: unknown): ((ctx: TemplateContext) => string) | undefined {
  if (body === undefined) return undefined;
  if (templateReferences([body]).length === 0 && !JSON.stringify(body).includes('{{')) {
    const fixed = JSON.stringify(body);
    return () => fixed;
  }
  const render = (v: unknown, ctx: TemplateContext): unknown => {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      if (whole) return resolveRef(whole[1], ctx);
      return compileString(v)(ctx);
    }
    if (Array.isArray(v)) return v.map((x) => render(x, ctx));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x, ctx)]));
    return v;
  };
  return (ctx) => JSON.stringify(render(body, ctx));
}

/** Reads a dotted path (`items.0.id`) from a parsed JSON value. */
export function readPath(value: unknown, path: string): unknown {
  let v: unknown = value;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}
