// The transactional outbox relay: polls unpublished events (and is nudged right after a write),
// publishes each in a producer span parented to the request that wrote it, then marks the batch
// published. Delivery is at-least-once: a crash between publish and mark re-sends, and
// consumers deduplicate by message id. A failing bus leaves events in the outbox for the next
// pass, which backs off.
import { ATTR, FAULT_DEPENDENCIES } from '@marketbench/contracts';
import type { EventBus, OutboxStore } from '../domain/ports.ts';
import type { FaultInjector } from '../faults/FaultInjector.ts';
import type { ServiceMetrics } from '../telemetry/ServiceMetrics.ts';
import type { Tracing } from '../telemetry/Tracing.ts';

const BUS = FAULT_DEPENDENCIES[4];
const NUDGE_DELAY_MS = 3;

export interface OutboxRelayOptions {
  store: OutboxStore;
  bus: EventBus;
  tracing: Tracing;
  metrics?: ServiceMetrics;
  faults?: FaultInjector;
  /** Poll interval when idle, ms. */
  pollMs?: number;
  /** Events per pass. */
  batch?: number;
}

export class OutboxRelay {
  readonly #o: Required<Omit<OutboxRelayOptions, 'metrics' | 'faults'>> &
    Pick<OutboxRelayOptions, 'metrics' | 'faults'>;
  #timer: NodeJS.Timeout | undefined;
  #dueAt = 0;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;
  #failures = 0;
  /** Events published since start. */
  published = 0;

  constructor(opts: OutboxRelayOptions) {
    this.#o = { pollMs: 100, batch: 200, ...opts };
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Asks for a pass soon (after a transaction wrote events). */
  nudge(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    // A short delay lets the events of concurrent checkouts go out in one pass (one mark-published).
    if (this.#failures === 0) this.#schedule(NUDGE_DELAY_MS);
  }

  /** Runs passes until the outbox is empty (or the bus fails); resolves with events published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.#pass();
      total += n;
      if (n === 0) return total;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(ms: number): void {
    const due = performance.now() + ms;
    if (this.#timer !== undefined && this.#dueAt <= due) return; // an earlier pass is already due
    clearTimeout(this.#timer);
    this.#dueAt = due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#tick();
    }, ms);
    this.#timer.unref();
  }

  #tick(): void {
    if (this.#stopped || this.#running) return;
    this.#running = this.#pass()
      .then((n) => {
        this.#failures = 0;
        return n;
      })
      .catch(() => {
        this.#failures++;
        return -1;
      })
      .then((n) => {
        this.#running = undefined;
        if (this.#stopped) return;
        const backoff = Math.min(5_000, 100 * 2 ** this.#failures);
        const again = this.#again || n === this.#o.batch;
        this.#again = false;
        this.#schedule(this.#failures ? backoff : again ? 0 : this.#o.pollMs);
      });
  }

  async #pass(): Promise<number> {
    const { store, bus, tracing, metrics, faults } = this.#o;
    const events = await tracing.untraced(() => store.pending(this.#o.batch));
    if (events.length === 0) return 0;
    const done: number[] = [];
    try {
      for (const event of events) {
        await tracing.publish(event.topic, event.headers, async (headers) => {
          tracing.setAttributes({
            [ATTR.outboxEventId]: event.id,
            [ATTR.messagingMessageId]: String(event.id),
          });
          if (faults?.has(BUS)) await faults.apply(BUS);
          await bus.publish({
            id: String(event.id),
            topic: event.topic,
            key: event.key,
            payload: event.payload,
            headers,
          });
        });
        done.push(event.id);
        metrics?.outboxPublished.inc({ topic: event.topic, outcome: 'published' });
      }
    } catch (err) {
      const failedId = events[done.length]?.id;
      if (failedId !== undefined) {
        metrics?.outboxPublished.inc({ topic: events[done.length].topic, outcome: 'failed' });
        await tracing.untraced(() => store.markFailed([failedId])).catch(() => {});
      }
      if (done.length) await tracing.untraced(() => store.markPublished(done, Date.now()));
      this.published += done.length;
      throw err;
    }
    await tracing.untraced(() => store.markPublished(done, Date.now()));
    this.published += done.length;
    return done.length;
  }
}
