// Regression test for checkouts failing with SQLITE_BUSY(_SNAPSHOT) under load: two service
// processes on one SQLite file (every embedded stack in one working directory shared
// .marketbench/reference-service.sqlite) fought over its write lock, so carts and checkouts
// answered 500 and busy waits stalled the event loop. A service now owns its file: a second
// process refuses to start, and concurrent checkouts over real sockets never hit a DB error.
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RunningService, startService } from '../../src/index.ts';
import { ADMIN_TOKEN, CARD } from '../helpers.ts';

const CHILD = fileURLToPath(new URL('./fixtures/serviceProcess.ts', import.meta.url));
const ITEMS = 300;

type ChildAnswer = { url?: string; error?: string; code?: string };

function startChild(file: string): { child: ChildProcess; answer: Promise<ChildAnswer> } {
  const child = fork(CHILD, [file, String(ITEMS)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const answer = new Promise<ChildAnswer>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ChildAnswer));
    child.once('exit', (code) => reject(new Error(`child exited (${code}) without an answer`)));
  });
  return { child, answer };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** One buyer: a cart with one listing, then a checkout; returns every status it got. */
async function buy(base: string, n: number): Promise<number[]> {
  const cart = await post(`${base}/carts`, { buyerId: `buyer-${n}` });
  if (cart.status !== 201) return [cart.status];
  const add = await post(`${base}/carts/${cart.body.id}/items`, { listingId: 1 + (n % ITEMS) });
  if (add.status !== 200) return [cart.status, add.status];
  const paid = await post(
    `${base}/checkout`,
    { cartId: cart.body.id, payment: { card: CARD } },
    { 'idempotency-key': `ownership-${n}` },
  );
  return [cart.status, add.status, paid.status];
}

describe('a SQLite file has one owning process', () => {
  let dir: string;
  let file: string;
  let service: RunningService;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-sqlite-owner-'));
    file = path.join(dir, 'reference-service.sqlite');
    service = await startService({
      port: 0,
      sqlitePath: file,
      items: ITEMS,
      seed: 3,
      adminToken: ADMIN_TOKEN,
      pspLatencyMs: 0,
    });
  });
  after(async () => {
    await service?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a second service process on the same file refuses to start, and checkouts never meet a DB error', async () => {
    const { child, answer } = startChild(file);
    let second: string | undefined;
    try {
      const got = await answer;
      second = got.url;
      // Whatever the second process did, load both (as two stacks sharing the file did): with
      // two writers on one file, carts and checkouts answered 500 "database is locked".
      const targets = second ? [service.url, second] : [service.url];
      const statuses: number[] = [];
      for (let round = 0; round < 4; round++) {
        const batch = Array.from({ length: 30 }, (_, i) => buy(targets[i % targets.length], round * 30 + i));
        for (const s of await Promise.all(batch)) statuses.push(...s);
      }
      const fivexx = statuses.filter((s) => s >= 500);
      assert.deepEqual(fivexx, [], `${fivexx.length} of ${statuses.length} answers were 5xx`);
      assert.equal(statuses.filter((s) => s === 201).length, 4 * 30 * 2, 'every cart and checkout succeeded');
      assert.equal(got.code, 'MB_ERR_SQLITE_IN_USE', 'the second process did not refuse the file');
      assert.match(got.error ?? '', /in use by another process/);
    } finally {
      if (child.connected) child.send('stop');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    }
  });

  it('a service started after the owner closed takes the file over', async () => {
    await service.close();
    const next = await startService({ port: 0, sqlitePath: file, items: ITEMS, seed: 3, pspLatencyMs: 0 });
    try {
      assert.deepEqual(await buy(next.url, 250), [201, 200, 201]);
    } finally {
      await next.close();
    }
    service = undefined as unknown as RunningService;
  });
});
