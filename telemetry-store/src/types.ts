// Public types of the telemetry store: one small interface in front of embedded chDB
// and a ClickHouse server, so every other package writes the same SQL for both.

/** A row as ClickHouse's JSONEachRow format takes it: column name to value. */
export type Row = Record<string, unknown>;

/** Query parameters, bound with ClickHouse's `{name:Type}` placeholder syntax. */
export type QueryParams = Record<string, string | number | boolean | null | readonly (string | number)[]>;

/** Which backend a store talks to. */
export type StoreBackend = 'chdb' | 'server' | 'remote';

/** A ClickHouse database, embedded or remote. Every method uses the store's database by default. */
export interface Store {
  /** The backend behind this store. */
  readonly backend: StoreBackend;
  /** The database the collector-exporter and marketbench tables live in. */
  readonly database: string;
  /** Where the data is: the chDB directory, the server URL, or the owning process's URL. */
  readonly location: string;
  /** Runs a statement that returns no rows (DDL, `INSERT ... SELECT`, `OPTIMIZE`). */
  exec(sql: string, params?: QueryParams): Promise<void>;
  /** Runs a query and returns every row as an object (ClickHouse JSON format). */
  query<T = Row>(sql: string, params?: QueryParams): Promise<T[]>;
  /** Streams the rows of a query in batches, for results too large to hold at once. */
  stream<T = Row>(sql: string, params?: QueryParams): AsyncIterable<T[]>;
  /** Inserts rows into a table of the store's database (one block per call; batch before calling). */
  insert(table: string, rows: readonly Row[]): Promise<void>;
  /** Inserts pre-serialised JSONEachRow text (one JSON object per line), the cheapest path for the ingest. */
  insertJsonEachRow(table: string, body: string): Promise<void>;
  /** Releases the backend (closes the chDB session or the HTTP agent). */
  close(): Promise<void>;
}

/** How to open a store; each field falls back to an environment variable, then to DEFAULT_STORE_OPTIONS. */
export interface StoreOptions {
  /** ClickHouse server URL; when set the server backend is used (env `CLICKHOUSE_URL`). */
  url?: string;
  /** Directory for marketbench's state; chDB data lives in `<home>/clickhouse` (env `MARKETBENCH_HOME`). */
  home?: string;
  /** Database name (env `MARKETBENCH_DATABASE`). */
  database?: string;
  /** TTL of telemetry rows in days, 0 for none (env `MARKETBENCH_TTL_DAYS`). */
  ttlDays?: number;
  /** Create or migrate the schema on open (default true). */
  migrate?: boolean;
  /**
   * Require exclusive ownership of the embedded store (the ingest): fail with MB_ERR_STORE_LOCKED
   * instead of reaching the data through a running owner (default false).
   */
  owner?: boolean;
  /**
   * How long to wait, in ms, while another process holds the embedded store without serving it
   * (an ingest still starting, a short command) before failing with MB_ERR_STORE_LOCKED (env `MARKETBENCH_LOCK_WAIT_MS`).
   */
  lockWaitMs?: number;
}

/** StoreOptions after applying argument > environment > DEFAULT_STORE_OPTIONS. */
export interface ResolvedStoreOptions {
  /** ClickHouse server URL, or undefined for embedded chDB. */
  url: string | undefined;
  /** Absolute marketbench home directory. */
  home: string;
  /** Database name. */
  database: string;
  /** TTL of telemetry rows in days, 0 for none. */
  ttlDays: number;
  /** Create or migrate the schema on open. */
  migrate: boolean;
  /** Require exclusive ownership of the embedded store. */
  owner: boolean;
  /** Wait for a locked, unserved embedded store this long (ms) before MB_ERR_STORE_LOCKED. */
  lockWaitMs: number;
}

/** What `$MARKETBENCH_HOME/owner.json` says: the process that owns the chDB directory and where it serves the store. */
export interface StoreOwner {
  /** Process id of the owner. */
  pid: number;
  /** Base URL of the owner's ClickHouse HTTP interface (give it to @clickhouse/client as `url`). */
  url: string;
  /** Base URL of the owner's OTLP ingest, when the owner is an ingest (its /marketbench/stats). */
  ingest?: string;
}
