// What `marketbench store info` reports: backend, location, database, schema version and,
// per table, rows and bytes on disk, read from ClickHouse's system tables (so it works the
// same through an owner or against a server).
import fs from 'node:fs';
import path from 'node:path';
import { appliedMigrations, SCHEMA_VERSION } from '../schema/migrations.ts';
import type { Store, StoreBackend } from '../types.ts';

/** One table of the store's database. */
export interface TableInfo {
  name: string;
  engine: string;
  rows: number;
  bytesOnDisk: number;
}

/** A snapshot of a store for `marketbench store info`. */
export interface StoreInfo {
  backend: StoreBackend;
  location: string;
  database: string;
  /** Highest applied migration id (0 = no schema yet). */
  schemaVersion: number;
  /** The schema version this code creates. */
  latestSchemaVersion: number;
  tables: TableInfo[];
  /** Bytes of the chDB directory on disk (embedded backend only). */
  directoryBytes?: number;
}

function duBytes(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += fs.statSync(p).size;
    }
  };
  try {
    walk(dir);
  } catch {
    // a part merged away while walking: the figure is approximate anyway
  }
  return total;
}

/** Reads backend, schema version and per-table rows and on-disk bytes. */
export async function storeInfo(store: Store): Promise<StoreInfo> {
  const applied = await appliedMigrations(store);
  const tables = await store.query<{
    name: string;
    engine: string;
    rows: string | null;
    bytes: string | null;
  }>(
    `SELECT t.name AS name, t.engine AS engine, t.total_rows AS rows, p.bytes AS bytes
     FROM system.tables AS t
     LEFT JOIN (SELECT table, sum(bytes_on_disk) AS bytes FROM system.parts
                WHERE database = {db:String} AND active GROUP BY table) AS p ON p.table = t.name
     WHERE t.database = {db:String}
     ORDER BY t.name`,
    { db: store.database },
  );
  const info: StoreInfo = {
    backend: store.backend,
    location: store.location,
    database: store.database,
    schemaVersion: applied.reduce((v, m) => Math.max(v, m.id), 0),
    latestSchemaVersion: SCHEMA_VERSION,
    tables: tables.map((t) => ({
      name: t.name,
      engine: t.engine,
      rows: Number(t.rows ?? 0),
      bytesOnDisk: Number(t.bytes ?? 0),
    })),
  };
  if (store.backend === 'chdb') info.directoryBytes = duBytes(store.location);
  return info;
}
