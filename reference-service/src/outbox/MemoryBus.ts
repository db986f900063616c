// The embedded EventBus: an in-process queue. Publishing enqueues and returns; delivery happens on
// a later turn of the event loop, so producer and consumer are decoupled as with a real broker.
import type { BusMessage, EventBus } from '../domain/ports.ts';

type Handler = (message: BusMessage) => Promise<void>;

export class MemoryBus implements EventBus {
  readonly system = 'memory';
  readonly #handlers = new Map<string, Handler[]>();
  readonly #queue: BusMessage[] = [];
  #draining = false;
  #closed = false;
  /** Handler failures (the message is dropped after being counted: the projection is idempotent). */
  failures = 0;

  async publish(message: BusMessage): Promise<void> {
    if (this.#closed) throw new Error('bus closed');
    this.#queue.push(message);
    if (!this.#draining) {
      this.#draining = true;
      setImmediate(() => void this.#drain());
    }
  }

  async subscribe(topics: string[], handler: Handler): Promise<void> {
    for (const topic of topics) {
      const list = this.#handlers.get(topic) ?? [];
      list.push(handler);
      this.#handlers.set(topic, list);
    }
  }

  healthy(): boolean {
    return !this.#closed;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length && !this.#closed) {
      const message = this.#queue.shift()!;
      for (const handler of this.#handlers.get(message.topic) ?? []) {
        try {
          await handler(message);
        } catch {
          this.failures++;
        }
      }
    }
    this.#draining = false;
  }
}
