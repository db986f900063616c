// Child-process entry of the stack's reference service: starts telemetry (OTLP to the stack's
// ingest, 100% sampled) and the service with its seeded catalog, then obeys the parent over IPC:
// `flush` (export every finished span now) and `stop` (drain, flush, exit). A separate process
// gives the service its own event loop, so the load generator never steals its time.

import { ENV, readEnv } from '@marketbench/contracts';
import { startTelemetry } from '@marketbench/instrumentation';
import { serviceTelemetryOptions, startService } from '@marketbench/reference-service';

/** Configuration passed by the parent in MARKETBENCH_STACK_SERVICE (JSON). */
export interface ServiceProcessConfig {
  port: number;
  ingestUrl: string;
  items?: number;
  seed?: number;
  /** SQLite file of the service, under the stack's home so concurrent stacks never share one. */
  sqlitePath: string;
}

/** Messages the parent sends. */
export type ParentMessage = { type: 'flush' } | { type: 'stop' };
/** Messages the child sends. */
export type ChildMessage =
  | { type: 'ready'; url: string; adminToken: string }
  | { type: 'flushed'; stats: unknown }
  | { type: 'stopped'; stats: unknown }
  | { type: 'failed'; message: string };

async function main(): Promise<void> {
  const config = JSON.parse(readEnv(ENV.stackService) ?? '{}') as ServiceProcessConfig;
  const send = (m: ChildMessage) => process.send?.(m);
  try {
    const telemetry = startTelemetry({
      ...serviceTelemetryOptions(),
      otlpEndpoint: config.ingestUrl,
      protocol: 'http/protobuf',
      sampleRatio: 1,
      logLevel: 'warn',
      runtimeMetrics: true,
      handleSignals: false,
      // a bigger queue and more exports in flight: at the stack's rates a 2,048-span queue overflows
      maxQueueSize: 65_536,
      maxExportBatchSize: 2048,
      maxConcurrentExports: 4,
      scheduledDelayMs: 500,
    });
    const service = await startService({
      host: '127.0.0.1',
      port: config.port,
      items: config.items,
      seed: config.seed,
      sqlitePath: config.sqlitePath,
      telemetry,
    });
    let stopping = false;
    process.on('message', async (m: ParentMessage) => {
      if (m.type === 'flush') {
        // the PSP simulator's spans too (their own provider): a run's last attempts are in the store
        await service.flushTelemetry();
        send({ type: 'flushed', stats: telemetry.stats() });
      } else if (m.type === 'stop' && !stopping) {
        stopping = true;
        await service.flushTelemetry().catch(() => undefined);
        await service.close().catch(() => undefined);
        await telemetry.forceFlush().catch(() => undefined);
        const stats = telemetry.stats();
        await telemetry.shutdown();
        send({ type: 'stopped', stats });
        process.disconnect?.();
        process.exit(0);
      }
    });
    // the parent went away without a stop: do not linger
    process.on('disconnect', () => {
      if (!stopping) process.exit(0);
    });
    send({ type: 'ready', url: service.url, adminToken: service.adminToken });
  } catch (err) {
    send({ type: 'failed', message: (err as Error).message });
    process.exit(1);
  }
}

await main();
