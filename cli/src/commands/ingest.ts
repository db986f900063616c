import { parseDuration, parseOneOf, parsePort } from '@marketbench/contracts';
import {
  DEFAULT_INGEST_OPTIONS,
  type Ingest,
  type IngestStatsSnapshot,
  parseScrapeTarget,
  readOwner,
  resolveStoreOptions,
  Scraper,
  type ScrapeTarget,
  startIngest,
} from '@marketbench/telemetry-store';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';

interface IngestFlags {
  port?: string;
  host?: string;
  scrape: string[];
  scrapeInterval: string;
  fsync?: string;
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
    // No commander defaults: the flag, then the environment variable, then the default (startIngest).
    .option(
      '--port <n>',
      `port to listen on (env MARKETBENCH_INGEST_PORT, default ${DEFAULT_INGEST_OPTIONS.port})`,
    )
    .option(
      '--host <addr>',
      `interface to listen on (env MARKETBENCH_INGEST_HOST, default ${DEFAULT_INGEST_OPTIONS.host})`,
    )
    .option(
      '--scrape <[job=]url>',
      'scrape a Prometheus /metrics endpoint into otel_metrics_* (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option(
      '--scrape-interval <d>',
      'time between scrapes, at least 100ms (e.g. 5s, 500ms; a bare number is ms)',
      '5s',
    )
    .option('--fsync <policy>', 'always: fdatasync the spool before acknowledging; never: page cache only')
    .addHelpText('after', FOOTER)
    .action(async (flags: IngestFlags) => {
      const port = flags.port === undefined ? undefined : parsePort(flags.port, '--port');
      const fsync =
        flags.fsync === undefined ? undefined : parseOneOf(['always', 'never'])(flags.fsync, '--fsync');
      const intervalMs = parseDuration(flags.scrapeInterval, '--scrape-interval', { minMs: 100 });
      let targets: ScrapeTarget[];
      try {
        targets = flags.scrape.map(parseScrapeTarget);
      } catch (err) {
        throw new CliError('MB_ERR_USAGE', `--scrape: ${(err as Error).message}`);
      }
      const log = (m: string) => process.stderr.write(`[ingest] ${m}\n`);
      let running: Ingest;
      try {
        running = await startIngest({
          host: flags.host,
          port,
          fsync,
          log,
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
          throw new CliError(
            'MB_ERR_PORT_IN_USE',
            `the ingest port is in use (${(err as Error).message}); pass --port or stop what holds it`,
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
          { cause: err },
        );
      }
      process.stdout.write(flags.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats));
    });
}
