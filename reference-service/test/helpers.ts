// Shared test factories: a small in-memory service, a card, a cart with given listings.
import type { FastifyInstance } from 'fastify';
import { buildMarketApp, type MarketApp } from '../src/index.ts';
import type { ServiceOptions } from '../src/types.ts';

export const ADMIN_TOKEN = 'test-admin-token';
export const CARD = { number: '4242 4242 4242 4242', expMonth: 12, expYear: 2099, cvc: '123' };
export const DECLINED_CARD = { ...CARD, number: '4000000000000002' };

/** A service on an in-memory SQLite catalog of `items` listings; PSP answers at once. */
export function testApp(options: ServiceOptions = {}): Promise<MarketApp> {
  return buildMarketApp({
    sqlitePath: ':memory:',
    items: 2_000,
    seed: 7,
    adminToken: ADMIN_TOKEN,
    pspLatencyMs: 0,
    outboxPollMs: 20,
    ...options,
    payment: { backoffBaseMs: 1, backoffCapMs: 5, attemptTimeoutMs: 500, ...options.payment },
  });
}

export async function json<T = Record<string, unknown>>(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; headers: Record<string, unknown> }> {
  const r = await app.inject({ method, url, payload: payload as object | undefined, headers });
  return {
    status: r.statusCode,
    body: r.body ? (JSON.parse(r.body) as T) : (undefined as T),
    headers: r.headers,
  };
}

/** Creates a cart holding one of each listing id; returns its id. */
export async function cartWith(
  app: FastifyInstance,
  listingIds: number[],
  buyerId = 'buyer-1',
): Promise<string> {
  const cart = await json<{ id: string }>(app, 'POST', '/carts', { buyerId });
  for (const listingId of listingIds) {
    const r = await json(app, 'POST', `/carts/${cart.body.id}/items`, { listingId });
    if (r.status !== 200) throw new Error(`add ${listingId}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return cart.body.id;
}

export function checkout(app: FastifyInstance, cartId: string, key: string, card = CARD) {
  return json<Record<string, unknown>>(
    app,
    'POST',
    '/checkout',
    { cartId, payment: { card } },
    { 'idempotency-key': key },
  );
}

export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
