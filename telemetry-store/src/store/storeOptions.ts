// Resolves store options with the precedence every marketbench package uses (contracts'
// resolveSetting): explicit argument, then environment variable, then DEFAULT_STORE_OPTIONS.
import path from 'node:path';
import {
  ENV,
  type Environment,
  parseNumber,
  parseString,
  processEnvironment,
  resolveSetting,
} from '@marketbench/contracts';
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
  environment: Environment = processEnvironment(),
): ResolvedStoreOptions {
  const d = DEFAULT_STORE_OPTIONS;
  const text = (arg: string | undefined, env: (typeof ENV)[keyof typeof ENV]) =>
    resolveSetting({ arg, env, parse: parseString, environment });
  const url = text(options.url, ENV.clickhouseUrl) ?? d.url;
  const home = path.resolve(text(options.home, ENV.home) ?? d.home);
  const database = text(options.database, ENV.database) ?? d.database;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    throw new StoreError(
      'MB_ERR_STORE_CONFIG',
      `invalid database name "${database}": use letters, digits and _`,
    );
  }
  const ttlDays = resolveSetting({
    arg: options.ttlDays,
    env: ENV.ttlDays,
    parse: (raw, name) => parseNumber(raw, name, { integer: true, min: 0 }),
    default: d.ttlDays as number,
    environment,
  });
  if (!Number.isInteger(ttlDays) || ttlDays < 0) {
    throw new StoreError(
      'MB_ERR_STORE_CONFIG',
      `invalid TTL "${ttlDays}" days: use a whole number >= 0 (0 = keep forever)`,
    );
  }
  const lockWaitMs = resolveSetting({
    arg: options.lockWaitMs,
    env: ENV.lockWaitMs,
    parse: (raw, name) => parseNumber(raw, name, { min: 0 }),
    default: d.lockWaitMs as number,
    environment,
  });
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
