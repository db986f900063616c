// `marketbench up` as a user runs it: the stack comes up, prints its URLs and example commands,
// serves the seeded catalog and accepts OTLP, and stops cleanly on Ctrl-C (SIGINT).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/marketbench.js', import.meta.url));

test('marketbench up: URLs printed, service and ingest answer, SIGINT stops everything', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-up-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MARKETBENCH_HOME: home };
  delete env.CLICKHOUSE_URL;
  const child = spawn(process.execPath, [BIN, 'up', '--port', '0', '--ingest-port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "stack is up" within 60 s\n${stdout}\n${stderr}`)),
        60_000,
      );
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('marketbench query')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`up exited early\n${stderr}`)));
    });
    const service = /reference service\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    const ingest = /OTLP\/HTTP ingest\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    assert.ok(service && ingest, stdout);
    assert.match(stdout, /marketbench run smoke --target http:\/\/127\.0\.0\.1:\d+/);
    const listings = await fetch(`${service}/listings?limit=2`);
    assert.equal(listings.status, 200);
    assert.equal(((await listings.json()) as { items: unknown[] }).items.length, 2);
    // an empty OTLP/JSON export is accepted
    const otlp = await fetch(`${ingest}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
    });
    assert.equal(otlp.status, 200);
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /stopping/);
    // the ports are free again
    await assert.rejects(fetch(`${service}/listings?limit=1`));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  }
});
