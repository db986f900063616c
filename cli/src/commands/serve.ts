// `marketbench serve`: runs the reference marketplace service in the foreground (instrumented,
// seeded, with its simulated PSP) until SIGINT/SIGTERM. Logic lives in
// @marketbench/reference-service; this module only parses flags and prints.

import { isMarketbenchError, parseNumber, parsePort, resolveAdminToken } from '@marketbench/contracts';
import { startTelemetry, type Telemetry } from '@marketbench/instrumentation';
import { serviceTelemetryOptions, startService } from '@marketbench/reference-service';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';

interface ServeFlags {
  host?: string;
  port?: string;
  items?: string;
  seed?: string;
  sqlite?: string;
  telemetry: boolean;
}

function startupError(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') return new CliError('MB_ERR_PORT_IN_USE', e.message, { cause: err });
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === '28P01' || e.code === '3D000')
    return new CliError('MB_ERR_SERVE_DEPENDENCY', `a dependency is unreachable: ${e.message}`, {
      cause: err,
    });
  // The service's and the parsers' own errors (MB_ERR_SQLITE_IN_USE, MB_ERR_USAGE) carry their code.
  if (isMarketbenchError(err)) return err;
  return new CliError('MB_ERR_SERVE_FAILED', `the service failed to start: ${e.message}`, { cause: err });
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the reference marketplace service in the foreground (Ctrl-C stops it)')
    .option('--host <host>', 'interface to listen on (env MARKETBENCH_HOST)', undefined)
    .option('--port <port>', 'TCP port, 0 for any free port (env MARKETBENCH_PORT; default 8080)')
    .option('--items <n>', 'listings in the seeded catalog (env MARKETBENCH_ITEMS; default 100000)')
    .option('--seed <n>', 'seed of the deterministic catalog (env MARKETBENCH_SEED; default 42)')
    .option('--sqlite <file>', 'SQLite file, ":memory:" for a throwaway store (env MARKETBENCH_SQLITE_PATH)')
    .option('--no-telemetry', 'run without OpenTelemetry traces/logs (metrics stay at /metrics)')
    .addHelpText(
      'after',
      `
Environment: DATABASE_URL (PostgreSQL instead of SQLite), REDIS_URL (Redis cache), NATS_URL or
AMQP_URL (outbox bus), MARKETBENCH_ADMIN_TOKEN (admin bearer token; random when unset),
OTEL_EXPORTER_OTLP_ENDPOINT and the other OTEL_* variables (telemetry export).
Details: docs/REFERENCE-SERVICE.md`,
    )
    .action(async (flags: ServeFlags) => {
      const options = {
        host: flags.host,
        port: flags.port === undefined ? undefined : parsePort(flags.port, '--port'),
        items:
          flags.items === undefined
            ? undefined
            : parseNumber(flags.items, '--items', { integer: true, min: 1 }),
        seed:
          flags.seed === undefined ? undefined : parseNumber(flags.seed, '--seed', { integer: true, min: 0 }),
        sqlitePath: flags.sqlite,
      };
      let telemetry: Telemetry | undefined;
      if (flags.telemetry) {
        telemetry = startTelemetry({
          ...serviceTelemetryOptions(),
          handleSignals: false,
          runtimeMetrics: true,
        });
      }
      const started = performance.now();
      let service: Awaited<ReturnType<typeof startService>>;
      try {
        service = await startService({ ...options, telemetry });
      } catch (err) {
        await telemetry?.shutdown();
        throw startupError(err);
      }
      const { seedReport, services } = service;
      const o = services.options;
      const seeded = seedReport.seeded
        ? `seeded ${o.items} listings in ${seedReport.seconds.toFixed(1)} s`
        : `reused the catalog of ${o.items} listings`;
      process.stdout.write(
        [
          `reference service listening on ${service.url}`,
          `store: ${o.databaseUrl ? 'postgresql' : `sqlite ${o.sqlitePath}`} (${seeded}, seed ${o.seed})`,
          `psp: ${service.gateway.url}${service.psp ? ' (in-process simulator)' : ''}`,
          // a token the caller chose is theirs; print only one we generated
          resolveAdminToken() !== undefined
            ? 'admin token: from MARKETBENCH_ADMIN_TOKEN'
            : `admin token: ${service.adminToken}`,
          `telemetry: ${telemetry ? 'on' : 'off'}; ready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await service.close();
      await telemetry?.shutdown();
      process.stdout.write('reference service stopped\n');
    });
}
