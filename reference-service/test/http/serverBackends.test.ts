// The whole service on the server backends, as configured by environment in production:
// DATABASE_URL (PostgreSQL) + REDIS_URL (cache) + NATS_URL (outbox bus), and AMQP_URL
// (RabbitMQ). A checkout pays, the ledger ties out, and the order event reaches the
// consumer through the real broker.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { missingPort, needs } from '../../../test-support/dependency.ts';
import type { MarketApp } from '../../src/index.ts';
import { admin, cartWith, checkout, json, testApp } from '../helpers.ts';

const PG_URL = process.env.MARKETBENCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function buyAndWatchSales(m: MarketApp, listingId: number): Promise<void> {
  await json(m.app, 'PATCH', `/listings/${listingId}`, { quantity: 2 });
  const sellerId = (await json(m.app, 'GET', `/listings/${listingId}`)).body.sellerId as number;
  const before = (await json(m.app, 'GET', `/sellers/${sellerId}`)).body.salesCount as number;
  const cartId = await cartWith(m.app, [listingId]);
  const r = await checkout(m.app, cartId, `backend-key-${listingId}-${process.pid}`);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal((await json(m.app, 'GET', `/listings/${listingId}`)).body.quantity, 1);
  assert.equal((await json(m.app, 'GET', '/admin/ledger/check', undefined, admin)).body.balanced, true);
  await m.relay.drain();
  const deadline = Date.now() + 10_000;
  let sales = before;
  while (sales === before && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    sales = (await m.services.stores.listings.getSeller(sellerId))!.salesCount;
  }
  assert.equal(sales, before + 1, 'the consumer counted the sale through the broker');
}

describe('service on server backends', () => {
  it('PostgreSQL + Redis + NATS JetStream', async (t) => {
    for (const [port, what] of [
      [5432, 'PostgreSQL'],
      [6379, 'Redis'],
      [4222, 'NATS'],
    ] as const) {
      if (!needs(t, await missingPort('127.0.0.1', port, what))) return;
    }
    const schema = `mb_app_${process.pid}_${Date.now().toString(36)}`;
    const m = await testApp({
      databaseUrl: PG_URL,
      pgSchema: schema,
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      busPrefix: `mbapp${process.pid}`,
      busEphemeral: true,
      items: 400,
      seed: 900 + (process.pid % 50),
    });
    try {
      assert.equal(m.services.stores.system, 'postgresql');
      assert.deepEqual((await json(m.app, 'GET', '/readyz')).body, {
        status: 'ready',
        checks: { store: true, cache: true, bus: true },
      });
      assert.equal((await json(m.app, 'GET', '/listings/12')).status, 200);
      assert.equal((await json(m.app, 'GET', '/search?q=nike')).status, 200);
      await buyAndWatchSales(m, 12);
    } finally {
      await m.app.close();
      const client = new pg.Client(PG_URL);
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });

  it('SQLite + RabbitMQ', async (t) => {
    if (!needs(t, await missingPort('127.0.0.1', 5672, 'RabbitMQ'))) return;
    const m = await testApp({
      amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      busPrefix: `mbapp.${process.pid}`,
      busEphemeral: true,
      items: 300,
    });
    try {
      assert.deepEqual((await json(m.app, 'GET', '/readyz')).body.checks, { store: true, bus: true });
      await buyAndWatchSales(m, 21);
    } finally {
      await m.app.close();
    }
  });
});
