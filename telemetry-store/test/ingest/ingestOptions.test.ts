// The ingest's environment variables go through contracts' parsers: a bad value is MB_ERR_USAGE
// naming the variable, before anything is opened or listens.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isMarketbenchError } from '@marketbench/contracts';
import { startIngest } from '../../src/ingest/startIngest.ts';

for (const [name, value] of [
  ['MARKETBENCH_INGEST_FSYNC', 'sometimes'],
  ['MARKETBENCH_INGEST_PORT', '8_080'],
  ['MARKETBENCH_INGEST_BATCH_ROWS', '0'],
  ['MARKETBENCH_INGEST_FLUSH_MS', 'soon'],
  ['MARKETBENCH_INGEST_MAX_QUEUE_ROWS', '1e6'],
  ['MARKETBENCH_INGEST_MAX_ITEMS', 'many'],
  ['MARKETBENCH_INGEST_MAX_ELEMENTS', '-1'],
  ['MARKETBENCH_INGEST_MAX_DEPTH', '0'],
  ['MARKETBENCH_INGEST_MAX_DECOMPRESSED_BYTES', '20MiB'],
  ['MARKETBENCH_INGEST_MAX_INFLIGHT_BYTES', '1024'],
] as const) {
  test(`${name}=${value} is refused with MB_ERR_USAGE before the store is opened`, async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-ingest-env-'));
    const before = process.env[name];
    process.env[name] = value;
    try {
      await assert.rejects(
        startIngest({ home, log: () => {} }),
        (err: unknown) =>
          isMarketbenchError(err, 'MB_ERR_USAGE') &&
          err.exitCode === 1 &&
          err.message.startsWith(`${name} must be`) &&
          err.message.endsWith(`got "${value}"`),
      );
      assert.ok(!fs.existsSync(path.join(home, 'spool')), 'nothing was created');
    } finally {
      if (before === undefined) delete process.env[name];
      else process.env[name] = before;
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
}
