// What an OS crash or power loss may take from the SQLite backend: with synchronous=NORMAL only
// checkpointed commits are in the main database file (the WAL is fsynced at checkpoints). A
// commit must reach the main file within about a second even when traffic is too light for the
// page-count checkpoint, so the main file alone, without its WAL, holds every commit older than that.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteStores } from '../../src/store/sqlite/createSqliteStores.ts';
import { CHECKPOINT_INTERVAL_MS, CHECKPOINT_PAGES } from '../../src/store/sqlite/openSqlite.ts';
import { NOOP_TRACING } from '../../src/telemetry/Tracing.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-sqlite-durable-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The carts a copy of the main file alone holds (what is left if the WAL is lost). */
function cartsInMainFile(file: string, ids: string[]): string[] {
  const copy = path.join(dir, `main-only-${Date.now()}.sqlite`);
  fs.copyFileSync(file, copy);
  const db = new Database(copy, { readonly: true });
  try {
    // Without a checkpoint even the schema can be in the WAL only.
    const hasCarts = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'carts'").get();
    if (!hasCarts) return [];
    const found = db
      .prepare('SELECT id FROM carts WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ids)) as { id: string }[];
    return found.map((r) => r.id);
  } finally {
    db.close();
    fs.rmSync(copy, { force: true });
  }
}

test('a commit is checkpointed into the main file within the checkpoint interval, at light traffic', async () => {
  const file = path.join(dir, 'service.sqlite');
  const stores = createSqliteStores({ file, items: 50, seed: 7, ctx: { tracing: NOOP_TRACING } });
  try {
    // Let the seed's own checkpoint pass, then a few commits: far below CHECKPOINT_PAGES WAL pages.
    await new Promise((r) => setTimeout(r, CHECKPOINT_INTERVAL_MS + 200));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await stores.carts.createCart(`buyer-${i}`, 'EUR', Date.now())).id);
    const walPages = Math.floor(fs.statSync(`${file}-wal`).size / 4096);
    assert.ok(
      walPages < CHECKPOINT_PAGES,
      `${walPages} WAL pages: the page-count checkpoint must not be the one tested`,
    );
    const started = Date.now();
    let found: string[] = [];
    while (Date.now() - started < CHECKPOINT_INTERVAL_MS * 3) {
      found = cartsInMainFile(file, ids);
      if (found.length === ids.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(found.sort(), [...ids].sort(), 'every commit in the main file');
    assert.ok(Date.now() - started <= CHECKPOINT_INTERVAL_MS * 2, `took ${Date.now() - started} ms`);
  } finally {
    await stores.close();
  }
});
