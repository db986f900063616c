// Starting a server binary (Prometheus, Alertmanager) as a child process on a free loopback
// port: wait until it answers its readiness URL, keep the tail of its log for the error message
// when it does not, and stop it with SIGTERM (then SIGKILL) so no test leaves one behind.

import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';

/** A free TCP port on 127.0.0.1 (the kernel's pick; the caller binds it right after). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A running server child. */
export interface ServerChild {
  /** Base URL (`http://127.0.0.1:PORT`). */
  readonly url: string;
  /** The last lines it logged. */
  logTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `command args` and waits (up to `timeoutMs`) for `readyPath` under `url` to answer 200.
 * Throws with the log tail when the process exits or never gets ready.
 */
export async function startServerChild(o: {
  name: string;
  command: string;
  args: string[];
  url: string;
  readyPath: string;
  timeoutMs?: number;
}): Promise<ServerChild> {
  const child: ChildProcess = spawn(o.command, o.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...d.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited (${signal ?? code})`;
      resolve();
    });
    child.once('error', (err) => {
      exited = `could not start: ${err.message}`;
      resolve();
    });
  });
  const stop = async (graceMs = 5000) => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    }
  };
  const logTail = () => lines.slice(-12).join('\n');
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  for (;;) {
    if (exited !== undefined) throw new Error(`${o.name} ${exited}:\n${logTail()}`);
    try {
      const res = await fetch(`${o.url}${o.readyPath}`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${o.name} did not get ready at ${o.url}${o.readyPath} in time:\n${logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url: o.url, logTail, stop };
}
