// Redaction checked on the bytes the exporters put on the wire, in both encodings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTelemetry } from '../../src/index.ts';
import { OtlpSink, waitFor } from '../support/OtlpSink.ts';

const PAN = '4111111111111111';
const SECRET = 'Bearer sk_live_abcdef';

for (const protocol of ['http/protobuf', 'http/json'] as const) {
  test(`no PAN or configured secret leaves the process (${protocol})`, async () => {
    const sink = await new OtlpSink().start();
    const telemetry = startTelemetry({
      serviceName: 'redaction-test',
      otlpEndpoint: sink.url,
      protocol,
      handleSignals: false,
      logLevel: 'info',
      logDestination: { write: () => {} },
      redactKeys: ['authorization', 'card.*'],
    });
    try {
      const span = telemetry.tracer.startSpan('pay');
      span.setAttribute('authorization', SECRET);
      span.setAttribute('card.last_holder', 'Jane');
      span.setAttribute('note', `charged ${PAN} ok`);
      span.setAttribute('pan.grouped', '4111 1111 1111 1111');
      span.addEvent('psp.attempt', { body: `{"pan":"${PAN}"}` });
      span.end();
      telemetry.logger.info({ authorization: SECRET, card: { number: PAN } }, `payment with ${PAN}`);
      await telemetry.forceFlush();
      assert.ok(await waitFor(() => sink.spans.length >= 1 && sink.logs.length >= 1));
      const wire = Buffer.concat(sink.bodies).toString('latin1');
      assert.ok(!wire.includes(PAN), 'PAN digits are not on the wire');
      assert.ok(!wire.includes('4111 1111 1111 1111'));
      assert.ok(!wire.includes('sk_live_abcdef'), 'authorization value is not on the wire');
      assert.ok(!wire.includes('Jane'), 'card.* values are not on the wire');
      assert.ok(wire.includes('[REDACTED]'));
      assert.ok(wire.includes('charged [REDACTED] ok'), 'the rest of the value is kept');
      assert.equal(sink.logs[0].body, 'payment with [REDACTED]');
      assert.ok(telemetry.stats().valuesRedacted >= 6);
    } finally {
      await telemetry.shutdown();
      await sink.close();
    }
  });
}
