// EventBus on NATS JetStream (NATS_URL): one stream over `marketbench.>`, publishes wait for the
// JetStream ack and dedupe by Nats-Msg-Id (the outbox id), and each subscriber gets a durable
// push consumer. Trace context travels in the NATS message headers.
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  type JetStreamClient,
  type NatsConnection,
  headers as natsHeaders,
  StringCodec,
} from 'nats';
import type { BusMessage, EventBus } from '../domain/ports.ts';

const STREAM = 'MARKETBENCH';
const PREFIX = 'marketbench.';
const sc = StringCodec();

export interface NatsBusOptions {
  /** JetStream stream name. */
  stream?: string;
  /** Subject prefix of every topic (the stream captures `<prefix>>`). */
  subjectPrefix?: string;
  /** Delete the stream on close (tests). */
  ephemeral?: boolean;
}

export class NatsBus implements EventBus {
  readonly system = 'nats';
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #stops: Array<() => void> = [];
  readonly #prefix: string;
  readonly #stream: string;
  readonly #ephemeral: boolean;

  private constructor(nc: NatsConnection, opts: Required<NatsBusOptions>) {
    this.#nc = nc;
    this.#js = nc.jetstream();
    this.#prefix = opts.subjectPrefix;
    this.#stream = opts.stream;
    this.#ephemeral = opts.ephemeral;
  }

  static async connect(url: string, options: NatsBusOptions = {}): Promise<NatsBus> {
    const opts: Required<NatsBusOptions> = {
      stream: STREAM,
      subjectPrefix: PREFIX,
      ephemeral: false,
      ...options,
    };
    const nc = await connect({ servers: url, name: 'marketbench-reference-service' });
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.streams.info(opts.stream);
    } catch {
      await jsm.streams.add({
        name: opts.stream,
        subjects: [`${opts.subjectPrefix}>`],
        duplicate_window: 120_000_000_000,
      });
    }
    return new NatsBus(nc, opts);
  }

  async publish(message: BusMessage): Promise<void> {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(message.headers)) h.set(k, v);
    h.set('marketbench-key', message.key);
    await this.#js.publish(this.#prefix + message.topic, sc.encode(JSON.stringify(message.payload)), {
      msgID: `outbox-${message.id}`,
      headers: h,
    });
  }

  async subscribe(topics: string[], handler: (message: BusMessage) => Promise<void>): Promise<void> {
    for (const topic of topics) {
      const durable = `mb-${(this.#prefix + topic).replace(/[^A-Za-z0-9]/g, '_')}`;
      const sub = await this.#js.subscribe(this.#prefix + topic, {
        config: {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.New,
          deliver_subject: `_deliver.${durable}.${Date.now()}`,
        },
        manualAck: true,
      } as never);
      this.#stops.push(() => sub.unsubscribe());
      void (async () => {
        for await (const m of sub) {
          const headers: Record<string, string> = {};
          for (const key of m.headers?.keys() ?? []) headers[key.toLowerCase()] = m.headers!.get(key);
          const id = (headers['nats-msg-id'] ?? `seq-${m.seq}`).replace(/^outbox-/, '');
          try {
            await handler({
              id,
              topic,
              key: headers['marketbench-key'] ?? '',
              payload: JSON.parse(sc.decode(m.data)),
              headers,
            });
            m.ack();
          } catch {
            m.nak(1_000);
          }
        }
      })();
    }
  }

  healthy(): boolean {
    return !this.#nc.isClosed();
  }

  async close(): Promise<void> {
    for (const stop of this.#stops) stop();
    if (this.#ephemeral) {
      const jsm = await this.#nc.jetstreamManager();
      await jsm.streams.delete(this.#stream).catch(() => false);
    }
    await this.#nc.drain().catch(() => this.#nc.close());
  }
}
