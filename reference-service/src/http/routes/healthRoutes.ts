// Liveness (/healthz: the process answers) and readiness (/readyz: the store, cache and bus
// answer too, so a load balancer only sends traffic to an instance that can serve it).
import { ROUTES } from '@marketbench/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { MarketServices } from '../MarketServices.ts';

const HEALTH = {
  summary: 'Liveness',
  tags: ['health'],
  response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
} as const;

const READY = {
  summary: 'Readiness: the store and every dependency answer',
  tags: ['health'],
  response: {
    200: {
      type: 'object',
      properties: {
        status: { type: 'string' },
        checks: { type: 'object', additionalProperties: { type: 'boolean' } },
      },
    },
    503: {
      type: 'object',
      properties: {
        status: { type: 'string' },
        checks: { type: 'object', additionalProperties: { type: 'boolean' } },
      },
    },
  },
} as const;

export const healthRoutes: FastifyPluginAsync<{ services: MarketServices }> = async (app, { services }) => {
  app.get(ROUTES.healthz, { schema: HEALTH }, async () => ({ status: 'ok' }));

  app.get(ROUTES.readyz, { schema: READY }, async (_request, reply) => {
    const checks: Record<string, boolean> = {};
    const all = [{ name: 'store', check: () => services.stores.ready() }, ...services.readiness];
    await Promise.all(
      all.map(async ({ name, check }) => {
        checks[name] = await check().catch(() => false);
      }),
    );
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', checks });
  });
};
