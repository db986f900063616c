// OutboxStore on SQLite: the relay reads unpublished events in id order and marks them after the
// bus acknowledged them (at-least-once); consumers deduplicate by event id.
import type { Statement } from 'better-sqlite3';
import type { StoredOutboxEvent } from '../../domain/model.ts';
import type { OutboxStore } from '../../domain/ports.ts';
import { dbCall, type StoreContext } from '../storeContext.ts';
import type { SqliteDb } from './openSqlite.ts';

interface OutboxRecord {
  id: number;
  topic: string;
  key: string;
  payload: string;
  headers: string;
  attempts: number;
}

export class SqliteOutboxStore implements OutboxStore {
  readonly #ctx: StoreContext;
  readonly #pending: Statement;
  readonly #published: Statement;
  readonly #failed: Statement;
  readonly #processed: Statement;
  readonly #sale: Statement;
  readonly #applySale: (eventId: string, sellerIds: number[]) => boolean;

  constructor(db: SqliteDb, ctx: StoreContext) {
    this.#ctx = ctx;
    this.#pending = db.prepare(
      'SELECT id, topic, key, payload, headers, attempts FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ?',
    );
    this.#published = db.prepare(
      'UPDATE outbox SET published_at = ? WHERE id IN (SELECT value FROM json_each(?))',
    );
    this.#failed = db.prepare(
      'UPDATE outbox SET attempts = attempts + 1 WHERE id IN (SELECT value FROM json_each(?))',
    );
    this.#processed = db.prepare('INSERT INTO processed_events (event_id) VALUES (?) ON CONFLICT DO NOTHING');
    this.#sale = db.prepare(
      'UPDATE sellers SET sales_count = sales_count + 1 WHERE id IN (SELECT value FROM json_each(?))',
    );
    // Built once (db.transaction() makes four wrapper functions per call).
    this.#applySale = db.transaction((eventId: string, sellerIds: number[]) => {
      if (this.#processed.run(eventId).changes === 0) return false;
      this.#sale.run(JSON.stringify(sellerIds));
      return true;
    }).immediate;
  }

  pending(limit: number): Promise<StoredOutboxEvent[]> {
    return dbCall(
      this.#ctx,
      {
        operation: 'SELECT',
        collection: 'outbox',
        queryText: 'SELECT ... FROM outbox WHERE published_at IS NULL',
      },
      () =>
        (this.#pending.all(limit) as OutboxRecord[]).map((r) => ({
          id: Number(r.id),
          topic: r.topic,
          key: r.key,
          payload: JSON.parse(r.payload),
          headers: JSON.parse(r.headers),
          attempts: Number(r.attempts),
        })),
    );
  }

  markPublished(ids: number[], now: number): Promise<void> {
    return dbCall(
      this.#ctx,
      { operation: 'UPDATE', collection: 'outbox', queryText: 'UPDATE outbox SET published_at = ?' },
      () => {
        this.#published.run(now, JSON.stringify(ids));
      },
    );
  }

  markFailed(ids: number[]): Promise<void> {
    return dbCall(
      this.#ctx,
      { operation: 'UPDATE', collection: 'outbox', queryText: 'UPDATE outbox SET attempts = attempts + 1' },
      () => {
        this.#failed.run(JSON.stringify(ids));
      },
    );
  }

  applySale(eventId: string, sellerIds: number[]): Promise<boolean> {
    return dbCall(
      this.#ctx,
      {
        operation: 'UPDATE',
        collection: 'sellers',
        queryText: 'INSERT INTO processed_events; UPDATE sellers SET sales_count',
      },
      () => this.#applySale(eventId, sellerIds),
    );
  }
}
