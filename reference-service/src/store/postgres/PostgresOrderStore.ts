// OrderStore on PostgreSQL. Concurrency comes from the database, not the process: the
// idempotency key is claimed with INSERT ... ON CONFLICT DO NOTHING (a concurrent duplicate waits
// on the unique index, then sees the key), and stock is taken with a conditional UPDATE whose
// row lock serialises buyers of the same listing, in listing-id order to avoid deadlocks.
import type pg from 'pg';
import { accountKind, orderTotals } from '../../domain/ledger.ts';
import type { Journal, Order, OrderItem, OutboxEvent } from '../../domain/model.ts';
import type {
  BeginCheckout,
  BeginCheckoutResult,
  CompleteCheckout,
  CompleteRefund,
  DuePayment,
  FailCheckout,
  OrderStore,
  ReconciliationOrder,
  StoredResponse,
} from '../../domain/ports.ts';
import {
  type OrderItemRecord,
  type OrderRecord,
  type ReconRow,
  reconciliationOrders,
  toOrder,
} from '../rows.ts';
import { dbCall, type StoreContext } from '../storeContext.ts';
import { inTransaction } from './pgTx.ts';

type Q = pg.PoolClient | pg.Pool;

const SET_STATUS = `UPDATE orders SET status = $1, payment_id = COALESCE($2, payment_id), failure_reason = $3, updated_at = $4
  WHERE id = $5 AND status = $6`;

class OutOfStock extends Error {
  readonly listingIds: number[];
  constructor(listingIds: number[]) {
    super('out of stock');
    this.listingIds = listingIds;
  }
}

export class PostgresOrderStore implements OrderStore {
  readonly #pool: pg.Pool;
  readonly #ctx: StoreContext;

  constructor(pool: pg.Pool, ctx: StoreContext) {
    this.#pool = pool;
    this.#ctx = ctx;
  }

  beginCheckout(input: BeginCheckout): Promise<BeginCheckoutResult> {
    return dbCall(
      this.#ctx,
      {
        operation: 'TRANSACTION',
        collection: 'orders',
        queryText:
          'BEGIN; INSERT idempotency_keys ON CONFLICT; UPDATE listings (reserve); INSERT orders, order_items; COMMIT',
      },
      async () => {
        try {
          return await inTransaction(this.#pool, (c) => this.#begin(c, input));
        } catch (err) {
          if (err instanceof OutOfStock) return { kind: 'out_of_stock' as const, listingIds: err.listingIds };
          if (err instanceof EarlyExit) return err.result;
          throw err;
        }
      },
    );
  }

  async #begin(c: pg.PoolClient, input: BeginCheckout): Promise<BeginCheckoutResult> {
    const claimed = await c.query(
      `INSERT INTO idempotency_keys (key, request_hash, order_id, status, created_at) VALUES ($1, $2, $3, 'in_progress', $4)
       ON CONFLICT (key) DO NOTHING`,
      [input.idempotencyKey, input.requestHash, input.orderId, input.now],
    );
    if (claimed.rowCount === 0) {
      const key = (
        await c.query<{
          request_hash: string;
          status: string;
          response_status: number | null;
          response_body: string | null;
        }>(
          'SELECT request_hash, status, response_status, response_body FROM idempotency_keys WHERE key = $1',
          [input.idempotencyKey],
        )
      ).rows[0];
      if (key?.status === 'done' && key.response_status !== null) {
        return {
          kind: 'replay',
          requestHash: key.request_hash,
          response: { status: key.response_status, body: JSON.parse(key.response_body ?? '{}') },
        };
      }
      return { kind: 'in_progress', requestHash: key?.request_hash ?? input.requestHash };
    }
    const lines = (
      await c.query<{
        buyer_id: string;
        currency: string;
        listing_id: string | null;
        quantity: number;
        seller_id: string;
        price_cents: string;
      }>(
        `SELECT c.buyer_id, c.currency, ci.listing_id, ci.quantity, l.seller_id, l.price_cents
         FROM carts c LEFT JOIN cart_items ci ON ci.cart_id = c.id LEFT JOIN listings l ON l.id = ci.listing_id
         WHERE c.id = $1 ORDER BY ci.listing_id`,
        [input.cartId],
      )
    ).rows;
    if (lines.length === 0) throw new EarlyExit({ kind: 'cart_not_found' });
    if (lines[0].listing_id === null) throw new EarlyExit({ kind: 'cart_empty' });
    const failed: number[] = [];
    for (const line of lines) {
      const r = await c.query(
        `UPDATE listings SET quantity = quantity - $1, updated_at = $2,
           status = CASE WHEN quantity - $1 = 0 THEN 'sold' ELSE status END
         WHERE id = $3 AND status = 'active' AND quantity >= $1`,
        [line.quantity, input.now, line.listing_id],
      );
      if (r.rowCount === 0) failed.push(Number(line.listing_id));
    }
    if (failed.length) throw new OutOfStock(failed);
    const items: OrderItem[] = lines.map((l) => ({
      listingId: Number(l.listing_id),
      sellerId: Number(l.seller_id),
      quantity: Number(l.quantity),
      unitPriceCents: Number(l.price_cents),
    }));
    const { totalCents, feeCents } = orderTotals(items, input.feeBps);
    const { buyer_id: buyerId, currency } = lines[0];
    await c.query(
      `INSERT INTO orders (id, buyer_id, cart_id, status, total_cents, fee_cents, currency, card_last4, reservation_expires_at, created_at, updated_at)
       VALUES ($1, $2, $3, 'pending_payment', $4, $5, $6, $7, $8, $9, $9)`,
      [
        input.orderId,
        buyerId,
        input.cartId,
        totalCents,
        feeCents,
        currency,
        input.card.last4,
        input.reservationExpiresAt,
        input.now,
      ],
    );
    await c.query(
      `INSERT INTO order_items (order_id, listing_id, seller_id, quantity, unit_price_cents)
       SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::bigint[])`,
      [
        input.orderId,
        items.map((i) => i.listingId),
        items.map((i) => i.sellerId),
        items.map((i) => i.quantity),
        items.map((i) => i.unitPriceCents),
      ],
    );
    const iso = new Date(input.now).toISOString();
    return {
      kind: 'started',
      order: {
        id: input.orderId,
        buyerId,
        cartId: input.cartId,
        status: 'pending_payment',
        items,
        totalCents,
        feeCents,
        currency,
        paymentId: null,
        cardLast4: input.card.last4,
        failureReason: null,
        createdAt: iso,
        updatedAt: iso,
      },
    };
  }

