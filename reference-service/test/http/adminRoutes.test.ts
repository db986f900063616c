import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MarketApp } from '../../src/index.ts';
import { admin, cartWith, checkout, json, testApp } from '../helpers.ts';

describe('admin routes: auth and fault injection', () => {
  let m: MarketApp;
  before(async () => {
    m = await testApp({
      payment: { maxAttempts: 2, breaker: { failureThreshold: 1_000, openMs: 1_000, halfOpenMaxCalls: 1 } },
    });
  });
  after(() => m.app.close());

  it('answers 401 without a token or with a wrong one, for every admin route', async () => {
    for (const [method, url] of [
      ['GET', '/admin/faults'],
      ['PUT', '/admin/faults'],
      ['DELETE', '/admin/faults'],
      ['GET', '/admin/ledger/check'],
    ] as const) {
      const none = await json(m.app, method, url, method === 'PUT' ? { faults: {} } : undefined);
      assert.equal(none.status, 401, `${method} ${url}`);
      assert.equal(none.body.type, 'https://marketbench.dev/problems/unauthorized');
      assert.match(String(none.headers['www-authenticate']), /^Bearer/);
      const wrong = await json(m.app, method, url, undefined, { authorization: 'Bearer not-the-token' });
      assert.equal(wrong.status, 401);
    }
  });

  it('answers 403 to a caller that is not on loopback, even with the token', async () => {
    const r = await m.app.inject({
      method: 'GET',
      url: '/admin/faults',
      headers: admin,
      remoteAddress: '10.1.2.3',
    });
    assert.equal(r.statusCode, 403);
    const local = await m.app.inject({
      method: 'GET',
      url: '/admin/faults',
      headers: admin,
      remoteAddress: '::1',
    });
    assert.equal(local.statusCode, 200);
  });

  it('PUT validates the body and names the offending field', async () => {
    const unknownDep = await json(
      m.app,
      'PUT',
      '/admin/faults',
      { faults: { dns: { outage: true } } },
      admin,
    );
    assert.equal(unknownDep.status, 400);
    assert.equal(unknownDep.body.field, 'faults.dns');
    const badPercent = await json(
      m.app,
      'PUT',
      '/admin/faults',
      { faults: { psp: { errorPercent: 150 } } },
      admin,
    );
    assert.equal(badPercent.status, 400);
    assert.equal(badPercent.body.field, 'faults.psp.errorPercent');
    const badLatency = await json(
      m.app,
      'PUT',
      '/admin/faults',
      { faults: { db: { latency: { distribution: 'fixed' } } } },
      admin,
    );
    assert.equal(badLatency.status, 400);
  });

  it('a PSP outage makes checkout answer 503, releases stock, and is counted; clearing it restores service', async () => {
    const put = await json(m.app, 'PUT', '/admin/faults', { faults: { psp: { outage: true } } }, admin);
    assert.equal(put.status, 200);
    assert.deepEqual(put.body.faults, { psp: { outage: true, errorPercent: 0 } });
    await json(m.app, 'PATCH', '/listings/15', { quantity: 1 });
    const cartId = await cartWith(m.app, [15]);
    const r = await checkout(m.app, cartId, 'outage-key-001');
    assert.equal(r.status, 503);
    assert.equal(r.body.type, 'https://marketbench.dev/problems/payment-unavailable');
    assert.equal((await json(m.app, 'GET', '/listings/15')).body.quantity, 1);
    const doc = await json<{ injected: Record<string, Record<string, number>> }>(
      m.app,
      'GET',
      '/admin/faults',
      undefined,
      admin,
    );
    assert.equal(doc.body.injected.psp.outage, 2, 'two attempts, both faulted');
    const metrics = await m.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /marketbench_faults_injected_total\{dependency="psp",kind="outage"\} 2/);
    assert.deepEqual((await json(m.app, 'DELETE', '/admin/faults', undefined, admin)).body.faults, {});
    const retry = await checkout(m.app, cartId, 'outage-key-001');
    assert.equal(retry.status, 201, 'a transient failure does not pin the key: the same key succeeds later');
  });

  it('a db error fault answers 503 dependency-unavailable; a cache outage degrades to the store', async () => {
    await json(m.app, 'PUT', '/admin/faults', { faults: { db: { errorPercent: 100 } } }, admin);
    const r = await json(m.app, 'GET', '/sellers/999');
    assert.equal(r.status, 503);
    assert.equal(r.body.type, 'https://marketbench.dev/problems/dependency-unavailable');
    assert.equal(r.body.dependency, 'db');
    await json(m.app, 'PUT', '/admin/faults', { faults: { cache: { outage: true } } }, admin);
    assert.equal((await json(m.app, 'GET', '/listings/3')).status, 200);
    await json(m.app, 'PUT', '/admin/faults', { faults: { search: { outage: true } } }, admin);
    assert.equal((await json(m.app, 'GET', '/search?q=unique-words-here')).status, 503);
    await json(m.app, 'DELETE', '/admin/faults', undefined, admin);
  });

  it('db latency delays store calls; faults remove themselves after expiresInSeconds', async () => {
    await json(
      m.app,
      'PUT',
      '/admin/faults',
      { faults: { db: { latency: { distribution: 'fixed', ms: 80 } } } },
      admin,
    );
    const started = performance.now();
    assert.equal((await json(m.app, 'GET', '/orders/00000000-0000-4000-8000-000000000000')).status, 404);
    assert.ok(performance.now() - started >= 75);
    await json(
      m.app,
      'PUT',
      '/admin/faults',
      { faults: { db: { outage: true, expiresInSeconds: 0.05 } } },
      admin,
    );
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(
      (await json(m.app, 'GET', '/orders/00000000-0000-4000-8000-000000000000')).status,
      404,
      'the outage expired',
    );
    assert.deepEqual((await json(m.app, 'GET', '/admin/faults', undefined, admin)).body.faults, {});
  });

  it('GET /admin/ledger/check reports a balanced ledger and sets the gauge', async () => {
    const r = await json(m.app, 'GET', '/admin/ledger/check', undefined, admin);
    assert.equal(r.status, 200);
    assert.equal(r.body.balanced, true);
    assert.match(
      (await m.app.inject({ method: 'GET', url: '/metrics' })).body,
      /marketbench_ledger_balanced 1/,
    );
  });
});
