// `marketbench ingest`: runs the OTLP/HTTP ingest (and optional /metrics scrapers) in the
// foreground until SIGINT/SIGTERM, then flushes; `marketbench ingest stats` prints the counters
// of the ingest running for this MARKETBENCH_HOME. Thin: telemetry-store does the work.

import {
  DEFAULT_INGEST_OPTIONS,
  type Ingest,
  type IngestStatsSnapshot,
  isStoreError,
  parseScrapeTarget,
  readOwner,
  resolveStoreOptions,
  Scraper,
  type ScrapeTarget,
  startIngest,
} from '@marketbench/telemetry-store';
import type { Command } from 'commander';
import { CliError, EXIT, type ExitCode } from '../errors.ts';

interface IngestFlags {
  port?: string;
  host?: string;
  scrape: string[];
  scrapeInterval: string;
  fsync?: string;
}

/** `5s`, `500ms`, `1m` or a bare number of seconds, to ms. */
export function parseInterval(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m)
    throw new CliError('MB_ERR_USAGE', `${flag} must look like 5s, 500ms or 1m, got "${v}"`, EXIT.usage);
  const n = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  if (n < 100) throw new CliError('MB_ERR_USAGE', `${flag} must be at least 100ms, got "${v}"`, EXIT.usage);
  return n;
}

