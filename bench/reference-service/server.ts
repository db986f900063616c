// Child process of bench/reference-service/run.ts: the reference service, fully instrumented
// (100% sampling, OTLP/HTTP protobuf to the bench's sink), on its own event loop so the load
// generator never steals its time. Answers `stats` over IPC with the telemetry counters.
import { SERVICES } from '@marketbench/contracts';
import { startTelemetry } from '@marketbench/instrumentation';
import { startService } from '@marketbench/reference-service';

const config = JSON.parse(process.env.MB_BENCH_SERVICE ?? '{}') as {
  otlp?: string;
  items: number;
  sqlitePath: string;
  telemetry: boolean;
  databaseUrl?: string;
  pgSchema?: string;
};
const telemetry = config.telemetry
  ? startTelemetry({
      serviceName: SERVICES.reference,
      otlpEndpoint: config.otlp,
      protocol: 'http/protobuf',
      sampleRatio: 1,
      logLevel: 'warn',
      handleSignals: false,
      maxQueueSize: 65_536,
      maxExportBatchSize: 2048,
      maxConcurrentExports: 4,
      scheduledDelayMs: 500,
    })
  : undefined;
const service = await startService({
  port: 0,
  items: config.items,
  sqlitePath: config.sqlitePath,
  databaseUrl: config.databaseUrl,
  pgSchema: config.pgSchema,
  telemetry,
  pspLatencyMs: 2,
  adminToken: 'bench',
});
process.on('message', async (m: { type: string }) => {
  if (m.type === 'stats') {
    process.send?.({
      type: 'stats',
      stats: telemetry?.stats(),
      cpu: process.cpuUsage(),
      rss: process.memoryUsage().rss,
    });
  } else if (m.type === 'stop') {
    await service.close();
    if (config.databaseUrl) {
      // The bench's schema is throwaway: drop it so runs do not pile up.
      const { default: pg } = await import('pg');
      const client = new pg.Client(config.databaseUrl);
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${config.pgSchema}" CASCADE`);
      await client.end();
    }
    await telemetry?.shutdown();
    process.send?.({ type: 'stopped' });
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', url: service.url, seeded: service.seedReport });
