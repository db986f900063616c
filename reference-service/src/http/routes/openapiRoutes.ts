// GET /openapi.json: an OpenAPI 3.1 document built from the routes' own JSON Schemas (collected
// as Fastify registers them), so validation and documentation cannot drift apart.
import { ROUTES, SERVICES } from '@marketbench/contracts';
import type { FastifyPluginAsync, RouteOptions } from 'fastify';

export interface CollectedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown> | undefined;
}

const STATUS_TEXT: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Invalid request',
  401: 'Missing or wrong admin token',
  402: 'Payment declined',
  403: 'Caller not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'Unprocessable',
  503: 'Unavailable',
};

/** Collects every route Fastify registers (call before the routes are registered). */
export function collectRoutes(routes: CollectedRoute[]): (route: RouteOptions) => void {
  return (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({
        method: method.toLowerCase(),
        url: route.url ?? '',
        schema: route.schema as Record<string, unknown> | undefined,
      });
    }
  };
}

function parameters(location: 'path' | 'query' | 'header', schema: unknown): unknown[] {
  const s = schema as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  if (!s?.properties) return [];
  return Object.entries(s.properties).map(([name, prop]) => ({
    name,
    in: location,
    required: location === 'path' || (s.required ?? []).includes(name),
    schema: prop,
  }));
}

export function buildOpenApi(routes: CollectedRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    if (r.url === ROUTES.openapi || r.url.startsWith('/*')) continue;
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const schema = r.schema ?? {};
    const op: Record<string, unknown> = {
      operationId: `${r.method}${path.replace(/[{}]/g, '').replace(/[/.:-]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      summary: schema.summary,
      description: schema.description,
      tags: schema.tags,
      security: schema.security,
      parameters: [
        ...parameters('path', schema.params),
        ...parameters('query', schema.querystring),
        ...parameters('header', schema.headers).filter(
          (p) => (p as { name: string }).name !== 'authorization',
        ),
      ],
    };
    if (schema.body)
      op.requestBody = { required: true, content: { 'application/json': { schema: schema.body } } };
    const responses: Record<string, unknown> = {};
    for (const [status, body] of Object.entries(
      (schema.response as Record<string, unknown>) ?? { 200: {} },
    )) {
      const type = Number(status) >= 400 ? 'application/problem+json' : 'application/json';
      responses[status] = {
        description: STATUS_TEXT[status] ?? 'Response',
        content: { [type]: { schema: body } },
      };
    }
    op.responses = responses;
    for (const k of Object.keys(op)) if (op[k] === undefined) delete op[k];
    paths[path] ??= {};
    paths[path][r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'marketbench reference marketplace API',
      version,
      description: `The API under test of ${SERVICES.reference}: catalog, search, carts, idempotent checkout, orders, faults.`,
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}

const OPENAPI_SCHEMA = {
  summary: 'This document',
  tags: ['meta'],
  response: { 200: { type: 'object', additionalProperties: true } },
};

export const openapiRoutes: FastifyPluginAsync<{ routes: CollectedRoute[]; version: string }> = async (
  app,
  opts,
) => {
  let cached: string | undefined;
  app.get(ROUTES.openapi, { schema: OPENAPI_SCHEMA }, async (_request, reply) => {
    cached ??= JSON.stringify(buildOpenApi(opts.routes, opts.version));
    return reply.type('application/json; charset=utf-8').send(cached);
  });
};
