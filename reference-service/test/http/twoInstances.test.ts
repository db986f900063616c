// Two instances on one PostgreSQL, one Redis and one PSP agree: a listing cached by one instance is
// sold through the other, and the first answers the new stock at once (not after the 30 s TTL).
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import pg from 'pg';
import { missingPort, needs } from '../../../test-support/dependency.ts';
import { PspSimulator, type RunningService, startService } from '../../src/index.ts';
import { ADMIN_TOKEN, CARD } from '../helpers.ts';

const PG_URL = process.env.MARKETBENCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const schema = `mb_two_${process.pid}_${Date.now().toString(36)}`;
const services: RunningService[] = [];
const psp = new PspSimulator();

after(async () => {
  for (const s of services) await s.close();
  await psp.close();
  if ((await missingPort('127.0.0.1', 5432, 'PostgreSQL')) === undefined) {
    const client = new pg.Client(PG_URL);
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
});

const call = async (
  base: string,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => {
  const res = await fetch(base + url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

it('a sale through one instance is seen by the other at once (shared Redis, tombstoned invalidation)', async (t) => {
  if (!needs(t, await missingPort('127.0.0.1', 5432, 'PostgreSQL'))) return;
  if (!needs(t, await missingPort('127.0.0.1', 6379, 'Redis'))) return;
  await psp.start();
  // A seed of our own: the Redis key prefix follows (items, seed), so no other test shares entries.
  const common = {
    port: 0,
    items: 300,
    seed: 10_000 + (process.pid % 50_000),
    databaseUrl: PG_URL,
    pgSchema: schema,
    redisUrl: REDIS_URL,
    pspUrl: psp.url,
    adminToken: ADMIN_TOKEN,
  };
  const a = await startService(common);
  services.push(a);
  const b = await startService(common);
  services.push(b);
  assert.equal((await call(a.url, 'PATCH', '/listings/42', { quantity: 1, status: 'active' })).status, 200);
  assert.equal((await call(a.url, 'GET', '/listings/42')).body.quantity, 1, 'cached by instance A');
  const cart = await call(b.url, 'POST', '/carts', { buyerId: 'two-instances' });
  assert.equal((await call(b.url, 'POST', `/carts/${cart.body.id}/items`, { listingId: 42 })).status, 200);
  const paid = await call(
    b.url,
    'POST',
    '/checkout',
    { cartId: cart.body.id, payment: { card: CARD } },
    {
      'idempotency-key': 'two-instances-sale',
    },
  );
  assert.equal(paid.status, 201, JSON.stringify(paid.body));
  const seen = await call(a.url, 'GET', '/listings/42');
  assert.deepEqual([seen.body.quantity, seen.body.status], [0, 'sold'], 'instance A sees the sale at once');
});
