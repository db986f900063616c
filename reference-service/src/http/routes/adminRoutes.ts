// Admin routes: fault injection and the ledger proof. They need the bearer token and, unless
// adminRemote is set, a loopback caller; the token is compared in constant time.

import { timingSafeEqual } from 'node:crypto';
import { ROUTES } from '@marketbench/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { FaultSpec } from '../../faults/FaultInjector.ts';
import type { MarketServices } from '../MarketServices.ts';
import { sendProblem } from '../problems.ts';
import { DELETE_FAULTS, GET_FAULTS, LEDGER_CHECK, PUT_FAULTS } from '../schemas/adminSchemas.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (LOOPBACK.has(address) || address.startsWith('127.'));
}

function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export const adminRoutes: FastifyPluginAsync<{ services: MarketServices }> = async (app, { services }) => {
  const { faults, traceIdOf, options } = services;

  // onRequest runs before body parsing and validation: an unauthenticated caller learns nothing.
  app.addHook('onRequest', async (request, reply) => {
    if (!options.adminRemote && !isLoopback(request.socket.remoteAddress ?? request.ip)) {
      return sendProblem(reply, 'forbidden', traceIdOf(request));
    }
    if (!tokenMatches(request.headers.authorization, options.adminToken)) {
      reply.header('www-authenticate', 'Bearer realm="marketbench-admin"');
      return sendProblem(reply, 'unauthorized', traceIdOf(request));
    }
  });

  app.get(ROUTES.adminFaults, { schema: GET_FAULTS }, async () => faults.describe());

  app.put<{ Body: { faults: Record<string, FaultSpec> } }>(
    ROUTES.adminFaults,
    { schema: PUT_FAULTS },
    async (request) => {
      faults.set(request.body.faults);
      request.log.info({ faults: request.body.faults }, 'faults replaced');
      return faults.describe();
    },
  );

  app.delete(ROUTES.adminFaults, { schema: DELETE_FAULTS }, async () => {
    faults.clear();
    return faults.describe();
  });

  app.get(ROUTES.adminLedgerCheck, { schema: LEDGER_CHECK }, async (request, reply) => {
    const report = await services.stores.ledger.checkLedger();
    services.metrics.ledgerBalanced.set(report.balanced ? 1 : 0);
    if (report.balanced) return report;
    return sendProblem(reply, 'ledger-unbalanced', traceIdOf(request), { ...report });
  });
};
