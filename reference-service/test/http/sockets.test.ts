// Every route once more over a real TCP socket (startService on port 0, fetch), including
// concurrent duplicate checkouts arriving on separate connections.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pspPaymentKey } from '../../src/domain/checkoutPolicy.ts';
import { type RunningService, startService } from '../../src/index.ts';
import { ADMIN_TOKEN, CARD } from '../helpers.ts';

describe('every route over a real socket', () => {
  let s: RunningService;
  before(async () => {
    s = await startService({
      port: 0,
      sqlitePath: ':memory:',
      items: 500,
      seed: 5,
      adminToken: ADMIN_TOKEN,
      pspLatencyMs: 0,
    });
  });
  after(() => s.close());

  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(s.url + url, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      body: text ? JSON.parse(text) : undefined,
      res,
    };
  };

  it('catalog, buying, health, admin and openapi routes answer with their documented status codes', async () => {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await call('GET', '/listings?limit=3')).body.items.length, 3);
    assert.equal((await call('GET', '/listings/4')).body.id, 4);
    assert.ok((await call('GET', '/search?q=nike')).body.items.length > 0);
    assert.equal((await call('GET', '/sellers/1')).status, 200);
    const created = await call('POST', '/listings', {
      sellerId: 1,
      title: 'Socket test lamp',
      brand: 'Ikea',
      category: 'home',
      size: 'one size',
      condition: 'good',
      priceCents: 1500,
      quantity: 3,
    });
    assert.equal(created.status, 201);
    assert.equal(
      (await call('PATCH', `/listings/${created.body.id}`, { priceCents: 1200 })).body.priceCents,
      1200,
    );
    const cart = await call('POST', '/carts', { buyerId: 'socket-buyer' });
    assert.equal(cart.status, 201);
    assert.equal(
      (await call('POST', `/carts/${cart.body.id}/items`, { listingId: created.body.id, quantity: 2 }))
        .status,
      200,
    );
    assert.equal((await call('GET', `/carts/${cart.body.id}`)).body.totalCents, 2400);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        call(
          'POST',
          '/checkout',
          { cartId: cart.body.id, payment: { card: CARD } },
          { 'idempotency-key': 'socket-dup-key' },
        ),
      ),
    );
    assert.ok(answers.every((a) => a.status === 201));
    assert.equal(new Set(answers.map((a) => a.body.id)).size, 1);
    assert.equal(s.psp!.chargesFor(pspPaymentKey(answers[0].body.id)), 1);
    const orderId = answers[0].body.id;
    assert.equal((await call('GET', `/orders/${orderId}`)).body.status, 'paid');
    assert.equal((await call('POST', `/orders/${orderId}/cancel`)).body.status, 'refunded');
    assert.equal((await call('GET', '/healthz')).status, 200);
    assert.equal((await call('GET', '/readyz')).status, 200);
    assert.match(
      await (await fetch(`${s.url}/metrics`)).text(),
      /marketbench_orders_total\{status="refunded"\} 1/,
    );
    assert.equal((await call('GET', '/openapi.json')).body.openapi, '3.1.0');
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    assert.equal((await call('GET', '/admin/faults')).status, 401);
    assert.equal(
      (
        await call(
          'PUT',
          '/admin/faults',
          { faults: { cache: { latency: { distribution: 'uniform', minMs: 1, maxMs: 2 } } } },
          auth,
        )
      ).status,
      200,
    );
    assert.equal(
      (await call('GET', '/admin/faults', undefined, auth)).body.faults.cache.latency.distribution,
      'uniform',
    );
    assert.deepEqual((await call('DELETE', '/admin/faults', undefined, auth)).body.faults, {});
    assert.equal((await call('GET', '/admin/ledger/check', undefined, auth)).body.balanced, true);
    const missing = await call('GET', '/nowhere');
    assert.equal(missing.status, 404);
    assert.match(missing.type, /^application\/problem\+json/);
    const notJson = await fetch(`${s.url}/carts`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<cart/>',
    });
    assert.equal(notJson.status, 415);
    assert.match(notJson.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const broken = await fetch(`${s.url}/carts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"buyerId":',
    });
    assert.equal(broken.status, 400);
    assert.equal(
      ((await broken.json()) as { type: string }).type,
      'https://marketbench.dev/problems/bad-request',
    );
  });
});
