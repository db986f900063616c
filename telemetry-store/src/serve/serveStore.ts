// Serves an embedded store to other processes: ClickHouse's HTTP interface (the subset
// @clickhouse/client uses) on a loopback port, announced in `$MARKETBENCH_HOME/owner.json`, so
// another command opens the store with the server backend pointed at this URL. It has no
// authentication, like clickhouse-server's `default` user out of the box: loopback only.
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { ENV, type Environment, parsePort, parseString, resolveSetting } from '@marketbench/contracts';
import { StoreError } from '../errors.ts';
import type { ChdbStore } from '../store/ChdbStore.ts';
import { publishStoreOwner } from '../store/ownerLock.ts';
import { toClickHouseError } from './clickhouseError.ts';
import { createClickHouseHandler, type EngineInfo } from './clickhouseHttpHandler.ts';

/** How to serve a store; host and port fall back to their environment variables, then to DEFAULT_SERVE_OPTIONS. */
export interface ServeStoreOptions {
  /** Loopback address to listen on; any other is refused (env `MARKETBENCH_STORE_HOST`). */
  host?: string;
  /** TCP port; 0 picks a free one (env `MARKETBENCH_STORE_PORT`). */
  port?: number;
  /** Largest request body in bytes, after decompression; larger gets ClickHouse's QUERY_IS_TOO_LARGE (413). */
  maxBodyBytes?: number;
  /** Write `<home>/owner.json` so openStore() in other processes reaches the store through this server. */
  publishHome?: string;
  /** The owner's OTLP ingest URL, recorded in owner.json for `marketbench ingest stats`. */
  ingestUrl?: string;
  /** Where MARKETBENCH_STORE_HOST and MARKETBENCH_STORE_PORT are read; the process's by default. */
  environment?: Environment;
}

/** A running store server. */
export interface StoreServer {
  /** Base URL, e.g. `http://127.0.0.1:40123` (what @clickhouse/client takes as `url`). */
  readonly url: string;
  /** Unpublishes owner.json, stops listening and ends open connections. */
  close(): Promise<void>;
}

/** Defaults when neither an argument nor an environment variable sets an option. */
export const DEFAULT_SERVE_OPTIONS = {
  host: '127.0.0.1',
  port: 0,
  /** One insert block of the load generator fits many times over. */
  maxBodyBytes: 256 * 1024 * 1024,
} as const;

/** Longest URL (query and param_* values) accepted, as clickhouse-server's http_max_uri_size. */
const MAX_URI_BYTES = 1024 * 1024;

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

async function engineInfo(store: ChdbStore): Promise<EngineInfo> {
  const [about] = await store.query<{ version: string; timezone: string }>(
    'SELECT version() AS version, timezone() AS timezone',
  );
  const rows = await store.query<{ name: string; value: string }>('SELECT name, value FROM system.settings');
  return {
    version: about?.version ?? 'unknown',
    timezone: about?.timezone ?? 'UTC',
    displayName: os.hostname(),
    settings: new Map(rows.map((r) => [r.name, r.value])),
  };
}

/**
 * Serves `store` (an embedded chDB handle this process owns) over ClickHouse's HTTP interface on
 * a loopback address. Refuses a non-loopback host with MB_ERR_STORE_CONFIG: the interface has no
 * authentication and runs any SQL.
 */
export async function serveStore(store: ChdbStore, options: ServeStoreOptions = {}): Promise<StoreServer> {
  const host = resolveSetting({
    arg: options.host,
    env: ENV.storeHost,
    parse: parseString,
    default: DEFAULT_SERVE_OPTIONS.host as string,
    environment: options.environment,
  });
  if (!isLoopback(host))
    throw new StoreError(
      'MB_ERR_STORE_CONFIG',
      `the store's ClickHouse HTTP interface has no authentication, so it listens on loopback only: ${host} is not a loopback address (MARKETBENCH_STORE_HOST)`,
    );
  const port = resolveSetting({
    arg: options.port,
    env: ENV.storePort,
    parse: parsePort,
    default: DEFAULT_SERVE_OPTIONS.port as number,
    environment: options.environment,
  });
  const handle = createClickHouseHandler(
    store,
    await engineInfo(store),
    options.maxBodyBytes ?? DEFAULT_SERVE_OPTIONS.maxBodyBytes,
  );
  const server = http.createServer(
    { keepAliveTimeout: 10_000, maxHeaderSize: MAX_URI_BYTES + 64 * 1024 },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        // A bug in the handler: answer as ClickHouse answers an unexpected C++ exception.
        if (res.headersSent) res.destroy();
        else {
          const e = toClickHouseError(err);
          res.writeHead(500, { 'X-ClickHouse-Exception-Code': String(e.code) }).end(e.body('unknown'));
        }
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as net.AddressInfo;
  if (!isLoopback(addr.address)) {
    server.close();
    throw new StoreError('MB_ERR_STORE_CONFIG', `${host} resolved to ${addr.address}, which is not loopback`);
  }
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  const unpublish =
    options.publishHome === undefined
      ? undefined
      : publishStoreOwner(options.publishHome, url, options.ingestUrl);
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        unpublish?.();
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      return closing;
    },
  };
}
