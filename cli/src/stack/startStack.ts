// Starts the embedded stack: the chDB store and the OTLP/HTTP ingest in this process (the
// store's owner, so `marketbench query` reaches it through the ingest), a scraper of the
// service's /metrics, and the instrumented reference service in a child process. stop()
// tears it down in the reverse order, flushing telemetry on the way.

import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV, parsePort, processEnvironment, resolveSetting, SERVICES } from '@marketbench/contracts';
import type { TelemetryStats } from '@marketbench/instrumentation';
import { openStore, resolveStoreOptions, Scraper, startIngest } from '@marketbench/telemetry-store';
import { CliError } from '../errors.ts';
import type { ChildMessage, ParentMessage, ServiceProcessConfig } from './serviceProcess.ts';
import type { ServiceTelemetry, Stack, StackOptions } from './types.ts';

/** Defaults of the stack (README: "npm start" and "marketbench up"). */
export const DEFAULT_STACK_OPTIONS = {
  ingestPort: 4318,
  servicePort: 8080,
  scrapeIntervalMs: 5000,
  /** How long the service may take to seed its catalog and listen. */
  serviceStartTimeoutMs: 60_000,
} as const;

const SERVICE_ENTRY = fileURLToPath(new URL('./serviceProcess.ts', import.meta.url));

function waitFor<T extends ChildMessage['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`the reference service did not answer "${type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: ChildMessage) => {
      if (m.type === type) {
        cleanup();
        resolve(m as Extract<ChildMessage, { type: T }>);
      } else if (m.type === 'failed') {
        cleanup();
        reject(new Error(`the reference service failed to start: ${m.message}`));
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`the reference service exited (code ${code}) before "${type}"`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Starts the stack; throws a CliError when a port is taken or a part fails to start. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? (() => undefined);
  const home = resolveStoreOptions({ home: options.home }).home;
  const ingestPort = resolveSetting({
    arg: options.ingestPort,
    env: ENV.ingestPort,
    parse: parsePort,
    default: DEFAULT_STACK_OPTIONS.ingestPort as number,
  });
  const servicePort = resolveSetting({
    arg: options.servicePort,
    env: ENV.port,
    parse: parsePort,
    default: DEFAULT_STACK_OPTIONS.servicePort as number,
  });
  const store = await openStore({ home });
  let ingest: Awaited<ReturnType<typeof startIngest>>;
  try {
    ingest = await startIngest({
      store,
      home,
      host: '127.0.0.1',
      port: ingestPort,
      log: (m) => log(`ingest: ${m}`),
    });
  } catch (err) {
    await store.close();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      throw new CliError(
        'MB_ERR_PORT_IN_USE',
        `port ${ingestPort} (ingest) is in use; pass --ingest-port or stop what holds it`,
        { cause: err },
      );
    }
    throw err;
  }
  log(`ingest listening on ${ingest.url}`);
  const config: ServiceProcessConfig = {
    port: servicePort,
    ingestUrl: ingest.url,
    items: options.items,
    seed: options.seed,
    // The service's SQLite file lives in this stack's home: two stacks (or a stack and a test) in the
    // same working directory must not share one, or each blocks the other on SQLite's write lock.
    sqlitePath: path.join(home, 'reference-service.sqlite'),
  };
  const logFile = path.join(home, 'logs', 'reference-service.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const logFd = fs.openSync(logFile, 'a');
  const child = fork(SERVICE_ENTRY, [], {
    env: { ...processEnvironment(), [ENV.home]: home, [ENV.stackService]: JSON.stringify(config) },
    // The service's own log lines (pino JSON: payment failures, breaker transitions) go to a file,
    // not over the progress line and summary.
    stdio: ['ignore', logFd, logFd, 'ipc'],
  });
  fs.closeSync(logFd);
  let ready: Extract<ChildMessage, { type: 'ready' }>;
  try {
    ready = await waitFor(child, 'ready', DEFAULT_STACK_OPTIONS.serviceStartTimeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    await ingest.close();
    await store.close();
    const msg = (err as Error).message;
    if (/EADDRINUSE/.test(msg)) {
      throw new CliError(
        'MB_ERR_PORT_IN_USE',
        `port ${servicePort} (reference service) is in use; pass --port or stop what holds it`,
        { cause: err },
      );
    }
    throw new CliError('MB_ERR_STACK_START', `${msg} (its log: ${logFile})`, { cause: err });
  }
  log(`reference service listening on ${ready.url} (its log: ${logFile})`);
  const scraper = new Scraper({
    store,
    // the service's RED metrics (request-counter reconciliation, SLOs) and the ingest's own (freshness SLO)
    targets: [
      { url: `${ready.url}/metrics`, job: SERVICES.reference },
      { url: `${ingest.url}/metrics`, job: SERVICES.ingest },
    ],
    intervalMs: options.scrapeIntervalMs ?? DEFAULT_STACK_OPTIONS.scrapeIntervalMs,
    log: (m) => log(`scraper: ${m}`),
  });
  // The scrape before any load is the "before" of the request-counter reconciliation.
  await scraper.scrapeOnce();
  scraper.start();
  const send = (m: ParentMessage) => child.send(m);
  let stopped = false;
  return {
    store,
    ingest,
    serviceUrl: ready.url,
    servicePid: child.pid ?? 0,
    adminToken: ready.adminToken,
    scrapeNow: () => scraper.scrapeOnce(),
    async flushTelemetry(): Promise<ServiceTelemetry> {
      const flushed = waitFor(child, 'flushed', 30_000);
      send({ type: 'flush' });
      const m = await flushed;
      await ingest.flush();
      return { stats: m.stats as TelemetryStats };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await scraper.stop();
      if (child.exitCode === null && child.connected) {
        const done = waitFor(child, 'stopped', 30_000).catch(() => undefined);
        send({ type: 'stop' });
        await done;
      }
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 5000);
          child.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      await ingest.close();
      await store.close();
    },
  };
}
