// A store that fails is retried, not dropped: the rows of a block it refuses stay queued (and in
// the spool) and are inserted once it answers again; an ingest that closes while the store is
// down leaves them in the spool, and the next start replays them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { requestCodec } from '../../src/ingest/otlpCodec.ts';
import { startIngest } from '../../src/ingest/startIngest.ts';
import { openStore } from '../../src/store/openStore.ts';
import type { Store } from '../../src/types.ts';

let home: string;
let store: Store;
let failing = 0;

/** The real store, whose inserts fail (as an unreachable server's do) while `failing` > 0. */
function flaky(inner: Store): Store {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'insertJsonEachRow')
        return async (table: string, body: string) => {
          if (failing > 0) {
            failing--;
            throw new Error('connect ECONNREFUSED 127.0.0.1:8123');
          }
          return target.insertJsonEachRow(table as never, body);
        };
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-store-failure-'));
  store = await openStore({ home, owner: true });
});
after(async () => {
  await store?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function spans(service: string, n: number): Uint8Array {
  const codec = requestCodec('traces');
  return codec
    .encode(
      codec.fromObject({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
            scopeSpans: [
              {
                spans: Array.from({ length: n }, (_, i) => ({
                  traceId: Buffer.alloc(16, i + 1),
                  spanId: Buffer.alloc(8, i + 1),
                  name: 'GET /items',
                  startTimeUnixNano: '1795255200000000000',
                  endTimeUnixNano: '1795255200001000000',
                })),
              },
            ],
          },
        ],
      }),
    )
    .finish();
}

async function count(service: string): Promise<number> {
  const [{ n }] = await store.query<{ n: string }>(
    `SELECT count() AS n FROM otel_traces WHERE ServiceName = '${service}'`,
  );
  return Number(n);
}

test('rows the store refuses are retried after a pause and inserted once it answers; nothing is dropped', async () => {
  const ingest = await startIngest({
    store: flaky(store),
    home: path.join(home, 'a'),
    port: 0,
    flushIntervalMs: 100,
    maxInsertAttempts: 2,
    fsync: 'never',
    publishOwner: false,
    log: () => {},
  });
  try {
    failing = 2; // one round of two attempts
    const res = await fetch(`${ingest.url}/v1/traces`, {
      method: 'POST',
      body: spans('flaky-store', 5),
      headers: { 'content-type': 'application/x-protobuf' },
    });
    assert.equal(res.status, 200);
    await ingest.flush();
    assert.equal(await count('flaky-store'), 5);
    const s = ingest.stats();
    assert.equal(s.rows.traces.inserted, 5);
    assert.equal(s.rows.traces.dropped, 0);
    assert.ok(s.insertFailures >= 2, `insert failures ${s.insertFailures}`);
  } finally {
    await ingest.close();
  }
});

test('closing while the store is down leaves the rows in the spool; the next start inserts them', async () => {
  const dir = path.join(home, 'b');
  const options = {
    home: dir,
    port: 0,
    flushIntervalMs: 100,
    maxInsertAttempts: 2,
    fsync: 'never',
    publishOwner: false,
    log: () => {},
  } as const;
  const first = await startIngest({ ...options, store: flaky(store) });
  failing = 1_000_000;
  const res = await fetch(`${first.url}/v1/traces`, {
    method: 'POST',
    body: spans('down-at-close', 4),
    headers: { 'content-type': 'application/x-protobuf' },
  });
  assert.equal(res.status, 200);
  await first.close();
  assert.equal(first.stats().rows.traces.dropped, 4, 'given up on at close, and counted');
  assert.equal(await count('down-at-close'), 0);
  assert.ok(
    fs.readdirSync(path.join(dir, 'spool')).some((f) => f.endsWith('.spool')),
    'the rows are still in the spool',
  );
  failing = 0;
  const second = await startIngest({ ...options, store: flaky(store) });
  try {
    assert.equal(second.stats().replayedRows, 4);
    assert.equal(await count('down-at-close'), 4);
  } finally {
    await second.close();
  }
});
