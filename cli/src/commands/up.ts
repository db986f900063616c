// `marketbench up`: the embedded stack in the foreground for exploration, until Ctrl-C.

import { OTEL_TABLES, TABLES } from '@marketbench/contracts';
import type { Command } from 'commander';
import { addStackOptions, type StackFlags, stackOptionsFromFlags } from '../stack/stackFlags.ts';
import { DEFAULT_STACK_OPTIONS, startStack } from '../stack/startStack.ts';

export function register(program: Command): void {
  addStackOptions(
    program
      .command('up')
      .description(
        'run the embedded stack (store, OTLP ingest, /metrics scraper, reference service) in the foreground',
      ),
  ).action(async (flags: StackFlags) => {
    const stack = await startStack({
      ...stackOptionsFromFlags(flags),
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
        `  npx marketbench query "SELECT SpanName, count() AS n, quantile(0.99)(Duration)/1e6 AS p99 FROM ${OTEL_TABLES.traces} GROUP BY SpanName ORDER BY n DESC LIMIT 10"`,
        `  npx marketbench query "SELECT run_id, scenario, status, requests_total FROM ${TABLES.loadRuns} FINAL ORDER BY started_at DESC LIMIT 5"`,
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
