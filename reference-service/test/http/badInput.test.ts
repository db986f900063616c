// Bad input on every route of /openapi.json, generated from the routes' own schemas, over a real
// socket, on SQLite and on PostgreSQL: wrong types, integers out of range (past int64 too), NUL and
// other control characters, huge strings and bodies, wrong content types, broken JSON, a path
// segment of 3,000 characters and a 20 KB header. No answer may be a 5xx or a connection reset,
// every error is application/problem+json, and the service is healthy (and still sells) afterwards.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { missingPort, needs } from '../../../test-support/dependency.ts';
import { type RunningService, startService } from '../../src/index.ts';
import { ADMIN_TOKEN, CARD } from '../helpers.ts';

const PG_URL = process.env.MARKETBENCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PG_SCHEMA = `mb_badinput_${process.pid}_${Date.now().toString(36)}`;

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  default?: unknown;
  oneOf?: Schema[];
};

interface Operation {
  method: string;
  path: string;
  parameters?: Array<{ name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: Schema }>;
  requestBody?: { content: { 'application/json': { schema: Schema } } };
}

/** A value the schema accepts (good enough to make every other field valid while one is broken). */
function valid(s: Schema, name = ''): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  if (s.oneOf) return valid(s.oneOf[0], name);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'integer' || type === 'number') return Math.max(s.minimum ?? 1, 1);
  if (type === 'boolean') return false;
  if (type === 'array') return [];
  if (type === 'object' || s.properties) {
    const o: Record<string, unknown> = {};
    for (const k of s.required ?? []) o[k] = valid(s.properties?.[k] ?? {}, k);
    return o;
  }
  if (s.format === 'uuid') return randomUUID();
  if (s.pattern === '^[A-Z]{3}$') return 'EUR';
  if (s.pattern?.includes('0-9 -')) return CARD.number;
  if (s.pattern?.includes('[0-9]{3,4}')) return CARD.cvc;
  if (name === 'idempotency-key') return `bad-input-${randomUUID()}`;
  return 'abcdefgh'.slice(0, Math.max(s.minLength ?? 3, 3));
}

/** Broken values for a field of schema `s`: wrong types, out of range, control characters, huge. */
function broken(s: Schema): unknown[] {
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  const common: unknown[] = [null, [], {}, true];
  if (type === 'integer' || type === 'number') {
    return [
      ...common,
      'twelve',
      1.5,
      -1,
      (s.maximum ?? 1e6) + 1,
      2 ** 63,
      9_223_372_036_854_775_807n.toString(),
      '99999999999999999999999999',
      -1e30,
      '\u0000',
    ];
  }
  if (type === 'string') {
    return [...common, 42, 'a\u0000b', '\u0000', 'ctl\u0001\u001f\u007f', 'x'.repeat(100_000), '\ud800'];
  }
  return [...common, 'x', 42, 'a\u0000b'];
}

/** encodeURIComponent, with a lone surrogate sent as the invalid UTF-8 it would be on the wire. */
function encodePart(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return '%ED%A0%80';
  }
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** One HTTP/1.1 request on its own connection; a reset is an error the test reports. */
function request(
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const head = [
      `${method.toUpperCase()} ${path} HTTP/1.1`,
      `Host: ${base.host}`,
      'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ...(payload ? [`Content-Length: ${payload.length}`] : []),
    ].join('\r\n');
    const socket = net.connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', (err) => reject(new Error(`${method} ${path.slice(0, 80)}: ${err.message}`)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [headText, ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headText)?.[1] ?? 0);
      const contentType = /\r\ncontent-type: ([^\r\n]+)/i.exec(headText)?.[1] ?? '';
      if (!status) reject(new Error(`${method} ${path.slice(0, 80)}: no HTTP answer (${text.slice(0, 80)})`));
      else resolve({ status, contentType, body: rest.join('\r\n\r\n') });
    });
    socket.write(`${head}\r\n\r\n`);
    if (payload) socket.write(payload);
  });
}

