// One test file's telemetry exporting to an in-test OtlpSink: started before the file's tests,
// shut down after them. The returned object's fields are set once `before` has run.

import { after, before } from 'node:test';
import { startTelemetry } from '../../src/index.ts';
import type { Telemetry } from '../../src/types.ts';
import { OtlpSink } from './OtlpSink.ts';

export function sinkTelemetry(serviceName: string): { sink: OtlpSink; telemetry: Telemetry } {
  const t = {} as { sink: OtlpSink; telemetry: Telemetry };
  before(async () => {
    t.sink = await new OtlpSink().start();
    t.telemetry = startTelemetry({
      serviceName,
      otlpEndpoint: t.sink.url,
      handleSignals: false,
      logLevel: 'silent',
      scheduledDelayMs: 20,
    });
  });
  after(async () => {
    await t.telemetry.shutdown();
    await t.sink.close();
  });
  return t;
}
