// `marketbench up`: the embedded stack in the foreground for exploration, until Ctrl-C.

import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.ts';
import { DEFAULT_STACK_OPTIONS, startStack } from '../stack/startStack.ts';

export function register(program: Command): void {
  program
    .command('up')
    .description(
      'run the embedded stack (store, OTLP ingest, /metrics scraper, reference service) in the foreground',
    )
    .option(
      '--port <n>',
      `reference service port (env MARKETBENCH_PORT, default ${DEFAULT_STACK_OPTIONS.servicePort})`,
    )
    .option(
      '--ingest-port <n>',
      `OTLP ingest port (env MARKETBENCH_INGEST_PORT, default ${DEFAULT_STACK_OPTIONS.ingestPort})`,
    )
    .option('--items <n>', 'listings in the seeded catalog (env MARKETBENCH_ITEMS)')
    .action(async (flags: { port?: string; ingestPort?: string; items?: string }) => {
      const num = (flag: string, v: string | undefined) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0)
          throw new CliError('MB_ERR_USAGE', `${flag} must be a non-negative integer`, EXIT.usage);
        return n;
      };
      const stack = await startStack({
        servicePort: num('--port', flags.port),
        ingestPort: num('--ingest-port', flags.ingestPort),
        items: num('--items', flags.items),
        log: (l) => process.stderr.write(`[marketbench] ${l}\n`),
      });
      process.stdout.write(
        [
          '',
          'marketbench stack is up (Ctrl-C to stop):',
          `  reference service   ${stack.serviceUrl}   (try ${stack.serviceUrl}/listings?limit=5, ${stack.serviceUrl}/openapi.json)`,
          `  service metrics     ${stack.serviceUrl}/metrics   (scraped into ClickHouse every ${DEFAULT_STACK_OPTIONS.scrapeIntervalMs / 1000} s)`,
          `  OTLP/HTTP ingest    ${stack.ingest.url}   (point OTEL_EXPORTER_OTLP_ENDPOINT here)`,
          `  admin token         ${stack.adminToken}   (MARKETBENCH_ADMIN_TOKEN, for /admin/faults)`,
          '',
          'In another terminal:',
          `  npx marketbench run smoke --target ${stack.serviceUrl}`,
          `  npx marketbench query "SELECT SpanName, count() AS n, quantile(0.99)(Duration)/1e6 AS p99_ms FROM otel_traces GROUP BY SpanName ORDER BY n DESC LIMIT 10"`,
          '  npx marketbench query "SELECT run_id, scenario, status, requests_total FROM marketbench_load_runs FINAL ORDER BY started_at DESC LIMIT 5"',
          '  npx marketbench report --last',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stderr.write('[marketbench] stopping\n');
      await stack.stop();
    });
}