interface Case {
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Every bad request the schemas suggest, for every operation of the OpenAPI document. */
function casesOf(doc: { paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>> }): Case[] {
  const cases: Case[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const pathParams = Object.fromEntries(
        params.filter((p) => p.in === 'path').map((p) => [p.name, String(valid(p.schema, p.name))]),
      );
      const query = Object.fromEntries(
        params
          .filter((p) => p.in === 'query' && p.required)
          .map((p) => [p.name, String(valid(p.schema, p.name))]),
      );
      const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
      for (const p of params.filter((x) => x.in === 'header' && x.required)) {
        headers[p.name] = String(valid(p.schema, p.name));
      }
      const bodySchema = op.requestBody?.content['application/json'].schema;
      const goodBody = bodySchema ? (valid(bodySchema) as Record<string, unknown>) : undefined;
      const url = (pp: Record<string, string>, q: Record<string, string>) => {
        const path = template.replace(/\{(\w+)\}/g, (_m, k: string) => encodePart(pp[k]));
        const qs = new URLSearchParams(q).toString();
        return qs ? `${path}?${qs}` : path;
      };
      const json = (_b: unknown): Record<string, string> => ({
        ...headers,
        'content-type': 'application/json',
      });
      const send = (what: string, path: string, body?: unknown, h = json(body)) =>
        cases.push({
          what: `${method.toUpperCase()} ${template}: ${what}`,
          method,
          path,
          headers: h,
          body:
            body === undefined
              ? undefined
              : typeof body === 'string' || Buffer.isBuffer(body)
                ? body
                : JSON.stringify(body),
        });
      for (const p of params) {
        for (const bad of broken(p.schema)) {
          const v = typeof bad === 'string' ? bad : JSON.stringify(bad);
          if (p.in === 'path')
            send(`path ${p.name}=${v.slice(0, 20)}`, url({ ...pathParams, [p.name]: v }, query), goodBody);
          if (p.in === 'query')
            send(`query ${p.name}=${v.slice(0, 20)}`, url(pathParams, { ...query, [p.name]: v }), goodBody);
          if (
            p.in === 'header' &&
            ![...v].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) &&
            v.length < 8_000
          ) {
            send(`header ${p.name}=${v.slice(0, 20)}`, url(pathParams, query), goodBody, {
              ...json(goodBody),
              [p.name]: v,
            });
          }
        }
      }
      const target = url(pathParams, query);
      if (bodySchema && goodBody) {
        for (const [k, prop] of Object.entries(bodySchema.properties ?? {})) {
          for (const bad of broken(prop))
            send(`body ${k}=${JSON.stringify(bad)?.slice(0, 20)}`, target, { ...goodBody, [k]: bad });
          if (prop.properties) {
            for (const [k2, p2] of Object.entries(prop.properties)) {
              for (const bad of broken(p2)) {
                const inner = { ...(goodBody[k] as Record<string, unknown>), [k2]: bad };
                send(`body ${k}.${k2}=${JSON.stringify(bad)?.slice(0, 20)}`, target, {
                  ...goodBody,
                  [k]: inner,
                });
              }
            }
          }
        }
      }
      if (method !== 'get' && method !== 'delete') {
        send('broken JSON', target, '{"a":', json(undefined));
        send('a JSON string', target, '"\\u0000"', json(undefined));
        send('text/plain', target, 'hello', { ...headers, 'content-type': 'text/plain' });
        send('application/xml', target, '<a/>', { ...headers, 'content-type': 'application/xml' });
        send('2 MiB body', target, Buffer.alloc(2 * 1024 * 1024, 0x20), json(undefined));
        send('NUL in a key', target, '{"\\u0000":1}', json(undefined));
      }
      send('a path of 3,000 characters', `${url(pathParams, query)}/${'9'.repeat(3_000)}`);
      send('a 20 KB header', target, goodBody, { ...json(goodBody), 'x-padding': 'p'.repeat(20_000) });
    }
  }
  for (const id of ['9'.repeat(3_000), '%00', '-1', '99999999999999999999999']) {
    cases.push({
      what: `GET /listings/${id.slice(0, 10)}`,
      method: 'get',
      path: `/listings/${id}`,
      headers: {},
    });
    cases.push({ what: `GET /orders/${id.slice(0, 10)}`, method: 'get', path: `/orders/${id}`, headers: {} });
  }
  return cases;
}

