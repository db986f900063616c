// `marketbench store init|info|migrate`: creates the schema, reports what the store holds,
// or applies pending migrations. Thin: telemetry-store's migrate() and storeInfo() do the work.
import {
  formatRows,
  migrate,
  resolveStoreOptions,
  type StoreInfo,
  storeInfo,
} from '@marketbench/telemetry-store';
import type { Command } from 'commander';
import { withStore } from '../stack/withStore.ts';

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(1)} ${units[i]}`;
}

function printInfo(info: StoreInfo): void {
  const lines = [
    `backend:  ${info.backend}`,
    `location: ${info.location}`,
    `database: ${info.database}`,
    `schema:   version ${info.schemaVersion} (this marketbench: ${info.latestSchemaVersion})`,
  ];
  if (info.directoryBytes !== undefined) lines.push(`on disk:  ${bytes(info.directoryBytes)}`);
  process.stdout.write(`${lines.join('\n')}\n\n`);
  process.stdout.write(
    formatRows(
      info.tables.map((t) => ({
        table: t.name,
        engine: t.engine,
        rows: t.rows,
        'on disk': bytes(t.bytesOnDisk),
      })),
      'table',
    ),
  );
}

const FOOTER = `
Environment: CLICKHOUSE_URL (server backend), MARKETBENCH_HOME (default .marketbench),
MARKETBENCH_DATABASE (default otel), MARKETBENCH_TTL_DAYS (default 0 = no TTL).
Exit codes: 0 ok, 1 bad configuration, 2 migration or query failed, 3 store unavailable.`;

export function register(program: Command): void {
  const store = program
    .command('store')
    .description('create, inspect and migrate the ClickHouse store (see docs/STORE.md)')
    .addHelpText('after', FOOTER);

  store
    .command('init')
    .description('create the store (the chDB directory or the server database) and its schema')
    .addHelpText('after', FOOTER)
    .action(async () => {
      const info = await withStore((s) => storeInfo(s));
      process.stdout.write(
        `store ready: ${info.backend} at ${info.location}, database ${info.database}, schema version ${info.schemaVersion}\n`,
      );
    });

  store
    .command('info')
    .description('print backend, location, database, schema version, and rows and bytes per table')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', FOOTER)
    .action(async (flags: { json?: boolean }) => {
      // Reading must not change anything: no migration here.
      const info = await withStore((s) => storeInfo(s), { migrate: false });
      if (flags.json) process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      else printInfo(info);
    });

  store
    .command('migrate')
    .description('apply pending schema migrations (idempotent; prints what it applied)')
    .addHelpText('after', FOOTER)
    .action(async () => {
      const { ttlDays } = resolveStoreOptions();
      const result = await withStore((s) => migrate(s, { ttlDays }), { migrate: false });
      process.stdout.write(
        result.applied.length === 0
          ? `schema already at version ${result.to}; nothing to apply\n`
          : `migrated from version ${result.from} to ${result.to} (applied ${result.applied.join(', ')})\n`,
      );
    });
}
