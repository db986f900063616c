// The telemetry store's error catalog: every failure a caller can act on has a stable
// code, a one-line description and the CLI exit code it maps to. docs/STORE.md documents
// each code (a test checks it).

/** Every error code the store raises, with what it means and the CLI exit code for it. */
export const STORE_ERRORS = {
  MB_ERR_STORE_LOCKED: {
    exit: 3,
    description:
      'The embedded chDB directory is owned by another running process that does not serve it, or a second owner was asked for.',
  },
  MB_ERR_STORE_UNREACHABLE: {
    exit: 3,
    description:
      "The ClickHouse server or the owning process's ClickHouse HTTP interface could not be reached, or chDB could not open its directory.",
  },
  MB_ERR_QUERY_FAILED: { exit: 2, description: 'ClickHouse rejected or failed a query or statement.' },
  MB_ERR_INSERT_FAILED: { exit: 2, description: 'ClickHouse rejected or failed an insert.' },
  MB_ERR_STORE_CLOSED: { exit: 2, description: 'The store was used after close().' },
  MB_ERR_STORE_CONFIG: {
    exit: 1,
    description:
      'A store option or environment variable has an invalid value (for example MARKETBENCH_TTL_DAYS=-1).',
  },
  MB_ERR_MIGRATION_CHECKSUM: {
    exit: 2,
    description:
      'An applied migration differs from the one this version of marketbench ships (its checksum changed).',
  },
  MB_ERR_SCHEMA_TOO_NEW: {
    exit: 2,
    description:
      'The store was migrated by a newer marketbench (it records migrations this version does not know).',
  },
} as const;

/** A code from STORE_ERRORS. */
export type StoreErrorCode = keyof typeof STORE_ERRORS;

/** An error raised by the store, carrying a catalog code. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
  /** The CLI exit code this error maps to. */
  get exitCode(): number {
    return STORE_ERRORS[this.code].exit;
  }
}

/** True when `err` is a StoreError, optionally with the given code. */
export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}
