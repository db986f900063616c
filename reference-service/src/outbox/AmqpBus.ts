// EventBus on RabbitMQ (AMQP_URL): a durable topic exchange `<prefix>.events`, publisher confirms, one durable
// queue per subscribed topic set; the trace context travels in the AMQP message headers.
import amqp from 'amqplib';
import type { BusMessage, EventBus } from '../domain/ports.ts';

type Connection = Awaited<ReturnType<typeof amqp.connect>>;
type ConfirmChannel = Awaited<ReturnType<Connection['createConfirmChannel']>>;

export class AmqpBus implements EventBus {
  readonly system = 'rabbitmq';
  readonly #conn: Connection;
  readonly #pub: ConfirmChannel;
  readonly #queuePrefix: string;
  readonly #exchange: string;
  readonly #ephemeral: boolean;
  #up = true;

  private constructor(conn: Connection, pub: ConfirmChannel, queuePrefix: string, ephemeral: boolean) {
    this.#conn = conn;
    this.#pub = pub;
    this.#queuePrefix = queuePrefix;
    this.#exchange = `${queuePrefix}.events`;
    this.#ephemeral = ephemeral;
    conn.on('close', () => {
      this.#up = false;
    });
    conn.on('error', () => {
      this.#up = false;
    });
  }

  /** `ephemeral` queues vanish with the connection (tests). */
  static async connect(url: string, queuePrefix = 'marketbench', ephemeral = false): Promise<AmqpBus> {
    const conn = await amqp.connect(url);
    const pub = await conn.createConfirmChannel();
    await pub.assertExchange(`${queuePrefix}.events`, 'topic', {
      durable: !ephemeral,
      autoDelete: ephemeral,
    });
    return new AmqpBus(conn, pub, queuePrefix, ephemeral);
  }

  async publish(message: BusMessage): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#pub.publish(
        this.#exchange,
        message.topic,
        Buffer.from(JSON.stringify(message.payload)),
        {
          persistent: true,
          messageId: message.id,
          correlationId: message.key,
          contentType: 'application/json',
          headers: message.headers,
        },
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }

  async subscribe(topics: string[], handler: (message: BusMessage) => Promise<void>): Promise<void> {
    const ch = await this.#conn.createChannel();
    await ch.prefetch(32);
    const queue = `${this.#queuePrefix}.${topics.join('+')}`;
    await ch.assertQueue(queue, this.#ephemeral ? { exclusive: true, autoDelete: true } : { durable: true });
    for (const topic of topics) await ch.bindQueue(queue, this.#exchange, topic);
    await ch.consume(queue, (m) => {
      if (!m) return;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.properties.headers ?? {})) headers[k] = String(v);
      handler({
        id: String(m.properties.messageId ?? ''),
        topic: m.fields.routingKey,
        key: String(m.properties.correlationId ?? ''),
        payload: JSON.parse(m.content.toString('utf8')),
        headers,
      }).then(
        () => ch.ack(m),
        () => ch.nack(m, false, true),
      );
    });
  }

  healthy(): boolean {
    return this.#up;
  }

  async close(): Promise<void> {
    await this.#conn.close().catch(() => {});
  }
}