async function exercise(service: RunningService): Promise<void> {
  const base = new URL(service.url);
  const doc = JSON.parse((await request(base, 'GET', '/openapi.json', {})).body);
  const cases = casesOf(doc);
  assert.ok(cases.length > 500, `${cases.length} cases`);
  const failures: string[] = [];
  // A few at a time: many connections at once would measure the machine, not the service.
  for (let i = 0; i < cases.length; i += 8) {
    await Promise.all(
      cases.slice(i, i + 8).map(async (c) => {
        try {
          const a = await request(base, c.method, c.path, c.headers, c.body);
          if (a.status >= 500) failures.push(`${c.what} → ${a.status} ${a.body.slice(0, 160)}`);
          else if (a.status >= 400 && !a.contentType.startsWith('application/problem+json')) {
            failures.push(`${c.what} → ${a.status} ${a.contentType} ${a.body.slice(0, 120)}`);
          }
        } catch (err) {
          failures.push(`${c.what} → ${(err as Error).message}`);
        }
      }),
    );
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} bad requests were mishandled`);
  // Healthy afterwards: ready, and a real purchase still goes through.
  assert.equal((await request(base, 'GET', '/readyz', {})).status, 200);
  const cart = JSON.parse(
    (
      await request(
        base,
        'POST',
        '/carts',
        { 'content-type': 'application/json' },
        '{"buyerId":"after-bad-input"}',
      )
    ).body,
  );
  const listing = 77;
  await request(
    base,
    'PATCH',
    `/listings/${listing}`,
    { 'content-type': 'application/json' },
    JSON.stringify({ quantity: 5, status: 'active' }),
  );
  assert.equal(
    (
      await request(
        base,
        'POST',
        `/carts/${cart.id}/items`,
        { 'content-type': 'application/json' },
        `{"listingId":${listing}}`,
      )
    ).status,
    200,
  );
  const paid = await request(
    base,
    'POST',
    '/checkout',
    { 'content-type': 'application/json', 'idempotency-key': `after-${randomUUID()}` },
    JSON.stringify({ cartId: cart.id, payment: { card: CARD } }),
  );
  assert.equal(paid.status, 201, paid.body);
}

describe('bad input on every route of /openapi.json', () => {
  const services: RunningService[] = [];
  after(async () => {
    for (const s of services) await s.close();
  });

  it('SQLite: no 5xx, no reset, every error problem+json, healthy afterwards', async () => {
    const s = await startService({
      port: 0,
      sqlitePath: ':memory:',
      items: 500,
      adminToken: ADMIN_TOKEN,
      pspLatencyMs: 0,
    });
    services.push(s);
    await exercise(s);
  });

  it('PostgreSQL: no 5xx, no reset, every error problem+json, healthy afterwards', async (t) => {
    if (!needs(t, await missingPort('127.0.0.1', 5432, 'PostgreSQL'))) return;
    const s = await startService({
      port: 0,
      databaseUrl: PG_URL,
      pgSchema: PG_SCHEMA,
      items: 500,
      adminToken: ADMIN_TOKEN,
      pspLatencyMs: 0,
    });
    services.push(s);
    try {
      await exercise(s);
    } finally {
      await s.close();
      services.pop();
      const client = new pg.Client(PG_URL);
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${PG_SCHEMA}" CASCADE`);
      await client.end();
    }
  });
});
