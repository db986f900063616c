// Versioned, idempotent schema migrations recorded in marketbench_schema_migrations.
// A migration is applied once; its checksum (of the SQL it runs, database and TTL
// normalised) is recorded, so an edited migration is caught rather than silently skipped.
// A later column change is a new entry at the end of MIGRATIONS, never an edit.

import { createHash } from 'node:crypto';
import { OTEL_TABLES, TABLES } from '@marketbench/contracts';
import { StoreError } from '../errors.ts';
import type { Store } from '../types.ts';
import { capacityTableStatements } from './capacityTables.ts';
import { errorSpanStatements } from './errorSpans.ts';
import { httpSliRollupStatements } from './httpSliRollup.ts';
import { loadTableStatements, loadTableStatementsV2, migrationsTableStatement } from './marketbenchTables.ts';
import { otelTableStatements } from './otelTables.ts';
import { serverSpanRollupStatements } from './serverSpanRollup.ts';
import { slowSpanStatements } from './slowSpans.ts';

/** One schema migration: its statements, rendered for a database and a TTL. */
export interface Migration {
  /** Sequence number, 1-based and dense. */
  id: number;
  /** What it does, recorded in the migrations table. */
  name: string;
  /** The statements to run (each idempotent: CREATE ... IF NOT EXISTS, ADD COLUMN IF NOT EXISTS). */
  statements(database: string, ttlDays: number): string[];
}

/** Every migration, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'collector exporter tables (traces, trace_id_ts + view, logs, metrics)',
    statements: otelTableStatements,
  },
  {
    id: 2,
    name: 'marketbench load tables (requests, runs, samples, faults)',
    statements: (db) => loadTableStatements(db),
  },
  {
    id: 3,
    name: `dashboard rollup: server spans per minute (materialized view on ${OTEL_TABLES.traces})`,
    statements: serverSpanRollupStatements,
  },
  {
    id: 4,
    name: `dashboard error spans: status Error spans in time order (materialized view on ${OTEL_TABLES.traces})`,
    statements: errorSpanStatements,
  },
  {
    id: 5,
    name: 'SLO rollup: server spans per minute by route, method, status and latency bucket (materialized view)',
    statements: httpSliRollupStatements,
  },
  {
    id: 6,
    name: 'dashboard slow spans: the slowest server spans per minute and route (materialized view)',
    statements: slowSpanStatements,
  },
  {
    id: 7,
    name: 'capacity tables: the USL fit of a capacity run, and its load steps',
    statements: (db) => capacityTableStatements(db),
  },
  {
    id: 8,
    name: `load results: expected_response per request, duration_sec per run, metric series per run (${TABLES.loadMetrics})`,
    statements: (db) => loadTableStatementsV2(db),
  },
];

/** The schema version this code creates: the id of the last migration. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.id ?? 0;

/** sha256 of a migration's SQL with the database and TTL normalised, so config does not change it. */
export function migrationChecksum(m: Migration): string {
  return createHash('sha256').update(m.statements('__database__', 1).join(';\n')).digest('hex');
}

/** A row of marketbench_schema_migrations. */
export interface AppliedMigration {
  id: number;
  name: string;
  applied_at: string;
  checksum: string;
}

/** Reads the applied migrations (empty when the table does not exist yet). */
export async function appliedMigrations(store: Store): Promise<AppliedMigration[]> {
  const exists = await store.query<{ n: string | number }>(
    'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {t:String}',
    { db: store.database, t: TABLES.schemaMigrations },
  );
  if (Number(exists[0]?.n ?? 0) === 0) return [];
  const rows = await store.query<AppliedMigration>(
    `SELECT id, name, toString(applied_at) AS applied_at, checksum FROM ${store.database}.${TABLES.schemaMigrations} ORDER BY id`,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Result of migrate(): the version before and after, and the migrations it applied. */
export interface MigrateResult {
  from: number;
  to: number;
  applied: number[];
}

/**
 * Brings the store's database to SCHEMA_VERSION. Idempotent: applied migrations are skipped
 * (after checking their checksum), so running it twice changes nothing.
 */
export async function migrate(store: Store, options: { ttlDays?: number } = {}): Promise<MigrateResult> {
  const ttlDays = options.ttlDays ?? 0;
  const db = store.database;
  await store.exec(`CREATE DATABASE IF NOT EXISTS ${db}`);
  await store.exec(migrationsTableStatement(db));
  const applied = await appliedMigrations(store);
  const byId = new Map(applied.map((m) => [m.id, m]));
  const known = new Set(MIGRATIONS.map((m) => m.id));
  const unknown = applied.filter((m) => !known.has(m.id));
  if (unknown.length > 0) {
    throw new StoreError(
      'MB_ERR_SCHEMA_TOO_NEW',
      `database ${db} has migrations ${unknown.map((m) => m.id).join(', ')} that this marketbench (schema ${SCHEMA_VERSION}) does not know; upgrade marketbench`,
    );
  }
  const from = applied.reduce((v, m) => Math.max(v, m.id), 0);
  const done: number[] = [];
  for (const m of MIGRATIONS) {
    const checksum = migrationChecksum(m);
    const prev = byId.get(m.id);
    if (prev) {
      if (prev.checksum !== checksum) {
        throw new StoreError(
          'MB_ERR_MIGRATION_CHECKSUM',
          `migration ${m.id} (${m.name}) applied to ${db} differs from this version's (checksum ${prev.checksum.slice(0, 12)} != ${checksum.slice(0, 12)})`,
        );
      }
      continue;
    }
    for (const sql of m.statements(db, ttlDays)) await store.exec(sql);
    await store.exec(
      `INSERT INTO ${db}.${TABLES.schemaMigrations} (id, name, applied_at, checksum) SELECT {id:UInt32}, {name:String}, now64(3), {checksum:String}`,
      { id: m.id, name: m.name, checksum },
    );
    done.push(m.id);
  }
  return { from, to: SCHEMA_VERSION, applied: done };
}
