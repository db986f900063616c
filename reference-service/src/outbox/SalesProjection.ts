// A consumer of order events: counts sales per seller (shown on GET /sellers/:id). It runs in a
// consumer span linked to the producer span, and is idempotent per message id, so the relay's
// at-least-once delivery never double-counts.
import { TOPICS } from '../domain/checkoutPolicy.ts';
import type { BusMessage, EventBus, OutboxStore } from '../domain/ports.ts';
import type { Tracing } from '../telemetry/Tracing.ts';

export async function startSalesProjection(opts: {
  bus: EventBus;
  store: OutboxStore;
  tracing: Tracing;
  onSale?: (sellerIds: number[]) => Promise<void>;
}): Promise<void> {
  await opts.bus.subscribe([TOPICS.orderPaid], (message: BusMessage) =>
    opts.tracing.consume(message.topic, message.headers, async () => {
      const sellerIds = (message.payload.sellerIds as number[] | undefined) ?? [];
      const applied = await opts.store.applySale(`${message.topic}:${message.id}`, sellerIds);
      if (applied) await opts.onSale?.(sellerIds);
    }),
  );
}
