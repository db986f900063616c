// `marketbench serve` spawned as the real command: it listens on a real socket, answers the
// API (item, checkout, metrics with RED series), stops cleanly on SIGTERM, and maps bad flags
// and a taken port to exit codes 1 and 2.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { cleanup, run, serve, tempHome } from './runCli.ts';

after(cleanup);

test('serve listens, answers over a real socket with telemetry on, and exits 0 on SIGTERM', async () => {
  const { child, url, token, lines } = await serve([
    '--port',
    '0',
    '--items',
    '500',
    '--seed',
    '3',
    '--sqlite',
    ':memory:',
  ]);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(lines.join('\n'), /seeded 500 listings/);
  const item = await fetch(`${url}/listings/1`);
  assert.equal(item.status, 200);
  assert.equal(((await item.json()) as { id: number }).id, 1);
  const cart = (await (
    await fetch(`${url}/carts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"buyerId":"cli"}',
    })
  ).json()) as { id: string };
  await fetch(`${url}/listings/2`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: '{"quantity":2}',
  });
  await fetch(`${url}/carts/${cart.id}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"listingId":2}',
  });
  const order = await fetch(`${url}/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'cli-serve-key-1' },
    body: JSON.stringify({
      cartId: cart.id,
      payment: { card: { number: '4242424242424242', expMonth: 1, expYear: 2099, cvc: '123' } },
    }),
  });
  assert.equal(order.status, 201);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(metrics, /http_server_request_duration_seconds_count\{[^}]*http_route="\/checkout"[^}]*\} 1/);
  assert.match(metrics, /marketbench_checkouts_total\{outcome="success"\} 1/);
  assert.equal((await fetch(`${url}/admin/faults`)).status, 401);
  assert.equal(
    (await fetch(`${url}/admin/faults`, { headers: { authorization: `Bearer ${token}` } })).status,
    200,
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('serve exits 1 on a bad flag and 2 with MB_ERR_PORT_IN_USE on a taken port', async () => {
  const home = tempHome();
  const bad = await run(['serve', '--items', 'many'], home);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--items must be a positive integer, got "many" \[MB_ERR_USAGE\]/);
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const taken = await run(
      ['serve', '--port', String(port), '--items', '50', '--sqlite', ':memory:', '--no-telemetry'],
      home,
    );
    assert.equal(taken.code, 2, taken.stderr);
    assert.match(taken.stderr, /\[MB_ERR_PORT_IN_USE\]/);
    assert.doesNotMatch(taken.stderr, /\n\s+at /);
  } finally {
    blocker.close();
  }
});
