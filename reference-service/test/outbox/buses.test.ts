// The outbox relay publishing through each EventBus (in-process queue, NATS JetStream, RabbitMQ)
// to the sales projection: trace context travels in the message headers, delivery reaches the
// consumer, and a failing bus leaves the events in the outbox until it recovers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { missingPort, needs } from '../../../test-support/dependency.ts';
import type { StoredOutboxEvent } from '../../src/domain/model.ts';
import type { BusMessage, EventBus, OutboxStore } from '../../src/domain/ports.ts';
import { FaultInjector } from '../../src/faults/FaultInjector.ts';
import { AmqpBus } from '../../src/outbox/AmqpBus.ts';
import { MemoryBus } from '../../src/outbox/MemoryBus.ts';
import { NatsBus } from '../../src/outbox/NatsBus.ts';
import { OutboxRelay } from '../../src/outbox/OutboxRelay.ts';
import { ServiceMetrics } from '../../src/telemetry/ServiceMetrics.ts';
import { NOOP_TRACING } from '../../src/telemetry/Tracing.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** An OutboxStore in memory, enough to drive the relay. */
class FakeOutbox implements OutboxStore {
  events: StoredOutboxEvent[] = [];
  published = new Set<number>();
  async pending(limit: number) {
    return this.events.filter((e) => !this.published.has(e.id)).slice(0, limit);
  }
  async markPublished(ids: number[]) {
    for (const id of ids) this.published.add(id);
  }
  async markFailed(ids: number[]) {
    for (const e of this.events) if (ids.includes(e.id)) e.attempts++;
  }
  async applySale() {
    return true;
  }
}

async function roundTrip(bus: EventBus, topicSuffix: string) {
  const topic = `order.paid${topicSuffix}`;
  const received: BusMessage[] = [];
  await bus.subscribe([topic], async (m) => {
    received.push(m);
  });
  const store = new FakeOutbox();
  for (let id = 1; id <= 5; id++) {
    store.events.push({
      id,
      topic,
      key: `order-${id}`,
      payload: { orderId: `order-${id}`, sellerIds: [id] },
      headers: { traceparent: TRACEPARENT },
      attempts: 0,
    });
  }
  const relay = new OutboxRelay({ store, bus, tracing: NOOP_TRACING });
  assert.equal(await relay.drain(), 5);
  const deadline = Date.now() + 10_000;
  while (received.length < 5 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(received.length, 5);
  const ids = received.map((m) => m.id).sort();
  assert.deepEqual(ids, ['1', '2', '3', '4', '5']);
  const first = received.find((m) => m.id === '1')!;
  assert.equal(first.headers.traceparent, TRACEPARENT, 'trace context travels in the headers');
  assert.deepEqual(first.payload, { orderId: 'order-1', sellerIds: [1] });
  assert.equal(first.key, 'order-1');
  assert.deepEqual(await store.pending(10), []);
}

describe('outbox relay and buses', () => {
  it('in-process queue', async () => {
    const bus = new MemoryBus();
    await roundTrip(bus, '');
    await bus.close();
  });

  it('a bus outage leaves events in the outbox; they go out once it clears', async () => {
    const bus = new MemoryBus();
    const metrics = new ServiceMetrics(new Registry());
    const faults = new FaultInjector({ metrics, tracing: NOOP_TRACING });
    const store = new FakeOutbox();
    store.events.push({ id: 1, topic: 't', key: 'k', payload: {}, headers: {}, attempts: 0 });
    const relay = new OutboxRelay({ store, bus, tracing: NOOP_TRACING, metrics, faults });
    faults.set({ bus: { outage: true } });
    await assert.rejects(() => relay.drain(), /injected outage in bus/);
    assert.equal((await store.pending(10)).length, 1);
    assert.equal(store.events[0].attempts, 1);
    faults.clear();
    assert.equal(await relay.drain(), 1);
    const counted = (await metrics.outboxPublished.get()).values.map((v) => [v.labels.outcome, v.value]);
    assert.deepEqual(counted.sort(), [
      ['failed', 1],
      ['published', 1],
    ]);
    await bus.close();
  });

  it('NATS JetStream (NATS_URL)', async (t) => {
    if (!needs(t, await missingPort('127.0.0.1', 4222, 'NATS'))) return;
    const bus = await NatsBus.connect(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', {
      stream: `MBTEST_${process.pid}`,
      subjectPrefix: `mbtest${process.pid}.`,
      ephemeral: true,
    });
    try {
      await roundTrip(bus, '');
    } finally {
      await bus.close();
    }
  });

  it('RabbitMQ (AMQP_URL)', async (t) => {
    if (!needs(t, await missingPort('127.0.0.1', 5672, 'RabbitMQ'))) return;
    const bus = await AmqpBus.connect(
      process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      `mbtest.${process.pid}`,
      true,
    );
    try {
      await roundTrip(bus, `.amqp${process.pid}`);
    } finally {
      await bus.close();
    }
  });
});
