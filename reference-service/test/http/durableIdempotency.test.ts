// Idempotency that survives: 100 concurrent duplicates of one checkout over real sockets make one
// order and one PSP capture, on SQLite and on PostgreSQL; again after the service restarts on the
// same database; and again split across two instances on one PostgreSQL. The PSP is one simulator
// the instances share (as they would share a real PSP), so its capture count is the truth.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { missingPort, needs } from '../../../test-support/dependency.ts';
import { pspPaymentKey } from '../../src/domain/checkoutPolicy.ts';
import { PspSimulator, type RunningService, startService } from '../../src/index.ts';
import type { ServiceOptions } from '../../src/types.ts';
import { ADMIN_TOKEN, CARD } from '../helpers.ts';

const PG_URL = process.env.MARKETBENCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DUPLICATES = 100;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  replayed: boolean;
}

async function call(
  base: string,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(base + url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    replayed: res.headers.get('idempotent-replayed') === 'true',
  };
}

/** A cart holding one unit of `listingId` (restocked to 1 first), bought through `base`. */
async function cart(base: string, listingId: number): Promise<string> {
  await call(base, 'PATCH', `/listings/${listingId}`, { quantity: 1, status: 'active' });
  const c = await call(base, 'POST', '/carts', { buyerId: `dup-${listingId}` });
  assert.equal((await call(base, 'POST', `/carts/${c.body.id}/items`, { listingId })).status, 200);
  return String(c.body.id);
}

/** `n` concurrent checkouts with one key and one body, spread round-robin over `bases`. */
function duplicates(
  bases: string[],
  cartId: string,
  key: string,
  n = DUPLICATES,
  card = CARD,
): Promise<Answer[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      call(
        bases[i % bases.length],
        'POST',
        '/checkout',
        { cartId, payment: { card } },
        { 'idempotency-key': key },
      ),
    ),
  );
}

/** Retries every 409 (honouring Retry-After, shortened) until all answers are final. */
async function settle(bases: string[], cartId: string, key: string, answers: Answer[]): Promise<Answer[]> {
  const out = [...answers];
  for (let round = 0; round < 50 && out.some((a) => a.status === 409 || a.status === 202); round++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const [i, a] of out.entries()) {
      if (a.status !== 409 && a.status !== 202) continue;
      out[i] = (await duplicates([bases[i % bases.length]], cartId, key, 1))[0];
    }
  }
  return out;
}

function assertOneOrder(answers: Answer[], psp: PspSimulator, chargesBefore: number): string {
  const statuses = [...new Set(answers.map((a) => a.status))].sort();
  assert.ok(
    statuses.every((s) => s === 201 || s === 409),
    `statuses ${statuses.join(',')}: ${JSON.stringify(answers.find((a) => a.status !== 201 && a.status !== 409)?.body)}`,
  );
  const ids = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id));
  assert.equal(ids.size, 1, `orders made: ${[...ids].join(', ')}`);
  const id = String([...ids][0]);
  assert.equal(psp.chargesFor(pspPaymentKey(id)), 1, 'one PSP capture for the order');
  assert.equal(psp.stats().charges - chargesBefore, 1, 'and no other capture at all');
  assert.equal(
    answers.filter((a) => a.status === 201 && !a.replayed).length <= 1,
    true,
    'one fresh answer at most',
  );
  return id;
}

describe('durable idempotency: 100 concurrent duplicates, restarts and two instances', () => {
  const psp = new PspSimulator();
  const running: RunningService[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-idem-'));
  const schema = `mb_idem_${process.pid}_${Date.now().toString(36)}`;
  let pgMissing: string | undefined;

  before(async () => {
    await psp.start();
    pgMissing = await missingPort('127.0.0.1', 5432, 'PostgreSQL');
  });
  after(async () => {
    for (const s of running) await s.close().catch(() => {});
    await psp.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (!pgMissing) {
      const client = new pg.Client(PG_URL);
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });

  const start = async (o: ServiceOptions) => {
    const s = await startService({
      port: 0,
      items: 400,
      seed: 5,
      adminToken: ADMIN_TOKEN,
      pspUrl: psp.url,
      ...o,
    });
    running.push(s);
    return s;
  };
  const stop = async (s: RunningService) => {
    await s.close();
    running.splice(running.indexOf(s), 1);
  };

  it('SQLite: one order and one capture, then the same after a restart on the same file', async () => {
    const file = path.join(dir, 'service.sqlite');
    const key = `dup-sqlite-${randomUUID()}`;
    let s = await start({ sqlitePath: file });
    const cartId = await cart(s.url, 31);
    const before = psp.stats().charges;
    const first = await settle([s.url], cartId, key, await duplicates([s.url], cartId, key));
    const id = assertOneOrder(first, psp, before);
    await stop(s);

    s = await start({ sqlitePath: file });
    const again = await duplicates([s.url], cartId, key);
    assert.deepEqual(
      [...new Set(again.map((a) => `${a.status} ${a.body.id} ${a.replayed}`))],
      [`201 ${id} true`],
    );
    assert.equal(psp.chargesFor(pspPaymentKey(id)), 1);
    const other = await duplicates([s.url], cartId, key, 1, { ...CARD, number: '5555 5555 5555 4444' });
    assert.equal(other[0].status, 422, 'another body with the same key');
    await stop(s);
  });

  it('PostgreSQL: split across two instances, one order and one capture; never a 422; again after a restart', async (t) => {
    if (!needs(t, pgMissing)) return;
    const a = await start({ databaseUrl: PG_URL, pgSchema: schema });
    const b = await start({ databaseUrl: PG_URL, pgSchema: schema });
    const key = `dup-pg-${randomUUID()}`;
    const cartId = await cart(a.url, 32);
    const before = psp.stats().charges;
    // The PSP is shared with the SQLite case: reconcile this case's window only.
    const from = Date.now();
    const raw = await duplicates([a.url, b.url], cartId, key);
    assert.equal(
      raw.filter((x) => x.status === 422).length,
      0,
      'the same body is the same body on every instance',
    );
    const settled = await settle([a.url, b.url], cartId, key, raw);
    const id = assertOneOrder(settled, psp, before);
    assert.ok(
      settled.every((x) => x.status === 201 && x.body.id === id),
      'every duplicate ends with the one order',
    );
    const client = new pg.Client(PG_URL);
    await client.connect();
    try {
      const orders = await client.query(
        `SELECT count(*)::int AS n FROM "${schema}".orders WHERE cart_id = $1`,
        [cartId],
      );
      assert.equal(orders.rows[0].n, 1, 'one order row');
    } finally {
      await client.end();
    }
    await stop(a);
    await stop(b);

    const c = await start({ databaseUrl: PG_URL, pgSchema: schema });
    const again = await duplicates([c.url], cartId, key);
    assert.deepEqual([...new Set(again.map((x) => `${x.status} ${x.body.id}`))], [`201 ${id}`]);
    assert.equal(psp.chargesFor(pspPaymentKey(id)), 1);
    const recon = await call(c.url, 'GET', `/admin/reconciliation?from=${from}`, undefined, {
      authorization: `Bearer ${ADMIN_TOKEN}`,
    });
    assert.equal(recon.status, 200);
    assert.equal(recon.body.ok, true, JSON.stringify(recon.body.discrepancies));
    await stop(c);
  });
});
