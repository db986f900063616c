// OutboxStore on PostgreSQL: pending events in id order, marks by id array, and the sales
// projection's idempotent apply (processed_events) in one transaction.
import type pg from 'pg';
import type { StoredOutboxEvent } from '../../domain/model.ts';
import type { OutboxStore } from '../../domain/ports.ts';
import { dbCall, type StoreContext } from '../storeContext.ts';
import { inTransaction } from './pgTx.ts';

export class PostgresOutboxStore implements OutboxStore {
  readonly #pool: pg.Pool;
  readonly #ctx: StoreContext;

  constructor(pool: pg.Pool, ctx: StoreContext) {
    this.#pool = pool;
    this.#ctx = ctx;
  }

  pending(limit: number): Promise<StoredOutboxEvent[]> {
    const text =
      'SELECT id, topic, key, payload, headers, attempts FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1';
    return dbCall(this.#ctx, { operation: 'SELECT', collection: 'outbox', queryText: text }, async () => {
      const { rows } = await this.#pool.query<{
        id: string;
        topic: string;
        key: string;
        payload: string;
        headers: string;
        attempts: number;
      }>({
        name: 'outbox_pending',
        text,
        values: [limit],
      });
      return rows.map((r) => ({
        id: Number(r.id),
        topic: r.topic,
        key: r.key,
        payload: JSON.parse(r.payload),
        headers: JSON.parse(r.headers),
        attempts: Number(r.attempts),
      }));
    });
  }

  markPublished(ids: number[], now: number): Promise<void> {
    const text = 'UPDATE outbox SET published_at = $1 WHERE id = ANY($2::bigint[])';
    return dbCall(this.#ctx, { operation: 'UPDATE', collection: 'outbox', queryText: text }, async () => {
      await this.#pool.query(text, [now, ids]);
    });
  }

  markFailed(ids: number[]): Promise<void> {
    const text = 'UPDATE outbox SET attempts = attempts + 1 WHERE id = ANY($1::bigint[])';
    return dbCall(this.#ctx, { operation: 'UPDATE', collection: 'outbox', queryText: text }, async () => {
      await this.#pool.query(text, [ids]);
    });
  }

  applySale(eventId: string, sellerIds: number[]): Promise<boolean> {
    return dbCall(
      this.#ctx,
      {
        operation: 'UPDATE',
        collection: 'sellers',
        queryText: 'INSERT INTO processed_events; UPDATE sellers SET sales_count',
      },
      () =>
        inTransaction(this.#pool, async (c) => {
          const r = await c.query(
            'INSERT INTO processed_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING',
            [eventId],
          );
          if (r.rowCount === 0) return false;
          await c.query('UPDATE sellers SET sales_count = sales_count + 1 WHERE id = ANY($1::bigint[])', [
            sellerIds,
          ]);
          return true;
        }),
    );
  }
}
