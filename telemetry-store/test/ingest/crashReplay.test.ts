// Acknowledged means persisted: an ingest process is SIGKILLed while exporters are sending;
// after a restart (which replays the spool) every span that was answered 200 is in ClickHouse.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { test } from 'node:test';
import { requestCodec } from '../../src/ingest/otlpCodec.ts';

const child = path.join(import.meta.dirname, 'ingestChild.ts');

async function startChild(home: string, env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, [child, home], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  proc.stderr!.on('data', (c) => {
    stderr += c;
  });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: proc.stdout! }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`ingest child exited ${code}: ${stderr}`)));
  });
  return {
    proc,
    ...(JSON.parse(line) as { url: string; storeUrl: string; replayedRows: number }),
    stderr: () => stderr,
  };
}

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
}

function body(batch: number, spans: number): Uint8Array {
  const codec = requestCodec('traces');
  return codec
    .encode(
      codec.fromObject({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'crash-test' } }] },
            scopeSpans: [
              {
                spans: Array.from({ length: spans }, (_, i) => {
                  const id = Buffer.alloc(8);
                  id.writeUInt32BE(batch + 1, 0);
                  id.writeUInt32BE(i + 1, 4);
                  return {
                    traceId: Buffer.concat([id, id]),
                    spanId: id,
                    name: 'GET /listings',
                    kind: 2,
                    startTimeUnixNano: String(1795255200000000000n + BigInt(batch * 1000 + i)),
                    endTimeUnixNano: String(1795255200001000000n + BigInt(batch * 1000 + i)),
                  };
                }),
              },
            ],
          },
        ],
      }),
    )
    .finish();
}

/** Queries the store the ingest owns through the ClickHouse HTTP interface it serves. */
async function query<T>(storeUrl: string, sql: string): Promise<T[]> {
  const res = await fetch(`${storeUrl}/?default_format=JSON`, { method: 'POST', body: sql });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { data: T[] }).data;
}

