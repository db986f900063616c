// The exclusive owner lock of an embedded store: `$MARKETBENCH_HOME/clickhouse.lock` holds
// the owner's pid, created atomically (O_EXCL). chDB itself refuses a second process on the
// same directory, but only with an opaque error; this lock names the owner and lets
// openStore() route other processes through it (owner.json: where it serves ClickHouse's HTTP
// interface) instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoreOwner } from '../types.ts';

/** File names inside MARKETBENCH_HOME. */
export const HOME_FILES = {
  lock: 'clickhouse.lock',
  owner: 'owner.json',
  data: 'clickhouse',
} as const;

/** What the lock file records. */
export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
}

/** A held lock; release() removes the file if it is still ours. */
export interface OwnerLock {
  readonly path: string;
  release(): void;
}

/** Result of trying to take the lock: either held, or the live process that holds it. */
export type LockAttempt = { ok: true; lock: OwnerLock } | { ok: false; holder: LockInfo };

/** True when a process with this pid exists (EPERM means it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes `<home>/clickhouse.lock` atomically. A lock left by a dead process (or unreadable
 * garbage) is stale and replaced; a lock whose pid is alive is reported as the holder.
 */
export function tryAcquireOwnerLock(home: string): LockAttempt {
  fs.mkdirSync(home, { recursive: true });
  const file = path.join(home, HOME_FILES.lock);
  const info: LockInfo = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // Write to a private temp file, then link(): the lock appears atomically with its content.
      const tmp = `${file}.${process.pid}.${Date.now()}`;
      fs.writeFileSync(tmp, `${JSON.stringify(info)}\n`);
      try {
        fs.linkSync(tmp, file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw err;
        // No hard links on this filesystem: O_EXCL create, content written right after.
        fs.writeFileSync(file, `${JSON.stringify(info)}\n`, { flag: 'wx' });
      } finally {
        fs.rmSync(tmp, { force: true });
      }
      return { ok: true, lock: makeLock(file) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLock(file);
    // A pid on another host cannot be probed: treat it as live rather than risk two owners.
    if (holder && (holder.hostname !== os.hostname() || pidAlive(holder.pid))) return { ok: false, holder };
    // Stale: the owner died without releasing. Remove it only if it is still the same file.
    try {
      const again = readLock(file);
      if (again?.pid === holder?.pid) fs.rmSync(file, { force: true });
    } catch {
      // another process won the race; loop and re-read
    }
  }
  const holder = readLock(file);
  return { ok: false, holder: holder ?? { pid: 0, hostname: os.hostname(), startedAt: '' } };
}

function makeLock(file: string): OwnerLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    if (readLock(file)?.pid === process.pid) fs.rmSync(file, { force: true });
  };
  // A normal exit (including process.exit) releases; SIGKILL leaves a stale lock the next owner replaces.
  process.on('exit', release);
  return { path: file, release };
}

/** Publishes where this process serves the store, so other processes reach the data through it. */
export function publishStoreOwner(home: string, url: string, ingestUrl?: string): () => void {
  const file = path.join(path.resolve(home), HOME_FILES.owner);
  const owner: StoreOwner = { pid: process.pid, url, ...(ingestUrl ? { ingest: ingestUrl } : {}) };
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(owner)}\n`);
  fs.renameSync(tmp, file);
  let done = false;
  const unpublish = (): void => {
    if (done) return;
    done = true;
    process.removeListener('exit', unpublish);
    if (readOwner(home)?.pid === process.pid) fs.rmSync(file, { force: true });
  };
  process.on('exit', unpublish);
  return unpublish;
}

/** Reads owner.json; undefined when absent, malformed, or its process is gone. */
export function readOwner(home: string): StoreOwner | undefined {
  try {
    const owner = JSON.parse(
      fs.readFileSync(path.join(path.resolve(home), HOME_FILES.owner), 'utf8'),
    ) as StoreOwner;
    if (typeof owner.pid !== 'number' || typeof owner.url !== 'string') return undefined;
    return pidAlive(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}
