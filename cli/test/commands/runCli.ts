// Spawns the real `marketbench` command for CLI tests, and the telemetry-store fixture that
// owns a store in another process.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'cli', 'bin', 'marketbench.js');
const OWNER_FIXTURE = path.join(ROOT, 'telemetry-store', 'test', 'store', 'fixtures', 'holdStore.ts');

const homes: string[] = [];
const children: ChildProcess[] = [];
export function cleanup(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
}
export function tempHome(): string {
  const h = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-cli-store-'));
  homes.push(h);
  return h;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(args: string[], home: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, MARKETBENCH_HOME: home, ...extraEnv };
    delete env.CLICKHOUSE_URL;
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function startOwner(
  home: string,
  serve: boolean,
): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn(process.execPath, [OWNER_FIXTURE, home, serve ? 'serve' : ''], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`owner exited early with ${code}`)));
  });
  return { child, pid: (JSON.parse(line) as { pid: number }).pid };
}

export async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.stdin?.end();
  await exited;
}

/** Spawns `marketbench serve` (telemetry aimed at a closed port) and resolves once it printed its URL and admin token. */
export function serve(
  args: string[],
): Promise<{ child: ChildProcess; url: string; token: string; lines: string[] }> {
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', LOG_LEVEL: 'silent' };
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    let url = '';
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) url = m[1];
      const t = /^admin token: (\S+)/.exec(line);
      if (t) resolve({ child, url, token: t[1], lines });
    });
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
  });
}