test('SIGKILL mid-stream loses no acknowledged span', { timeout: 120_000 }, async (t) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-crash-'));
  try {
    // Flushing rarely, so that most acknowledged spans exist only in the spool when the kill lands.
    const first = await startChild(home, { CHILD_BATCH_ROWS: '2000', CHILD_FLUSH_MS: '700' });
    const acked = new Set<string>();
    let batch = 0;
    let killed = false;
    const spansPerRequest = 50;
    const sender = async () => {
      while (!killed) {
        const b = batch++;
        try {
          const res = await fetch(`${first.url}/v1/traces`, {
            method: 'POST',
            body: body(b, spansPerRequest),
            headers: { 'content-type': 'application/x-protobuf' },
          });
          await res.arrayBuffer();
          if (res.status === 200) for (let i = 0; i < spansPerRequest; i++) acked.add(`${b}:${i}`);
        } catch {
          // the connection died with the process: not acknowledged
        }
      }
    };
    const senders = Array.from({ length: 4 }, sender);
    while (acked.size < 6000) await new Promise((r) => setTimeout(r, 20));
    first.proc.kill('SIGKILL');
    killed = true;
    await Promise.all(senders);
    await exited(first.proc);
    assert.equal(first.proc.signalCode, 'SIGKILL');
    const spoolFiles = fs.readdirSync(path.join(home, 'spool')).filter((f) => f.endsWith('.spool'));
    assert.ok(spoolFiles.length > 0, 'the kill left spool segments to replay');

    const second = await startChild(home);
    try {
      assert.ok(second.replayedRows > 0, `replayed ${second.replayedRows} rows`);
      const rows = await query<{ SpanId: string; n: string }>(
        second.storeUrl,
        "SELECT SpanId, count() AS n FROM otel_traces WHERE ServiceName = 'crash-test' GROUP BY SpanId",
      );
      const stored = new Map(rows.map((r) => [r.SpanId, Number(r.n)]));
      let missing = 0;
      for (const key of acked) {
        const [b, i] = key.split(':').map(Number);
        const id = Buffer.alloc(8);
        id.writeUInt32BE(b + 1, 0);
        id.writeUInt32BE(i + 1, 4);
        if (!stored.has(id.toString('hex'))) missing++;
      }
      assert.equal(missing, 0, `${missing} of ${acked.size} acknowledged spans are missing`);
      // At-least-once: only a block whose insert completed in ClickHouse but whose completion the
      // killed process had not yet recorded (.acks) is inserted twice: at most one block per table.
      const duplicates = [...stored.values()].reduce((a, n) => a + n - 1, 0);
      assert.ok(duplicates <= 2000, `duplicates ${duplicates} exceed one insert block (2000 rows)`);
      t.diagnostic(
        `acknowledged ${acked.size} spans, replayed ${second.replayedRows} rows, ${duplicates} duplicates`,
      );
      assert.deepEqual(
        fs.readdirSync(path.join(home, 'spool')).filter((f) => spoolFiles.includes(f)),
        [],
      );
    } finally {
      second.proc.kill('SIGTERM');
      await exited(second.proc);
    }
    assert.equal(second.proc.exitCode, 0, second.stderr());
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

function spawnChild(home: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [child, home], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
}

test('SIGKILL during the spool replay re-inserts at most one block', { timeout: 180_000 }, async (t) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-crash-replay-'));
  try {
    // 1. Everything acknowledged stays in the spool: no table is ever due before the kill.
    const first = await startChild(home, { CHILD_BATCH_ROWS: '1000000', CHILD_FLUSH_MS: '600000' });
    const spansPerRequest = 250;
    const requests = 160;
    let next = 0;
    const sender = async () => {
      while (next < requests) {
        const b = next++;
        const res = await fetch(`${first.url}/v1/traces`, {
          method: 'POST',
          body: body(b, spansPerRequest),
          headers: { 'content-type': 'application/x-protobuf' },
        });
        await res.arrayBuffer();
        assert.equal(res.status, 200);
      }
    };
    await Promise.all(Array.from({ length: 4 }, sender));
    first.proc.kill('SIGKILL');
    await exited(first.proc);
    const spoolDir = path.join(home, 'spool');
    const segment = fs.readdirSync(spoolDir).find((f) => f.endsWith('.spool'));
    assert.ok(segment, 'the kill left a spool segment');
    const acks = path.join(spoolDir, segment.replace(/\.spool$/, '.acks'));
    assert.ok(!fs.existsSync(acks), 'nothing was inserted before the kill');

    // 2. The replay inserts 500-row blocks (two requests each) and records each one in .acks; kill it midway.
    const blockRows = 500;
    const second = spawnChild(home, { CHILD_BATCH_ROWS: String(blockRows) });
    let listening = false;
    second.stdout!.on('data', () => {
      listening = true;
    });
    const deadline = Date.now() + 120_000;
    const entriesPerBlock = blockRows / spansPerRequest;
    while (Date.now() < deadline && !listening) {
      const size = fs.existsSync(acks) ? fs.statSync(acks).size : 0;
      if (size >= 5 * entriesPerBlock * 4) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    second.kill('SIGKILL');
    await exited(second);
    assert.ok(!listening, 'the replay finished before the kill: nothing was tested');
    const ackedBlocks = fs.statSync(acks).size / 4 / entriesPerBlock;
    assert.ok(fs.existsSync(path.join(spoolDir, segment)), 'the segment survives an interrupted replay');

    // 3. A third start replays what the second did not record: every span once, save one block.
    const third = await startChild(home);
    try {
      const rows = await query<{ SpanId: string; n: string }>(
        third.storeUrl,
        "SELECT SpanId, count() AS n FROM otel_traces WHERE ServiceName = 'crash-test' GROUP BY SpanId",
      );
      assert.equal(rows.length, requests * spansPerRequest, 'every acknowledged span is stored');
      const duplicates = rows.reduce((a, r) => a + Number(r.n) - 1, 0);
      t.diagnostic(
        `the second start recorded ${ackedBlocks} blocks before the kill; the third replayed ${third.replayedRows} rows; ${duplicates} duplicates`,
      );
      assert.ok(
        duplicates <= blockRows,
        `duplicates ${duplicates} exceed one replay block (${blockRows} rows)`,
      );
      assert.ok(!fs.existsSync(path.join(spoolDir, segment)), 'the replayed segment is deleted');
    } finally {
      third.proc.kill('SIGTERM');
      await exited(third.proc);
    }
    assert.equal(third.proc.exitCode, 0, third.stderr());
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
