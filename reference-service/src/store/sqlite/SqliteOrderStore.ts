// OrderStore on SQLite. Each port call is one IMMEDIATE transaction (the write lock is taken up
// front, so two checkouts cannot interleave between "is there stock" and "take it"): the
// idempotency key, the stock reservation, the order, its ledger journals and outbox events
// commit together or not at all.
import type { Statement } from 'better-sqlite3';
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
import type { SqliteDb } from './openSqlite.ts';
import { CART_ID_PARAM } from './SqliteCartStore.ts';

class OutOfStock extends Error {
  readonly listingIds: number[];
  constructor(listingIds: number[]) {
    super('out of stock');
    this.listingIds = listingIds;
  }
}

export class SqliteOrderStore implements OrderStore {
  readonly #ctx: StoreContext;
  readonly #s: Record<string, Statement>;
  readonly #tx: {
    begin: (input: BeginCheckout) => BeginCheckoutResult;
    complete: (input: CompleteCheckout) => boolean;
    fail: (input: FailCheckout) => Order;
    cancel: (orderId: string, events: OutboxEvent[], now: number) => Order | undefined;
    refund: (input: CompleteRefund) => Order;
    claim: (now: number, leaseMs: number, limit: number) => DuePayment[];
    recon: (from: number, to: number, alsoIds: string[]) => ReconciliationOrder[];
  };

  constructor(db: SqliteDb, ctx: StoreContext) {
    this.#ctx = ctx;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      key: p(
        'SELECT request_hash, status, response_status, response_body FROM idempotency_keys WHERE key = ?',
      ),
      insertKey: p(
        "INSERT INTO idempotency_keys (key, request_hash, order_id, status, created_at) VALUES (?, ?, ?, 'in_progress', ?)",
      ),
      // An order's key is found through the order (orders.idempotency_key: no index on
      // idempotency_keys.order_id to maintain), and only while the key still belongs to that order.
      answerKey: p(`UPDATE idempotency_keys SET status = 'done', response_status = ?, response_body = ?
        WHERE key = (SELECT idempotency_key FROM orders WHERE id = ?) AND order_id = ?`),
      forgetOrderKey: p(`DELETE FROM idempotency_keys
        WHERE key = (SELECT idempotency_key FROM orders WHERE id = ?) AND order_id = ?`),
      unknown: p(`UPDATE orders SET payment_state = 'unknown', reservation_expires_at = ?, updated_at = ?
        WHERE id = ? AND status = 'pending_payment'`),
      cancel: p(`UPDATE orders SET status = 'cancelled', failure_reason = 'cancelled_by_buyer', updated_at = ?
        WHERE id = ? AND status = 'pending_payment' AND payment_state IS NULL`),
      due: p(`SELECT id FROM orders WHERE status = 'pending_payment' AND reservation_expires_at < ?
        ORDER BY reservation_expires_at LIMIT ?`),
      lease: p(`UPDATE orders SET reservation_expires_at = ?, resolve_attempts = resolve_attempts + 1
        WHERE id = ? AND status = 'pending_payment' RETURNING resolve_attempts, payment_state`),
      dueRefunds:
        p(`SELECT id FROM orders WHERE payment_state = 'refund_unknown' AND reservation_expires_at < ?
        AND status = 'paid' ORDER BY reservation_expires_at LIMIT ?`),
      leaseRefund: p(`UPDATE orders SET reservation_expires_at = ?, resolve_attempts = resolve_attempts + 1
        WHERE id = ? AND status = 'paid' AND payment_state = 'refund_unknown' RETURNING resolve_attempts`),
      refundUnknown:
        p(`UPDATE orders SET payment_state = 'refund_unknown', reservation_expires_at = ?, updated_at = ?
        WHERE id = ? AND status = 'paid'`),
      clearRefund: p(`UPDATE orders SET payment_state = NULL, updated_at = ?
        WHERE id = ? AND status = 'paid' AND payment_state = 'refund_unknown'`),
      reconOrders: p(`SELECT o.id, o.status, o.total_cents, o.currency, o.payment_id, o.created_at,
          e.currency AS entry_currency, SUM(e.amount_cents) AS clearing
        FROM orders o LEFT JOIN ledger_entries e ON e.order_id = o.id AND e.account_kind = 'psp_clearing'
        WHERE o.created_at >= ? AND o.created_at < ? GROUP BY o.id, e.currency`),
      reconOrder: p(`SELECT o.id, o.status, o.total_cents, o.currency, o.payment_id, o.created_at,
          e.currency AS entry_currency, SUM(e.amount_cents) AS clearing
        FROM orders o LEFT JOIN ledger_entries e ON e.order_id = o.id AND e.account_kind = 'psp_clearing'
        WHERE o.id = ? GROUP BY o.id, e.currency`),
      // CAST: see CART_ID_PARAM.
      cartLines: p(`SELECT c.buyer_id, c.currency, ci.listing_id, ci.quantity, l.seller_id, l.price_cents
        FROM carts c LEFT JOIN cart_items ci ON ci.cart_id = c.id LEFT JOIN listings l ON l.id = ci.listing_id
        WHERE c.id = ${CART_ID_PARAM} ORDER BY ci.listing_id`),
      reserve: p(`UPDATE listings SET quantity = quantity - ?, updated_at = ?,
        status = CASE WHEN quantity - ? = 0 THEN 'sold' ELSE status END
        WHERE id = ? AND status = 'active' AND quantity >= ?`),
      release: p(`UPDATE listings SET quantity = quantity + ?, updated_at = ?,
        status = CASE WHEN status = 'sold' THEN 'active' ELSE status END WHERE id = ?`),
      insertOrder:
        p(`INSERT INTO orders (id, buyer_id, cart_id, status, total_cents, fee_cents, currency, card_last4,
        reservation_expires_at, idempotency_key, created_at, updated_at)
        VALUES (?, ?, ?, 'pending_payment', ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertItem: p(
        'INSERT INTO order_items (order_id, listing_id, seller_id, quantity, unit_price_cents) VALUES (?, ?, ?, ?, ?)',
      ),
      order: p('SELECT * FROM orders WHERE id = ?'),
      items: p(
        'SELECT listing_id, seller_id, quantity, unit_price_cents FROM order_items WHERE order_id = ? ORDER BY listing_id',
      ),
      setStatus:
        p(`UPDATE orders SET status = ?, payment_id = COALESCE(?, payment_id), failure_reason = ?, updated_at = ?
        WHERE id = ? AND status = ?`),
      entry: p(
        'INSERT INTO ledger_entries (journal_id, order_id, currency, account, account_kind, amount_cents, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      outbox: p('INSERT INTO outbox (topic, key, payload, headers, created_at) VALUES (?, ?, ?, ?, ?)'),
    };
    // Built once: better-sqlite3's db.transaction() makes four wrapper functions per call, which cost
    // about 2% of a checkout's CPU when rebuilt on every port call.
    const immediate = <A extends unknown[], R>(fn: (...args: A) => R) => db.transaction(fn).immediate;
    this.#tx = {
      begin: immediate((input: BeginCheckout) => this.#begin(input)),
      complete: immediate((input: CompleteCheckout) => this.#complete(input)),
      fail: immediate((input: FailCheckout) => this.#fail(input)),
      cancel: immediate((orderId: string, events: OutboxEvent[], now: number) =>
        this.#cancel(orderId, events, now),
      ),
      refund: immediate((input: CompleteRefund) => this.#refund(input)),
      claim: immediate((now: number, leaseMs: number, limit: number) => this.#claim(now, leaseMs, limit)),
      recon: db.transaction((from: number, to: number, alsoIds: string[]) => this.#recon(from, to, alsoIds)),
    };
  }

  beginCheckout(input: BeginCheckout): Promise<BeginCheckoutResult> {
    return dbCall(
      this.#ctx,
      {
        operation: 'TRANSACTION',
        collection: 'orders',
        queryText: 'BEGIN IMMEDIATE; reserve stock; INSERT orders, order_items, idempotency_keys; COMMIT',
      },
      () => {
        try {
          return this.#tx.begin(input);
        } catch (err) {
          if (err instanceof OutOfStock) return { kind: 'out_of_stock' as const, listingIds: err.listingIds };
          throw err;
        }
      },
    );
  }

  #begin(input: BeginCheckout): BeginCheckoutResult {
    const s = this.#s;
    const key = s.key.get(input.idempotencyKey) as
      | { request_hash: string; status: string; response_status: number | null; response_body: string | null }
      | undefined;
    if (key) {
      if (key.status === 'done' && key.response_status !== null) {
        return {
          kind: 'replay',
          requestHash: key.request_hash,
          response: { status: key.response_status, body: JSON.parse(key.response_body ?? '{}') },
        };
      }
      return { kind: 'in_progress', requestHash: key.request_hash };
    }
    const lines = s.cartLines.all(input.cartId) as Array<{
      buyer_id: string;
      currency: string;
      listing_id: number | null;
      quantity: number;
      seller_id: number;
      price_cents: number;
    }>;
    if (lines.length === 0) return { kind: 'cart_not_found' };
    if (lines[0].listing_id === null) return { kind: 'cart_empty' };
    const failed: number[] = [];
    for (const line of lines) {
      const r = s.reserve.run(line.quantity, input.now, line.quantity, line.listing_id, line.quantity);
      if (r.changes === 0) failed.push(Number(line.listing_id));
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
    s.insertOrder.run(
      input.orderId,
      buyerId,
      input.cartId,
      totalCents,
      feeCents,
      currency,
      input.card.last4,
      input.reservationExpiresAt,
      input.idempotencyKey,
      input.now,
      input.now,
    );
    for (const i of items)
      s.insertItem.run(input.orderId, i.listingId, i.sellerId, i.quantity, i.unitPriceCents);
    s.insertKey.run(input.idempotencyKey, input.requestHash, input.orderId, input.now);
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
        queryText:
          'BEGIN IMMEDIATE; UPDATE orders; INSERT ledger_entries, outbox; UPDATE idempotency_keys; COMMIT',
      },
      () => this.#tx.complete(input),
    );
  }

  #complete(input: CompleteCheckout): boolean {
    const moved = this.#s.setStatus.run(
      'paid',
      input.paymentId,
      null,
      input.now,
      input.orderId,
      'pending_payment',
    );
    if (moved.changes === 0) return false;
    this.#journals(input.journals, input.now);
    this.#events(input.events, input.now);
    this.#answer(input.orderId, input.response);
    return true;
  }

  failCheckout(input: FailCheckout): Promise<Order> {
    return dbCall(
      this.#ctx,
      {
        operation: 'TRANSACTION',
        collection: 'orders',
        queryText: 'BEGIN IMMEDIATE; UPDATE orders; UPDATE listings (release); INSERT outbox; COMMIT',
      },
      () => this.#tx.fail(input),
    );
  }

  #fail(input: FailCheckout): Order {
    const s = this.#s;
    if (
      s.setStatus.run('payment_failed', null, input.reason, input.now, input.orderId, 'pending_payment')
        .changes
    ) {
      this.#release(input.orderId, input.now);
      this.#events(input.events, input.now);
      // Only the transaction that failed the order answers its key: never a settled one.
      if (input.response) this.#answer(input.orderId, input.response);
      else s.forgetOrderKey.run(input.orderId, input.orderId);
    }
    return this.#order(input.orderId)!;
  }

  getOrder(id: string): Promise<Order | undefined> {
    return dbCall(
      this.#ctx,
      { operation: 'SELECT', collection: 'orders', queryText: 'SELECT * FROM orders WHERE id = ?' },
      () => this.#order(id),
    );
  }

  cancelPending(orderId: string, events: OutboxEvent[], now: number): Promise<Order | undefined> {
    return dbCall(
      this.#ctx,
      {
        operation: 'TRANSACTION',
        collection: 'orders',
        queryText: 'BEGIN IMMEDIATE; UPDATE orders; UPDATE listings (release); COMMIT',
      },
      () => this.#tx.cancel(orderId, events, now),
    );
  }

  #cancel(orderId: string, events: OutboxEvent[], now: number): Order | undefined {
    if (this.#s.cancel.run(now, orderId).changes) {
      this.#release(orderId, now);
      this.#events(events, now);
      this.#s.forgetOrderKey.run(orderId, orderId);
    }
    return this.#order(orderId);
  }

  completeRefund(input: CompleteRefund): Promise<Order> {
    return dbCall(
      this.#ctx,
      {
        operation: 'TRANSACTION',
        collection: 'orders',
        queryText: 'BEGIN IMMEDIATE; UPDATE orders; UPDATE listings; INSERT ledger_entries, outbox; COMMIT',
      },
      () => this.#tx.refund(input),
    );
  }

  #refund(input: CompleteRefund): Order {
    if (this.#s.setStatus.run('refunded', null, null, input.now, input.orderId, 'paid').changes === 0) {
      throw new Error(`order ${input.orderId} is not paid`);
    }
    this.#release(input.orderId, input.now);
    this.#journals(input.journals, input.now);
    this.#events(input.events, input.now);
    return this.#order(input.orderId)!;
  }

  markPaymentUnknown(orderId: string, resolveAt: number, now: number): Promise<boolean> {
    return dbCall(
      this.#ctx,
      { operation: 'UPDATE', collection: 'orders', queryText: 'UPDATE orders SET payment_state = unknown' },
      async () => this.#s.unknown.run(resolveAt, now, orderId).changes > 0,
    );
  }

  claimDuePayments(now: number, leaseMs: number, limit: number): Promise<DuePayment[]> {
    return dbCall(
      this.#ctx,
      {
        operation: 'TRANSACTION',
        collection: 'orders',
        queryText: 'BEGIN IMMEDIATE; SELECT due orders; UPDATE orders (lease); COMMIT',
      },
      () => this.#tx.claim(now, leaseMs, limit),
    );
  }

  #claim(now: number, leaseMs: number, limit: number): DuePayment[] {
    const claimed: DuePayment[] = [];
    for (const { id } of this.#s.due.all(now, limit) as Array<{ id: string }>) {
      const row = this.#s.lease.get(now + leaseMs, id) as
        | { resolve_attempts: number; payment_state: string | null }
        | undefined;
      if (!row) continue;
      claimed.push({
        order: this.#order(id)!,
        attempts: Number(row.resolve_attempts),
        unknown: row.payment_state === 'unknown',
        refund: false,
      });
    }
    for (const { id } of this.#s.dueRefunds.all(now, limit) as Array<{ id: string }>) {
      const row = this.#s.leaseRefund.get(now + leaseMs, id) as { resolve_attempts: number } | undefined;
      if (row)
        claimed.push({
          order: this.#order(id)!,
          attempts: Number(row.resolve_attempts),
          unknown: true,
          refund: true,
        });
    }
    return claimed;
  }

  markRefundUnknown(orderId: string, resolveAt: number, now: number): Promise<boolean> {
    return dbCall(
      this.#ctx,
      {
        operation: 'UPDATE',
        collection: 'orders',
        queryText: 'UPDATE orders SET payment_state = refund_unknown',
      },
      async () => this.#s.refundUnknown.run(resolveAt, now, orderId).changes > 0,
    );
  }

  clearRefundDoubt(orderId: string, now: number): Promise<boolean> {
    return dbCall(
      this.#ctx,
      { operation: 'UPDATE', collection: 'orders', queryText: 'UPDATE orders SET payment_state = NULL' },
      async () => this.#s.clearRefund.run(now, orderId).changes > 0,
    );
  }

  markPaymentReview(orderId: string, reason: string, now: number): Promise<boolean> {
    return dbCall(
      this.#ctx,
      { operation: 'UPDATE', collection: 'orders', queryText: 'UPDATE orders SET status = payment_review' },
      async () =>
        this.#s.setStatus.run('payment_review', null, reason, now, orderId, 'pending_payment').changes > 0,
    );
  }

  reconciliationOrders(from: number, to: number, alsoIds: string[]): Promise<ReconciliationOrder[]> {
    return dbCall(
      this.#ctx,
      { operation: 'SELECT', collection: 'orders', queryText: 'SELECT orders, SUM(psp_clearing entries)' },
      () => this.#tx.recon(from, to, alsoIds),
    );
  }

  #recon(from: number, to: number, alsoIds: string[]): ReconciliationOrder[] {
    const rows = this.#s.reconOrders.all(from, to) as ReconRow[];
    for (const id of alsoIds) rows.push(...(this.#s.reconOrder.all(id) as ReconRow[]));
    return reconciliationOrders(rows);
  }

  #order(id: string): Order | undefined {
    const row = this.#s.order.get(id) as OrderRecord | undefined;
    return row && toOrder(row, this.#s.items.all(id) as OrderItemRecord[]);
  }

  #release(orderId: string, now: number): void {
    for (const item of this.#s.items.all(orderId) as OrderItemRecord[]) {
      this.#s.release.run(item.quantity, now, item.listing_id);
    }
  }

  #journals(journals: Journal[], now: number): void {
    for (const j of journals) {
      for (const p of j.postings)
        this.#s.entry.run(j.id, j.orderId, j.currency, p.account, accountKind(p.account), p.amountCents, now);
    }
  }

  #events(events: OutboxEvent[], now: number): void {
    for (const e of events)
      this.#s.outbox.run(e.topic, e.key, JSON.stringify(e.payload), JSON.stringify(e.headers), now);
  }

  #answer(orderId: string, response: StoredResponse): void {
    this.#s.answerKey.run(response.status, JSON.stringify(response.body), orderId, orderId);
  }
}
