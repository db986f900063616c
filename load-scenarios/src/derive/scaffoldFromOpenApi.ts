// A starting scenario from an OpenAPI 3.x document: a smoke journey that calls every GET operation
// once with parameters taken from the document's examples (or made up from their schemas), and
// the write operations written out but commented, since a made-up body may create real data.
// Local `$ref`s (`#/components/...`) are followed; a remote `$ref` leaves the value to the user.

import { ScenarioError } from '../errors.ts';
import { slug, uniqueNames } from './deriveScenario.ts';
import { wrapComment } from './renderScenario.ts';

/** A JSON Schema as OpenAPI 3.0 and 3.1 write them (the parts used here). */
interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  example?: unknown;
  examples?: unknown[];
  default?: unknown;
  minimum?: number;
  exclusiveMinimum?: number | boolean;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
}

interface Parameter {
  $ref?: string;
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { $ref?: string; content?: Record<string, { schema?: Schema; example?: unknown }> };
  responses?: Record<string, unknown>;
  security?: Record<string, string[]>[];
  deprecated?: boolean;
}

/** An OpenAPI 3.x document (the parts used here). */
export interface OpenApiDocument {
  openapi: string;
  info?: { title?: string; version?: string };
  servers?: { url: string }[];
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  security?: Record<string, string[]>[];
}

const WRITE_METHODS = ['post', 'put', 'patch', 'delete'] as const;

/** Checks the shape that matters and says what is wrong. */
export function checkOpenApi(doc: unknown, source: string): OpenApiDocument {
  const fail = (why: string) => {
    throw new ScenarioError('MB_ERR_SCENARIO_OPENAPI', `${source}: ${why}`);
  };
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return fail('not a JSON or YAML object');
  const d = doc as Record<string, unknown>;
  if (typeof d.swagger === 'string')
    return fail(`Swagger ${d.swagger} is not supported; convert it to OpenAPI 3 (e.g. with swagger2openapi)`);
  if (typeof d.openapi !== 'string' || !/^3\.\d+(\.\d+)?/.test(d.openapi))
    return fail(`"openapi" must be a 3.x version string, got ${JSON.stringify(d.openapi)}`);
  if (!d.paths || typeof d.paths !== 'object' || Array.isArray(d.paths))
    return fail('"paths" must be an object');
  return d as unknown as OpenApiDocument;
}

class Resolver {
  readonly #doc: OpenApiDocument;
  constructor(doc: OpenApiDocument) {
    this.#doc = doc;
  }

  /** Follows local `$ref`s (with a depth bound: documents can be cyclic). */
  deref<T extends { $ref?: string }>(value: T | undefined, depth = 0): T | undefined {
    if (!value?.$ref || depth > 20) return value;
    if (!value.$ref.startsWith('#/')) return undefined;
    let node: unknown = this.#doc;
    for (const part of value.$ref.slice(2).split('/')) {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
    return this.deref(node as T | undefined, depth + 1);
  }

  /** A value valid for the schema: its example, default or first enum value, else one made from its type. */
  example(input: Schema | undefined, depth = 0): unknown {
    const s = this.deref(input);
    if (!s || depth > 8) return null;
    if (s.example !== undefined) return s.example;
    if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
    if (s.const !== undefined) return s.const;
    if (s.default !== undefined) return s.default;
    if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
    const variant = s.oneOf?.[0] ?? s.anyOf?.[0];
    if (variant) return this.example(variant, depth + 1);
    if (s.allOf) return Object.assign({}, ...s.allOf.map((x) => this.example(x, depth + 1) ?? {}));
    const type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? 'null') : s.type;
    switch (type ?? (s.properties ? 'object' : s.items ? 'array' : 'string')) {
      case 'integer':
      case 'number': {
        const min =
          typeof s.minimum === 'number'
            ? s.minimum
            : typeof s.exclusiveMinimum === 'number'
              ? s.exclusiveMinimum + 1
              : 1;
        return typeof s.maximum === 'number' ? Math.min(min, s.maximum) : min;
      }
      case 'boolean':
        return true;
      case 'array':
        return [this.example(s.items, depth + 1)];
      case 'object': {
        const out: Record<string, unknown> = {};
        const required = new Set(s.required ?? []);
        for (const [name, prop] of Object.entries(s.properties ?? {})) {
          const p = this.deref(prop);
          // Required properties, and optional ones the document gives an example for.
          if (required.has(name) || p?.example !== undefined) out[name] = this.example(prop, depth + 1);
        }
        return out;
      }
      case 'null':
        return null;
      default:
        return stringExample(s);
    }
  }
}

