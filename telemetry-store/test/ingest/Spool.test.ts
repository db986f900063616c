// The spool records what is inserted per request and table: a metrics request whose gauge rows
// are in but whose sum rows are not replays only the sum rows; entries from older versions (a
// bare record index) still mean the whole request.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { OTEL_TABLES } from '@marketbench/contracts';
import { Spool } from '../../src/ingest/Spool.ts';

test('acks are per request and table, and a bare index still acknowledges every table', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-spool-'));
  try {
    const spool = new Spool(dir, { fsync: 'never', segmentBytes: 1 << 20 });
    const a = spool.append('metrics', false, Buffer.from('a'));
    const b = spool.append('metrics', false, Buffer.from('b'));
    spool.hold(a, OTEL_TABLES.metricsGauge, 3);
    spool.hold(a, OTEL_TABLES.metricsSum, 2);
    spool.hold(b, OTEL_TABLES.metricsGauge, 1);
    spool.release(a, OTEL_TABLES.metricsGauge, 3);
    spool.release(b, OTEL_TABLES.metricsGauge, 1);
    spool.writeAcks();
    spool.close();
    const [seg] = new Spool(dir, { fsync: 'never', segmentBytes: 1 << 20 }).leftover();
    const acked = Spool.acked(seg.file);
    assert.equal(acked.has(a.index, OTEL_TABLES.metricsGauge), true);
    assert.equal(
      acked.has(a.index, OTEL_TABLES.metricsSum),
      false,
      'the sum rows of request a are still pending',
    );
    assert.equal(acked.has(b.index, OTEL_TABLES.metricsGauge), true);
    // What a replay records after a block, and the format of older versions: a bare index.
    Spool.recordAcks(seg.file, OTEL_TABLES.metricsSum, [a.index]);
    fs.appendFileSync(seg.file.replace(/\.spool$/, '.acks'), Buffer.from([7, 0, 0, 0]));
    const again = Spool.acked(seg.file);
    assert.equal(again.has(a.index, OTEL_TABLES.metricsSum), true);
    assert.equal(again.has(7, OTEL_TABLES.logs), true);
    assert.equal(again.has(7, OTEL_TABLES.traces), true);
    assert.equal(Spool.read(seg.file).records.length, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