  completeCheckout(input: CompleteCheckout): Promise<boolean> {
    return dbCall(
      this.#ctx,
      {
        operation: 'TRANSACTION',
        collection: 'orders',
        queryText: 'BEGIN; UPDATE orders; INSERT ledger_entries, outbox; UPDATE idempotency_keys; COMMIT',
      },
      () =>
        inTransaction(this.#pool, async (c) => {
          const moved = await c.query(SET_STATUS, [
            'paid',
            input.paymentId,
            null,
            input.now,
            input.orderId,
            'pending_payment',
          ]);
          if (moved.rowCount === 0) return false;
          await this.#journals(c, input.journals, input.now);
          await this.#events(c, input.events, input.now);
          await this.#answer(c, input.orderId, input.response);
          return true;
        }),
    );
  }

  failCheckout(input: FailCheckout): Promise<Order> {
    return dbCall(
      this.#ctx,
      {
        operation: 'TRANSACTION',
        collection: 'orders',
        queryText: 'BEGIN; UPDATE orders; UPDATE listings (release); INSERT outbox; COMMIT',
      },
      () =>
        inTransaction(this.#pool, async (c) => {
          const moved = await c.query(SET_STATUS, [
            'payment_failed',
            null,
            input.reason,
            input.now,
            input.orderId,
            'pending_payment',
          ]);
          if (moved.rowCount) {
            await this.#release(c, input.orderId, input.now);
            await this.#events(c, input.events, input.now);
            // Only the transaction that failed the order answers its key: never a settled one.
            if (input.response) await this.#answer(c, input.orderId, input.response);
            else await c.query('DELETE FROM idempotency_keys WHERE order_id = $1', [input.orderId]);
          }
          return (await this.#order(c, input.orderId))!;
        }),
    );
  }

  getOrder(id: string): Promise<Order | undefined> {
    return dbCall(
      this.#ctx,
      { operation: 'SELECT', collection: 'orders', queryText: 'SELECT * FROM orders WHERE id = $1' },
      () => this.#order(this.#pool, id),
    );
  }

  cancelPending(orderId: string, events: OutboxEvent[], now: number): Promise<Order | undefined> {
    return dbCall(
      this.#ctx,
      {
        operation: 'TRANSACTION',
        collection: 'orders',
        queryText: 'BEGIN; UPDATE orders; UPDATE listings (release); COMMIT',
      },
      () =>
        inTransaction(this.#pool, async (c) => {
          const cancelled = await c.query(
            `UPDATE orders SET status = 'cancelled', failure_reason = 'cancelled_by_buyer', updated_at = $1
             WHERE id = $2 AND status = 'pending_payment' AND payment_state IS NULL`,
            [now, orderId],
          );
          if (cancelled.rowCount) {
            await this.#release(c, orderId, now);
            await this.#events(c, events, now);
            await c.query('DELETE FROM idempotency_keys WHERE order_id = $1', [orderId]);
          }
          return this.#order(c, orderId);
        }),
    );
  }

  completeRefund(input: CompleteRefund): Promise<Order> {
    return dbCall(
      this.#ctx,
      {
        operation: 'TRANSACTION',
        collection: 'orders',
        queryText: 'BEGIN; UPDATE orders; UPDATE listings; INSERT ledger_entries, outbox; COMMIT',
      },
      () =>
        inTransaction(this.#pool, async (c) => {
          if (
            (await c.query(SET_STATUS, ['refunded', null, null, input.now, input.orderId, 'paid']))
              .rowCount === 0
          ) {
            throw new Error(`order ${input.orderId} is not paid`);
          }
          await this.#release(c, input.orderId, input.now);
          await this.#journals(c, input.journals, input.now);
          await this.#events(c, input.events, input.now);
          return (await this.#order(c, input.orderId))!;
        }),
    );
  }

  markPaymentUnknown(orderId: string, resolveAt: number, now: number): Promise<boolean> {
    return dbCall(
      this.#ctx,
      { operation: 'UPDATE', collection: 'orders', queryText: 'UPDATE orders SET payment_state = unknown' },
      async () =>
        ((
          await this.#pool.query(
            `UPDATE orders SET payment_state = 'unknown', reservation_expires_at = $1, updated_at = $2
             WHERE id = $3 AND status = 'pending_payment'`,
            [resolveAt, now, orderId],
          )
        ).rowCount ?? 0) > 0,
    );
  }

  claimDuePayments(now: number, leaseMs: number, limit: number): Promise<DuePayment[]> {
    return dbCall(
      this.#ctx,
      {
        operation: 'UPDATE',
        collection: 'orders',
        queryText: 'UPDATE orders (lease) WHERE id IN (SELECT due FOR UPDATE SKIP LOCKED) RETURNING',
      },
      async () => {
        // SKIP LOCKED and the lease: two instances never resolve the same order at once.
        const { rows } = await this.#pool.query<{
          id: string;
          resolve_attempts: number;
          payment_state: string;
        }>(
          `UPDATE orders SET reservation_expires_at = $2, resolve_attempts = resolve_attempts + 1
           WHERE id IN (SELECT id FROM orders WHERE status = 'pending_payment' AND reservation_expires_at < $1
                        ORDER BY reservation_expires_at LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING id, resolve_attempts, payment_state`,
          [now, now + leaseMs, limit],
        );
        const claimed: DuePayment[] = [];
        for (const r of rows) {
          const order = await this.#order(this.#pool, r.id);
          if (order) {
            claimed.push({
              order,
              attempts: Number(r.resolve_attempts),
              unknown: r.payment_state === 'unknown',
              refund: false,
            });
          }
        }
        const refunds = await this.#pool.query<{ id: string; resolve_attempts: number }>(
          `UPDATE orders SET reservation_expires_at = $2, resolve_attempts = resolve_attempts + 1
           WHERE id IN (SELECT id FROM orders WHERE payment_state = 'refund_unknown' AND reservation_expires_at < $1
                        AND status = 'paid' ORDER BY reservation_expires_at LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING id, resolve_attempts`,
          [now, now + leaseMs, limit],
        );
        for (const r of refunds.rows) {
          const order = await this.#order(this.#pool, r.id);
          if (order)
            claimed.push({ order, attempts: Number(r.resolve_attempts), unknown: true, refund: true });
        }
        return claimed;
      },
    );
  }

  markRefundUnknown(orderId: string, resolveAt: number, now: number): Promise<boolean> {
    return dbCall(
      this.#ctx,
      {
        operation: 'UPDATE',
        collection: 'orders',
        queryText: 'UPDATE orders SET payment_state = refund_unknown',
      },
      async () =>
        ((
          await this.#pool.query(
            `UPDATE orders SET payment_state = 'refund_unknown', reservation_expires_at = $1, updated_at = $2
             WHERE id = $3 AND status = 'paid'`,
            [resolveAt, now, orderId],
          )
        ).rowCount ?? 0) > 0,
    );
  }

  clearRefundDoubt(orderId: string, now: number): Promise<boolean> {
    return dbCall(
      this.#ctx,
      { operation: 'UPDATE', collection: 'orders', queryText: 'UPDATE orders SET payment_state = NULL' },
      async () =>
        ((
          await this.#pool.query(
            `UPDATE orders SET payment_state = NULL, updated_at = $1
             WHERE id = $2 AND status = 'paid' AND payment_state = 'refund_unknown'`,
            [now, orderId],
          )
        ).rowCount ?? 0) > 0,
    );
  }

  markPaymentReview(orderId: string, reason: string, now: number): Promise<boolean> {
    return dbCall(
      this.#ctx,
      { operation: 'UPDATE', collection: 'orders', queryText: 'UPDATE orders SET status = payment_review' },
      async () =>
        ((
          await this.#pool.query(SET_STATUS, [
            'payment_review',
            null,
            reason,
            now,
            orderId,
            'pending_payment',
          ])
        ).rowCount ?? 0) > 0,
    );
  }

  reconciliationOrders(from: number, to: number, alsoIds: string[]): Promise<ReconciliationOrder[]> {
    return dbCall(
      this.#ctx,
      { operation: 'SELECT', collection: 'orders', queryText: 'SELECT orders, SUM(psp_clearing entries)' },
      async () => {
        const { rows } = await this.#pool.query<ReconRow>(
          `SELECT o.id, o.status, o.total_cents, o.currency, o.payment_id, o.created_at,
                  e.currency AS entry_currency, SUM(e.amount_cents) AS clearing
             FROM orders o LEFT JOIN ledger_entries e ON e.order_id = o.id AND e.account_kind = 'psp_clearing'
            WHERE (o.created_at >= $1 AND o.created_at < $2) OR o.id = ANY($3::text[])
            GROUP BY o.id, e.currency`,
          [from, to, alsoIds],
        );
        return reconciliationOrders(rows);
      },
    );
  }

  async #order(c: Q, id: string): Promise<Order | undefined> {
    const row = (
      await c.query<OrderRecord>({
        name: 'order_by_id',
        text: 'SELECT * FROM orders WHERE id = $1',
        values: [id],
      })
    ).rows[0];
    if (!row) return undefined;
    const items = await c.query<OrderItemRecord>({
      name: 'order_items_by_order',
      text: 'SELECT listing_id, seller_id, quantity, unit_price_cents FROM order_items WHERE order_id = $1 ORDER BY listing_id',
      values: [id],
    });
    return toOrder(row, items.rows);
  }

  async #release(c: pg.PoolClient, orderId: string, now: number): Promise<void> {
    await c.query(
      `UPDATE listings l SET quantity = l.quantity + oi.quantity, updated_at = $2,
         status = CASE WHEN l.status = 'sold' THEN 'active' ELSE l.status END
       FROM order_items oi WHERE oi.order_id = $1 AND l.id = oi.listing_id`,
      [orderId, now],
    );
  }

  async #journals(c: pg.PoolClient, journals: Journal[], now: number): Promise<void> {
    const rows = journals.flatMap((j) =>
      j.postings.map((p) => [j.id, j.orderId, j.currency, p.account, accountKind(p.account), p.amountCents]),
    );
    if (rows.length === 0) return;
    await c.query(
      `INSERT INTO ledger_entries (journal_id, order_id, currency, account, account_kind, amount_cents, created_at)
       SELECT j, o, c, a, k, m, $7 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS t(j, o, c, a, k, m)`,
      [
        rows.map((r) => r[0]),
        rows.map((r) => r[1]),
        rows.map((r) => r[2]),
        rows.map((r) => r[3]),
        rows.map((r) => r[4]),
        rows.map((r) => r[5]),
        now,
      ],
    );
  }

  async #events(c: pg.PoolClient, events: OutboxEvent[], now: number): Promise<void> {
    for (const e of events) {
      await c.query(
        'INSERT INTO outbox (topic, key, payload, headers, created_at) VALUES ($1, $2, $3, $4, $5)',
        [e.topic, e.key, JSON.stringify(e.payload), JSON.stringify(e.headers), now],
      );
    }
  }

  async #answer(c: pg.PoolClient, orderId: string, response: StoredResponse): Promise<void> {
    await c.query(
      "UPDATE idempotency_keys SET status = 'done', response_status = $1, response_body = $2 WHERE order_id = $3",
      [response.status, JSON.stringify(response.body), orderId],
    );
  }
}

/** Ends #begin with a result while rolling the transaction back (nothing was written worth keeping). */
class EarlyExit extends Error {
  readonly result: BeginCheckoutResult;
  constructor(result: BeginCheckoutResult) {
    super(result.kind);
    this.result = result;
  }
}