function stringExample(s: Schema): string {
  const byFormat: Record<string, string> = {
    uuid: '00000000-0000-4000-8000-000000000001',
    'date-time': '2026-01-01T00:00:00Z',
    date: '2026-01-01',
    time: '00:00:00Z',
    email: 'user@example.com',
    uri: 'https://example.com/',
    url: 'https://example.com/',
    hostname: 'example.com',
    ipv4: '192.0.2.1',
    ipv6: '2001:db8::1',
  };
  let v = (s.format && byFormat[s.format]) ?? 'example';
  if (s.minLength !== undefined && v.length < s.minLength) v = v.padEnd(s.minLength, 'x');
  if (s.maxLength !== undefined && v.length > s.maxLength) v = v.slice(0, Math.max(1, s.maxLength));
  return v;
}

function parameterExample(r: Resolver, p: Parameter): unknown {
  if (p.example !== undefined) return p.example;
  const first = Object.values(p.examples ?? {})[0];
  if (first?.value !== undefined) return first.value;
  return r.example(p.schema);
}

interface ScaffoldStep {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  expectedStatuses: number[];
  summary?: string;
  secured: boolean;
}

function successStatuses(op: Operation): number[] {
  return Object.keys(op.responses ?? {})
    .filter((s) => /^2\d\d$/.test(s))
    .map(Number)
    .sort((a, b) => a - b);
}

