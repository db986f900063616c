// `marketbench reconcile`, spawned as the real command, against a real reference service over a
// socket: a paid order and a refund reconcile to the cent (exit 0); a capture at the PSP that no
// order explains is an orphan capture (exit 99, named in the output); no token is a usage error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningService, startService } from '@marketbench/reference-service';
import { cleanup, run, tempHome } from './runCli.ts';

const TOKEN = 'reconcile-test-token';
let service: RunningService;

before(async () => {
  service = await startService({
    port: 0,
    sqlitePath: ':memory:',
    items: 200,
    seed: 3,
    adminToken: TOKEN,
    pspLatencyMs: 0,
  });
});
after(async () => {
  await service?.close();
  cleanup();
});

const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(service.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('reconcile: paid and refunded orders tie out; an unexplained PSP capture exits 99', async () => {
  const card = { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' };
  const orders: string[] = [];
  for (const listingId of [5, 6]) {
    const cart = await post('/carts', { buyerId: `rec-${listingId}` });
    assert.equal((await post(`/carts/${cart.body.id}/items`, { listingId })).status, 200);
    const paid = await post(
      '/checkout',
      { cartId: cart.body.id, payment: { card } },
      { 'idempotency-key': `reconcile-${listingId}` },
    );
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
    orders.push(String(paid.body.id));
  }
  assert.equal((await post(`/orders/${orders[1]}/cancel`, {})).status, 200);
  const home = tempHome();
  const ok = await run(['reconcile', '--url', service.url, '--admin-token', TOKEN], home);
  assert.equal(ok.code, 0, `${ok.stdout}\n${ok.stderr}`);
  assert.match(ok.stdout, /2 orders, 2 captures, 1 refunds/);
  assert.match(ok.stdout, /^ {2}✓ EUR /m);
  assert.match(ok.stdout, /^discrepancies: none$/m);

  // Money the PSP took that no order explains (a capture under a key no order has).
  const psp = service.gateway.url;
  const res = await fetch(`${psp}/v1/authorizations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'order:nobody' },
    body: JSON.stringify({
      orderId: 'nobody',
      amountCents: 1234,
      currency: 'EUR',
      token: 'tok',
      last4: '4242',
    }),
  });
  assert.equal(res.status, 201);
  const bad = await run(['reconcile', '--url', service.url, '--json'], home, {
    MARKETBENCH_ADMIN_TOKEN: TOKEN,
  });
  assert.equal(bad.code, 99, `${bad.stdout}\n${bad.stderr}`);
  const report = JSON.parse(bad.stdout) as {
    counts: Record<string, number>;
    discrepancies: Array<{ detail: string }>;
  };
  assert.equal(report.counts.orphan_capture, 1);
  assert.match(report.discrepancies[0].detail, /1234 EUR names no order/);
  assert.match(bad.stderr, /\[MB_ERR_RECONCILIATION_FAILED\]/);

  const noToken = await run(['reconcile', '--url', service.url], home, { MARKETBENCH_ADMIN_TOKEN: '' });
  assert.equal(noToken.code, 1);
  assert.match(noToken.stderr, /\[MB_ERR_USAGE\]/);
});
