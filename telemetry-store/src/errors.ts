// The telemetry store's error catalog: every failure a caller can act on has a stable
// code, a one-line description and the CLI exit code it maps to. docs/STORE.md documents
// each code (a test checks it).

import { defineCatalog, EXIT, MarketbenchError, type MarketbenchErrorOptions } from '@marketbench/contracts';

/** Every error code the store raises, with what it means and the CLI exit code for it. */
export const STORE_ERRORS = defineCatalog({
  MB_ERR_STORE_LOCKED: {
    exit: EXIT.storeUnavailable,
    description:
      'The embedded chDB directory is owned by another running process that does not serve it, or a second owner was asked for.',
  },
  MB_ERR_STORE_UNREACHABLE: {
    exit: EXIT.storeUnavailable,
    description:
      "The ClickHouse server or the owning process's ClickHouse HTTP interface could not be reached, or chDB could not open its directory.",
  },
  MB_ERR_QUERY_FAILED: {
    exit: EXIT.runError,
    description: 'ClickHouse rejected or failed a query or statement.',
  },
  MB_ERR_INSERT_FAILED: { exit: EXIT.runError, description: 'ClickHouse rejected or failed an insert.' },
  MB_ERR_STORE_CLOSED: { exit: EXIT.runError, description: 'The store was used after close().' },
  MB_ERR_STORE_CONFIG: {
    exit: EXIT.usage,
    description:
      'A store option or environment variable has an invalid value (a database name with `;`, a CLICKHOUSE_URL without http(s)://, a non-loopback bind).',
  },
  MB_ERR_MIGRATION_CHECKSUM: {
    exit: EXIT.runError,
    description:
      'An applied migration differs from the one this version of marketbench ships (its checksum changed).',
  },
  MB_ERR_SCHEMA_TOO_NEW: {
    exit: EXIT.runError,
    description:
      'The store was migrated by a newer marketbench (it records migrations this version does not know).',
  },
});

/** A code from STORE_ERRORS. */
export type StoreErrorCode = (typeof STORE_ERRORS.codes)[number];

/** An error raised by the store, carrying a catalog code. */
export class StoreError extends MarketbenchError {
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: MarketbenchErrorOptions) {
    super(code, message, STORE_ERRORS.spec(code), options);
    this.name = 'StoreError';
  }
}

/** True when `err` is a StoreError, optionally with the given code. */
export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}