function buildStep(
  r: Resolver,
  doc: OpenApiDocument,
  basePath: string,
  path: string,
  method: string,
  item: Record<string, unknown>,
): ScaffoldStep {
  const op = item[method] as Operation;
  const params = [...((item.parameters as Parameter[]) ?? []), ...(op.parameters ?? [])]
    .map((p) => r.deref(p))
    .filter((p): p is Parameter => p !== undefined);
  // An operation-level parameter overrides a path-level one of the same name and location.
  const byKey = new Map(params.map((p) => [`${p.in}:${p.name}`, p]));
  let url = path;
  const query: string[] = [];
  for (const p of byKey.values()) {
    const value = parameterExample(r, p);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (p.in === 'path') url = url.replaceAll(`{${p.name}}`, encodeURIComponent(text));
    else if (p.in === 'query' && p.required)
      query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(text)}`);
  }
  const body = op.requestBody ? r.deref(op.requestBody) : undefined;
  const json = body?.content?.['application/json'] ?? Object.values(body?.content ?? {})[0];
  const security = op.security ?? doc.security ?? [];
  return {
    name: op.operationId ?? `${method} ${path}`,
    method: method.toUpperCase(),
    path: `${basePath}${url}${query.length ? `?${query.join('&')}` : ''}`,
    ...(json ? { body: json.example ?? r.example(json.schema) } : {}),
    expectedStatuses: successStatuses(op),
    summary: op.summary,
    secured: security.some((req) => Object.keys(req).length > 0),
  };
}

/** A JavaScript literal in the house style: single quotes, unquoted identifier keys, and an object
 * that does not fit in `room` columns laid out one property a line under `indent`. */
function literal(v: unknown, indent = '', room = 80): string {
  if (typeof v === 'string')
    return `'${JSON.stringify(v).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map((x) => literal(x, indent, room)).join(', ')}]`;
  if (v && typeof v === 'object') {
    const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : literal(k));
    const flat = Object.entries(v).map(([k, x]) => `${key(k)}: ${literal(x)}`);
    if (flat.length === 0) return '{}';
    const line = `{ ${flat.join(', ')} }`;
    if (line.length <= room) return line;
    const inner = `${indent}  `;
    return `{\n${Object.entries(v)
      .map(([k, x]) => `${inner}${key(k)}: ${literal(x, inner, room - 2)},`)
      .join('\n')}\n${indent}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function stepSource(s: ScaffoldStep, indent: string): string[] {
  const lines = [
    `${indent}{`,
    `${indent}  name: ${literal(s.name)},`,
    `${indent}  method: ${literal(s.method)},`,
    `${indent}  path: ${literal(s.path)},`,
  ];
  if (s.body !== undefined) lines.push(`${indent}  body: ${literal(s.body, `${indent}  `, 70)},`);
  if (s.expectedStatuses.length > 0) {
    lines.push(`${indent}  expectedStatuses: ${literal(s.expectedStatuses)},`);
    lines.push(
      `${indent}  checks: { ${literal(`${s.name} answers ${s.expectedStatuses.join(' or ')}`)}: { status: ${literal(s.expectedStatuses)} } },`,
    );
  }
  // A smoke test calls every operation, whatever the previous one answered.
  lines.push(`${indent}  stopOnFailure: false,`);
  lines.push(`${indent}},`);
  return lines.flatMap((l) => l.split('\n'));
}

/** Options of scaffoldFromOpenApi. */
export interface ScaffoldOptions {
  /** Scenario name (default from the document's title). */
  name?: string;
  /** Where the document came from (for the header). */
  source: string;
}

/** The source of a smoke scenario for the document's operations. */
export function scaffoldFromOpenApi(input: unknown, options: ScaffoldOptions): string {
  const doc = checkOpenApi(input, options.source);
  const r = new Resolver(doc);
  const server = doc.servers?.[0]?.url;
  const basePath = server ? new URL(server, 'http://placeholder').pathname.replace(/\/+$/, '') : '';
  const reads: ScaffoldStep[] = [];
  const writes: ScaffoldStep[] = [];
  for (const [path, rawItem] of Object.entries(doc.paths)) {
    const item = r.deref(rawItem as { $ref?: string }) as Record<string, unknown> | undefined;
    if (!item) continue;
    if (item.get && !(item.get as Operation).deprecated)
      reads.push(buildStep(r, doc, basePath, path, 'get', item));
    for (const m of WRITE_METHODS) if (item[m]) writes.push(buildStep(r, doc, basePath, path, m, item));
  }
  const names = uniqueNames([...reads, ...writes].map((s) => slug(s.name)));
  [...reads, ...writes].forEach((s, i) => {
    s.name = names[i];
  });
  const open = reads.filter((s) => !s.secured);
  const secured = reads.filter((s) => s.secured);
  if (open.length === 0) {
    throw new ScenarioError(
      'MB_ERR_SCENARIO_OPENAPI',
      `${options.source}: no GET operation without credentials to smoke-test (${reads.length} GET operations need security, ${writes.length} write operations)`,
    );
  }
  const title = doc.info?.title ?? 'api';
  const name = options.name ?? `${slug(title).replace(/_/g, '-')}-smoke`;
  const out: string[] = [];
  out.push(
    ...wrapComment(
      `${name}: a smoke test of "${title}"${doc.info?.version ? ` ${doc.info.version}` : ''}, scaffolded by \`marketbench scenario init\` from ${options.source} (OpenAPI ${doc.openapi}). Traffic: one VU calls each of the ${open.length} GET operations once, with parameters from the document's examples or made up from their schemas (replace them with real ids). Write operations are below, commented out: a made-up body may create real data. SLOs exercised: none yet; the thresholds only say that the API answers as documented.`,
    ),
  );
  out.push('');
  out.push("import type { ScenarioDefinition } from '@marketbench/load-scenarios';");
  out.push('');
  out.push('export default {');
  out.push("  apiVersion: 'marketbench/v1',");
  out.push(`  name: ${literal(name)},`);
  out.push(`  description: ${literal(`Smoke test of ${title}: every GET operation once.`)},`);
  out.push('  options: {');
  out.push(
    "    scenarios: { smoke: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '1m' } },",
  );
  out.push("    thresholds: { http_req_failed: ['rate<0.01'], checks: ['rate==1'] },");
  out.push('  },');
  out.push('  journeys: {');
  out.push('    smoke: {');
  out.push('      weight: 1,');
  out.push('      steps: [');
  for (const s of open) {
    if (s.summary) out.push(`        // ${s.summary.replace(/\s+/g, ' ').slice(0, 90)}`);
    out.push(...stepSource({ ...s }, '        '));
  }
  if (secured.length > 0) {
    out.push(
      '        // These GET operations need credentials: add the header (e.g. authorization) and uncomment.',
    );
    for (const s of secured) out.push(...stepSource(s, '').map((l) => `        // ${l}`));
  }
  if (writes.length > 0) {
    out.push(
      '        // Write operations, with bodies made up from their schemas: check them, then uncomment.',
    );
    for (const s of writes) out.push(...stepSource(s, '').map((l) => `        // ${l}`));
  }
  out.push('      ],');
  out.push('    },');
  out.push('  },');
  out.push('} satisfies ScenarioDefinition;');
  return `${out.join('\n')}\n`;
}