function formatStats(s: IngestStatsSnapshot): string {
  const lines = [`ingest ${s.url} (pid ${s.pid}, up ${s.uptimeSeconds.toFixed(0)} s)`, ''];
  lines.push('signal   received   inserted   rejected   dropped');
  for (const [signal, c] of Object.entries(s.rows))
    lines.push(
      `${signal.padEnd(8)} ${String(c.received).padStart(8)} ${String(c.inserted).padStart(10)} ${String(c.rejected).padStart(10)} ${String(c.dropped).padStart(9)}`,
    );
  lines.push(
    '',
    `queued rows ${s.queuedRows}, lag ${s.lagSeconds.toFixed(1)} s, throttled requests (429) ${s.throttledRequests}, replayed rows ${s.replayedRows}`,
    `inserts ${s.inserts} (${s.insertFailures} failed attempts), spool ${s.spool.bytes} bytes in ${s.spool.segments} segments, fsyncs ${s.spool.fsyncs}`,
    `responses ${Object.entries(s.responses)
      .map(([code, n]) => `${code}: ${n}`)
      .join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}

const FOOTER = `
Endpoints: POST /v1/traces, /v1/metrics, /v1/logs (OTLP/HTTP protobuf or JSON, gzip or identity);
GET /metrics (the ingest's own counters), GET /marketbench/stats. While the ingest owns the
embedded store it serves it on a second, loopback-only port as ClickHouse's HTTP interface
(URL in $MARKETBENCH_HOME/owner.json); other marketbench commands use it (see docs/STORE.md).
Environment: MARKETBENCH_HOME, MARKETBENCH_INGEST_HOST, MARKETBENCH_INGEST_PORT, MARKETBENCH_INGEST_BATCH_ROWS,
MARKETBENCH_INGEST_FLUSH_MS, MARKETBENCH_INGEST_MAX_QUEUE_ROWS, MARKETBENCH_INGEST_MAX_QUEUE_BYTES,
MARKETBENCH_INGEST_MAX_BODY_BYTES, MARKETBENCH_INGEST_MAX_DECOMPRESSED_BYTES, MARKETBENCH_INGEST_MAX_INFLIGHT_BYTES,
MARKETBENCH_INGEST_MAX_ITEMS, MARKETBENCH_INGEST_MAX_ELEMENTS, MARKETBENCH_INGEST_MAX_ATTRIBUTES,
MARKETBENCH_INGEST_MAX_DEPTH, MARKETBENCH_INGEST_FSYNC, MARKETBENCH_STORE_HOST, MARKETBENCH_STORE_PORT, CLICKHOUSE_URL,
MARKETBENCH_DATABASE (limits: docs/INGEST.md).
Exit codes: 0 stopped cleanly, 1 bad flag, 2 could not listen (port in use), 3 store unavailable.`;

export function register(program: Command): void {
  const ingest = program
    .command('ingest')
    .description(
      'run the OTLP/HTTP ingest into the store in the foreground until Ctrl-C (see docs/INGEST.md)',
    )
    .option(
      '--port <n>',
      'port to listen on (env MARKETBENCH_INGEST_PORT)',
      String(DEFAULT_INGEST_OPTIONS.port),
    )
    .option(
      '--host <addr>',
      'interface to listen on (env MARKETBENCH_INGEST_HOST)',
      DEFAULT_INGEST_OPTIONS.host,
    )
    .option(
      '--scrape <[job=]url>',
      'scrape a Prometheus /metrics endpoint into otel_metrics_* (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--scrape-interval <d>', 'time between scrapes (e.g. 5s, 500ms)', '5s')
    .option('--fsync <policy>', 'always: fdatasync the spool before acknowledging; never: page cache only')
    .addHelpText('after', FOOTER)
    .action(async (flags: IngestFlags) => {
      const port = flags.port === undefined ? undefined : Number(flags.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
        throw new CliError('MB_ERR_USAGE', `--port must be 0..65535, got "${flags.port}"`, EXIT.usage);
      if (flags.fsync !== undefined && flags.fsync !== 'always' && flags.fsync !== 'never')
        throw new CliError(
          'MB_ERR_USAGE',
          `--fsync must be always or never, got "${flags.fsync}"`,
          EXIT.usage,
        );
      const intervalMs = parseInterval('--scrape-interval', flags.scrapeInterval);
      let targets: ScrapeTarget[];
      try {
        targets = flags.scrape.map(parseScrapeTarget);
      } catch (err) {
        throw new CliError('MB_ERR_USAGE', `--scrape: ${(err as Error).message}`, EXIT.usage);
      }
      const log = (m: string) => process.stderr.write(`[ingest] ${m}\n`);
      let running: Ingest;
      try {
        running = await startIngest({
          host: flags.host,
          port,
          fsync: flags.fsync as 'always' | 'never' | undefined,
          log,
        });
      } catch (err) {
        if (isStoreError(err))
          throw new CliError(err.code, err.message, err.exitCode as ExitCode, { cause: err });
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
          throw new CliError(
            'MB_ERR_PORT_IN_USE',
            `the ingest port is in use (${(err as Error).message}); pass --port or stop what holds it`,
            EXIT.runError,
            { cause: err },
          );
        throw err;
      }
      const scraper =
        targets.length > 0 ? new Scraper({ store: running.store, targets, intervalMs, log }) : undefined;
      scraper?.start();
      process.stdout.write(
        `ingest listening on ${running.url} (store: ${running.store.backend}, database ${running.store.database})` +
          (running.storeUrl ? `, serving the store at ${running.storeUrl} (ClickHouse HTTP interface)` : '') +
          (targets.length
            ? `, scraping ${targets.map((t) => t.url).join(', ')} every ${intervalMs} ms`
            : '') +
          '\nCtrl-C to stop (pending rows are flushed first)\n',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stderr.write('[ingest] stopping: flushing queued rows\n');
      await scraper?.stop();
      const final = running.stats();
      await running.close();
      process.stdout.write(formatStats({ ...final, ...running.stats() }));
    });

  ingest
    .command('stats')
    .description('print the counters of the ingest running for this MARKETBENCH_HOME')
    .option('--json', 'print the raw JSON of GET /marketbench/stats')
    .action(async (flags: { json?: boolean }) => {
      const home = resolveStoreOptions().home;
      const owner = readOwner(home);
      if (!owner?.ingest)
        throw new CliError(
          'MB_ERR_INGEST_NOT_RUNNING',
          `no running ingest owns ${home} (start one with: marketbench ingest)`,
          EXIT.storeUnavailable,
        );
      let stats: IngestStatsSnapshot;
      try {
        const res = await fetch(`${owner.ingest}/marketbench/stats`, { signal: AbortSignal.timeout(5000) });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        stats = (await res.json()) as IngestStatsSnapshot;
      } catch (err) {
        throw new CliError(
          'MB_ERR_INGEST_NOT_RUNNING',
          `the ingest at ${owner.ingest} (pid ${owner.pid}) does not answer: ${(err as Error).message}`,
          EXIT.storeUnavailable,
          { cause: err },
        );
      }
      process.stdout.write(flags.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats));
    });
}
