import { OTEL_TABLES } from '@marketbench/contracts';
import { decodeParams, ROW_FORMATS, type RowFormat, writeRows } from '@marketbench/telemetry-store';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { withStore } from '../stack/withStore.ts';

interface QueryFlags {
  format: string;
  param: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  program
    .command('query')
    .description('run SQL on the configured store (chDB, ClickHouse server, or through the running ingest)')
    .argument('<sql>', 'one SQL statement; bind values with {name:Type} placeholders')
    .option('--format <format>', `output format: ${ROW_FORMATS.join(', ')}`, 'table')
    .option(
      '--param <name=value>',
      "value for a {name:Type} placeholder, repeatable; arrays as [1,2] or ['a','b']",
      collect,
      [],
    )
    .addHelpText(
      'after',
      `
Examples:
  marketbench query "SELECT ServiceName, count() FROM ${OTEL_TABLES.traces} GROUP BY ServiceName"
  marketbench query "SELECT * FROM ${OTEL_TABLES.traces} WHERE TraceId = {id:String}" --param id=5b8e... --format json

Environment: CLICKHOUSE_URL (server backend), MARKETBENCH_HOME (default .marketbench), MARKETBENCH_DATABASE (default otel).
Exit codes: 0 ok, 1 bad flags, 2 query failed (MB_ERR_QUERY_FAILED), 3 store unavailable (MB_ERR_STORE_LOCKED, MB_ERR_STORE_UNREACHABLE).`,
    )
    .action(async (sql: string, flags: QueryFlags) => {
      if (!(ROW_FORMATS as readonly string[]).includes(flags.format)) {
        throw new CliError(
          'MB_ERR_USAGE',
          `--format must be one of ${ROW_FORMATS.join(', ')}, got "${flags.format}"`,
        );
      }
      const texts: Record<string, string> = {};
      for (const p of flags.param) {
        const eq = p.indexOf('=');
        if (eq <= 0) throw new CliError('MB_ERR_USAGE', `--param expects name=value, got "${p}"`);
        texts[p.slice(0, eq)] = p.slice(eq + 1);
      }
      let params: ReturnType<typeof decodeParams>;
      try {
        params = decodeParams(sql, texts);
      } catch (err) {
        throw new CliError('MB_ERR_USAGE', `bad --param: ${(err as Error).message}`);
      }
      // JSON and CSV stream batch by batch, so exporting millions of rows needs no more memory than a batch.
      await withStore((store) =>
        writeRows(store.stream(sql, params), flags.format as RowFormat, (chunk) =>
          process.stdout.write(chunk)
            ? undefined
            : new Promise<void>((r) => process.stdout.once('drain', () => r())),
        ),
      );
    });
}
