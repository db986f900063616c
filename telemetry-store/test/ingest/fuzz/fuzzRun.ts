// Runs the fuzz cases against an ingest in a child process (so its RSS is its own) and checks
// what a user would notice: no crash, no 5xx, a problem+json answer naming what was wrong, the
// expected status for each hostile shape, a bounded peak RSS, nothing dropped, and every valid
// request answered 200 stored in ClickHouse.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import type { TestContext } from 'node:test';
import { Agent, request } from 'undici';
import { memoryCeilingBytes, resolveIngestOptions } from '../../../src/ingest/ingestOptions.ts';
import { type FuzzCase, fuzzCases } from './fuzzCases.ts';

const CHILD = path.join(import.meta.dirname, '..', 'ingestChild.ts');

/** How one run goes. */
export interface FuzzRun {
  bodies: number;
  seed: number;
  connections: number;
  /** MARKETBENCH_INGEST_* variables for the ingest under test (unset: the defaults). */
  env: Record<string, string>;
}

function rss(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
}

function* chunks(body: Buffer): Generator<Buffer> {
  for (let off = 0; off < body.length; off += 64 * 1024) yield body.subarray(off, off + 64 * 1024);
}

const MB = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

export async function runFuzz(t: TestContext, run: FuzzRun): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-fuzz-'));
  const env = { ...process.env, CHILD_BATCH_ROWS: '10000', CHILD_FLUSH_MS: '1000', ...run.env };
  // The limits the child resolves from the same environment.
  const saved = { ...process.env };
  Object.assign(process.env, run.env);
  const options = resolveIngestOptions();
  process.env = saved;
  const proc = spawn(process.execPath, [CHILD, home], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  proc.stderr!.on('data', (c) => {
    stderr = (stderr + c).slice(-20_000);
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: proc.stdout! }).once('line', resolve);
      proc.once('exit', (code) => reject(new Error(`ingest child exited ${code}: ${stderr}`)));
    });
    const { url, storeUrl } = JSON.parse(line) as { url: string; storeUrl: string };
    const atRest = rss(proc.pid!).rss;
    const { next, hostile } = fuzzCases(run.seed, {
      maxBodyBytes: options.maxBodyBytes,
      maxDecompressedBytes: options.maxDecompressedBytes,
      maxItems: options.maxItemsPerRequest,
      maxElements: options.maxElementsPerRequest,
      maxDepth: options.maxNestingDepth,
    });
    const agent = new Agent({ connections: run.connections, keepAliveTimeout: 10_000 });
    const tally = new Map<string, Record<number, number>>();
    const ackedSpans = new Set<string>();
    let ackedLogRows = 0;
    let sent = 0;
    const send = async (c: FuzzCase): Promise<void> => {
      for (let attempt = 0; ; attempt++) {
        const res = await request(`${url}${c.path}`, {
          method: 'POST',
          headers: c.headers,
          body: c.chunked ? Readable.from(chunks(c.body)) : c.body,
          dispatcher: agent,
          headersTimeout: 60_000,
          bodyTimeout: 60_000,
        });
        const text = await res.body.text();
        const counts = tally.get(c.kind) ?? {};
        counts[res.statusCode] = (counts[res.statusCode] ?? 0) + 1;
        tally.set(c.kind, counts);
        const what = `${c.kind} (${c.body.length} bytes${c.chunked ? ', chunked' : ''}) got ${res.statusCode}: ${text.slice(0, 300)}`;
        assert.ok(res.statusCode < 500, what);
        if (res.statusCode !== 200) {
          assert.equal(res.headers['content-type'], 'application/problem+json', what);
          assert.ok((JSON.parse(text) as { detail: string }).detail.length > 0, what);
        }
        if (res.statusCode === 429) {
          assert.ok(res.headers['retry-after'], what);
          // Only the valid requests are retried, as an exporter would; their data must land.
          if (c.expect?.includes(200) && c.spanIds !== undefined && attempt < 200) {
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          if (c.rows !== undefined && attempt < 200) {
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          return;
        }
        if (c.expect !== undefined)
          assert.ok(c.expect.includes(res.statusCode), `expected ${c.expect}: ${what}`);
        if (res.statusCode === 413 && JSON.parse(text).code === 'MB_ERR_INGEST_BODY_TOO_LARGE')
          assert.equal(res.headers.connection, 'close', `connection not closed after: ${what}`);
        if (res.statusCode === 200) {
          for (const id of c.spanIds ?? []) ackedSpans.add(id);
          if (c.rows !== undefined) ackedLogRows += c.rows.n;
        }
        return;
      }
    };
    // Every hostile shape at least once, then the random stream.
    for (const make of hostile) await send(make());
    const worker = async () => {
      while (sent < run.bodies) {
        sent++;
        await send(next());
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: run.connections }, worker));
    const seconds = (performance.now() - t0) / 1000;
    await agent.close();

    // Everything acknowledged is inserted once the queue drains.
    type Stats = {
      queuedRows: number;
      rows: Record<string, { received: number; inserted: number; rejected: number; dropped: number }>;
      responses: Record<string, number>;
    };
    let stats: Stats;
    for (let i = 0; ; i++) {
      stats = (await (await fetch(`${url}/marketbench/stats`)).json()) as Stats;
      if (stats.queuedRows === 0 || i > 600) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const memory = rss(proc.pid!);
    const ceiling = atRest + memoryCeilingBytes(options);
    const query = async (sql: string) => {
      const res = await fetch(`${storeUrl}/?default_format=JSONCompact`, { method: 'POST', body: sql });
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as { data: unknown[][] }).data;
    };
    const stored = new Set(
      (await query("SELECT SpanId FROM otel_traces WHERE ServiceName = 'fuzz-valid'")).map((r) =>
        String(r[0]),
      ),
    );
    const [[logRows]] = await query("SELECT count() FROM otel_logs WHERE ServiceName = 'fuzz-valid'");
    const [[surrogates]] = await query(
      "SELECT count() FROM otel_traces WHERE ServiceName LIKE 'fuzz-surrogate%' AND position(SpanName, '\\xEF\\xBF\\xBD') > 0",
    );
    t.diagnostic(
      `${run.bodies + hostile.length} bodies in ${seconds.toFixed(1)} s; responses ${JSON.stringify(stats.responses)}; ` +
        `peak RSS ${MB(memory.peak)} (at rest ${MB(atRest)}, documented ceiling ${MB(ceiling)}); ` +
        `${ackedSpans.size} valid spans and ${ackedLogRows} log rows acknowledged; ${surrogates} spans with lone surrogates stored as U+FFFD`,
    );
    for (const [kind, counts] of [...tally].sort()) t.diagnostic(`  ${kind}: ${JSON.stringify(counts)}`);
    for (const code of Object.keys(stats.responses))
      assert.ok(Number(code) < 500, `the ingest answered ${code}`);
    let missing = 0;
    for (const id of ackedSpans) if (!stored.has(id)) missing++;
    assert.equal(missing, 0, `${missing} of ${ackedSpans.size} acknowledged valid spans are not stored`);
    assert.equal(Number(logRows), ackedLogRows, 'acknowledged valid log records stored');
    assert.ok(Number(surrogates) > 0, 'spans with lone surrogates were stored');
    for (const [signal, c] of Object.entries(stats.rows)) {
      assert.equal(c.dropped, 0, `${signal}: rows dropped after acknowledgement`);
      assert.equal(c.inserted, c.received, `${signal}: every received row inserted`);
    }
    assert.ok(memory.peak <= ceiling, `peak RSS ${MB(memory.peak)} over the ceiling ${MB(ceiling)}`);
    assert.equal(proc.exitCode, null, 'the ingest is still running');
  } finally {
    proc.kill('SIGTERM');
    await exited(proc);
    fs.rmSync(home, { recursive: true, force: true });
  }
  assert.equal(proc.exitCode, 0, `the ingest did not stop cleanly: ${stderr}`);
}
