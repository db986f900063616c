// `marketbench serve`: runs the reference marketplace service in the foreground (instrumented,
// seeded, with its simulated PSP) until SIGINT/SIGTERM. Logic lives in
// @marketbench/reference-service; this module only parses flags and prints.

import { startTelemetry, type Telemetry } from '@marketbench/instrumentation';
import { serviceTelemetryOptions, startService } from '@marketbench/reference-service';
import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.ts';

interface ServeFlags {
  host?: string;
  port?: string;
  items?: string;
  seed?: string;
  sqlite?: string;
  telemetry: boolean;
}

function integer(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min) {
    throw new CliError('MB_ERR_SERVE_OPTION', `${flag} must be an integer >= ${min}, got "${value}"`);
  }
  return n;
}

function startupError(err: unknown): CliError {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'MB_ERR_SQLITE_IN_USE')
    return new CliError(e.code, e.message, EXIT.runError, { cause: err });
  if (e.code === 'EADDRINUSE')
    return new CliError('MB_ERR_SERVE_PORT_IN_USE', e.message, EXIT.runError, { cause: err });
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === '28P01' || e.code === '3D000') {
    return new CliError(
      'MB_ERR_SERVE_DEPENDENCY',
      `a dependency is unreachable: ${e.message}`,
      EXIT.storeUnavailable,
      { cause: err },
    );
  }
  return new CliError('MB_ERR_SERVE_FAILED', `the service failed to start: ${e.message}`, EXIT.runError, {
    cause: err,
  });
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
        port: integer('--port', flags.port, 0),
        items: integer('--items', flags.items, 1),
        seed: integer('--seed', flags.seed, 0),
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
          process.env.MARKETBENCH_ADMIN_TOKEN
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
