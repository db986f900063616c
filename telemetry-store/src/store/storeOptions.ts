// Resolves store options with the precedence every marketbench package uses:
// explicit argument, then environment variable, then DEFAULT_STORE_OPTIONS.
import path from 'node:path';
import { StoreError } from '../errors.ts';
import type { ResolvedStoreOptions, StoreOptions } from '../types.ts';

/** Defaults when neither an argument nor an environment variable sets an option. */
export const DEFAULT_STORE_OPTIONS = {
  /** Embedded chDB unless CLICKHOUSE_URL is set. */
  url: undefined,
  /** `.marketbench/` in the working directory. */
  home: '.marketbench',
  /** The collector exporter's default database. */
  database: 'otel',
  /** No TTL, as the collector exporter's default. */
  ttlDays: 0,
  migrate: true,
  owner: false,
  /** Covers an ingest between taking the lock and publishing its URL. */
  lockWaitMs: 5000,
} as const satisfies Omit<ResolvedStoreOptions, 'url'> & { url: undefined };

/** Applies argument > environment (`CLICKHOUSE_URL`, `MARKETBENCH_HOME`, `MARKETBENCH_DATABASE`, `MARKETBENCH_TTL_DAYS`, `MARKETBENCH_LOCK_WAIT_MS`) > defaults. */
export function resolveStoreOptions(
  options: StoreOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedStoreOptions {
  const url = options.url ?? nonEmpty(env.CLICKHOUSE_URL) ?? DEFAULT_STORE_OPTIONS.url;
  const home = path.resolve(options.home ?? nonEmpty(env.MARKETBENCH_HOME) ?? DEFAULT_STORE_OPTIONS.home);
  const database = options.database ?? nonEmpty(env.MARKETBENCH_DATABASE) ?? DEFAULT_STORE_OPTIONS.database;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    throw new StoreError(
      'MB_ERR_STORE_CONFIG',
      `invalid database name "${database}": use letters, digits and _`,
    );
  }
  let ttlDays: number = DEFAULT_STORE_OPTIONS.ttlDays;
  let ttlText = String(ttlDays);
  if (options.ttlDays !== undefined) {
    ttlDays = options.ttlDays;
    ttlText = String(ttlDays);
  } else if (nonEmpty(env.MARKETBENCH_TTL_DAYS) !== undefined) {
    ttlText = env.MARKETBENCH_TTL_DAYS as string;
    ttlDays = /^\d+$/.test(ttlText.trim()) ? Number(ttlText) : Number.NaN;
  }
  if (!Number.isInteger(ttlDays) || ttlDays < 0) {
    throw new StoreError(
      'MB_ERR_STORE_CONFIG',
      `invalid TTL "${ttlText}" days (MARKETBENCH_TTL_DAYS): use a whole number >= 0 (0 = keep forever)`,
    );
  }
  const waitText = nonEmpty(env.MARKETBENCH_LOCK_WAIT_MS);
  const lockWaitMs =
    options.lockWaitMs ?? (waitText === undefined ? DEFAULT_STORE_OPTIONS.lockWaitMs : Number(waitText));
  if (!Number.isFinite(lockWaitMs) || lockWaitMs < 0) {
    throw new StoreError(
      'MB_ERR_STORE_CONFIG',
      `invalid MARKETBENCH_LOCK_WAIT_MS "${waitText}": use milliseconds >= 0`,
    );
  }
  if (url !== undefined && !/^https?:\/\//.test(url)) {
    throw new StoreError(
      'MB_ERR_STORE_CONFIG',
      `invalid CLICKHOUSE_URL "${url}": expected http:// or https://`,
    );
  }
  return {
    url,
    home,
    database,
    ttlDays,
    migrate: options.migrate ?? DEFAULT_STORE_OPTIONS.migrate,
    owner: options.owner ?? DEFAULT_STORE_OPTIONS.owner,
    lockWaitMs,
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
