// A separate ingest process for the crash test: owns the chDB store under argv[2], prints its URL
// and its store's (ClickHouse HTTP interface) as one JSON line, and closes cleanly on SIGTERM. The test SIGKILLs it mid-stream.
import { startIngest } from '../../src/ingest/startIngest.ts';

const home = process.argv[2];
const ingest = await startIngest({
  home,
  port: 0,
  batchRows: Number(process.env.CHILD_BATCH_ROWS ?? 500),
  flushIntervalMs: Number(process.env.CHILD_FLUSH_MS ?? 200),
  log: (m) => process.stderr.write(`${m}\n`),
});
process.stdout.write(
  `${JSON.stringify({ url: ingest.url, storeUrl: ingest.storeUrl, replayedRows: ingest.stats().replayedRows })}\n`,
);
process.once('SIGTERM', () => {
  ingest.close().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`close failed: ${err}\n`);
      process.exit(2);
    },
  );
});
