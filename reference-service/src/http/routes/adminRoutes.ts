// Admin routes: fault injection and the ledger proof. They need the bearer token and, unless
// adminRemote is set, a loopback caller; the token is compared in constant time.

import { timingSafeEqual } from 'node:crypto';
import { ROUTES } from '@marketbench/contracts';
import type { FastifyPluginAsync } from 'fastify';
import { DISCREPANCY_KINDS, reconcile } from '../../domain/reconciliation.ts';
import type { FaultSpec } from '../../faults/FaultInjector.ts';
import type { MarketServices } from '../MarketServices.ts';
import { sendProblem } from '../problems.ts';
import {
  DELETE_FAULTS,
  GET_FAULTS,
  LEDGER_CHECK,
  PUT_FAULTS,
  RECONCILIATION,
} from '../schemas/adminSchemas.ts';

/** Epoch ms or ISO text (validated by the schema) as epoch ms. */
function instant(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  return /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
}

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

  app.get<{ Querystring: { from?: string; to?: string } }>(
    ROUTES.adminReconciliation,
    { schema: RECONCILIATION },
    async (request, reply) => {
      const now = Date.now();
      const fromMs = instant(request.query.from, 0);
      const toMs = instant(request.query.to, now + 1);
      if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs > toMs) {
        return sendProblem(reply, 'validation-failed', traceIdOf(request), {
          field: 'from',
          errors: [{ field: 'from', in: 'querystring', message: 'must be a time before `to`' }],
        });
      }
      let psp: Awaited<ReturnType<typeof services.gateway.settlements>>;
      try {
        // Every movement since `from`: a capture or refund after `to` still belongs to an order of the window.
        psp = await services.gateway.settlements(fromMs, Math.max(now, toMs) + 1);
      } catch {
        return sendProblem(reply, 'dependency-unavailable', traceIdOf(request), { dependency: 'psp' });
      }
      const refs = [...new Set(psp.records.map((r) => r.reference))];
      const orders = await services.stores.orders.reconciliationOrders(fromMs, toMs, refs);
      const report = reconcile({ fromMs, toMs, psp, orders });
      for (const kind of DISCREPANCY_KINDS) {
        services.metrics.reconciliationDiscrepancies.set({ kind }, report.counts[kind]);
      }
      return report;
    },
  );

  app.get(ROUTES.adminLedgerCheck, { schema: LEDGER_CHECK }, async (request, reply) => {
    const report = await services.stores.ledger.checkLedger();
    services.metrics.ledgerBalanced.set(report.balanced ? 1 : 0);
    if (report.balanced) return report;
    return sendProblem(reply, 'ledger-unbalanced', traceIdOf(request), { ...report });
  });
};
