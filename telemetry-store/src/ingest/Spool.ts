// Write-ahead spool: every accepted request is appended here before it is acknowledged, and a
// segment is deleted only once every row taken from it is in ClickHouse. On start the segments
// left by a crash are read back and replayed, so an acknowledged request survives SIGKILL.
//
// Segment file `seg-<seq>.spool`: records of [magic u32][length u32][crc32 u32][signal u8]
// [json u8][2 reserved] + payload (the decompressed request body). A torn tail (the process died
// mid-write, so that request was never acknowledged) fails its length or CRC check and is ignored.
// Beside each segment, `seg-<seq>.acks` lists (u32 LE) the records whose rows are all inserted,
// so a replay skips them: duplicates are limited to a crash between an insert and that append.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Signal } from './mappedRows.ts';

const MAGIC = 0x4d425350; // "MBSP"
const HEADER = 16;
const SIGNAL_CODES: Signal[] = ['traces', 'metrics', 'logs'];

/** When the spool calls fdatasync before a request is acknowledged. */
export type FsyncPolicy = 'always' | 'never';

/** One request read back from a segment. */
export interface SpoolRecord {
  signal: Signal;
  json: boolean;
  payload: Buffer;
}

interface Segment {
  seq: number;
  file: string;
  fd: number | undefined;
  bytes: number;
  pendingRows: number;
  sealed: boolean;
  records: number;
  /** Rows not yet inserted, by record index. */
  pendingByRecord: Map<number, number>;
  /** Records completed since the last ack write. */
  newAcks: number[];
}

/** Where a spooled request sits: its segment and its index in it. */
export interface SpoolPosition {
  seq: number;
  index: number;
}

function acksFile(file: string): string {
  return file.replace(/\.spool$/, '.acks');
}

/** Counters the ingest reports. */
export interface SpoolStats {
  bytes: number;
  segments: number;
  fsyncs: number;
}

export class Spool {
  readonly dir: string;
  readonly fsync: FsyncPolicy;
  readonly segmentBytes: number;
  #segments = new Map<number, Segment>();
  #active: Segment | undefined;
  #nextSeq = 1;
  #bytes = 0;
  #fsyncs = 0;
  #syncWaiters: (() => void)[] = [];
  #syncing: Segment | undefined;

  constructor(dir: string, options: { fsync: FsyncPolicy; segmentBytes: number }) {
    this.dir = dir;
    this.fsync = options.fsync;
    this.segmentBytes = options.segmentBytes;
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Segments left on disk by a previous process, oldest first (orphaned .acks files are removed). */
  leftover(): { seq: number; file: string }[] {
    const names = fs.readdirSync(this.dir);
    const found = names
      .map((name) => /^seg-(\d+)\.spool$/.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ seq: Number(m[1]), file: path.join(this.dir, m[0]) }))
      .sort((a, b) => a.seq - b.seq);
    for (const name of names) {
      const m = /^(seg-\d+)\.acks$/.exec(name);
      if (m && !names.includes(`${m[1]}.spool`)) fs.rmSync(path.join(this.dir, name), { force: true });
    }
    for (const f of found) this.#nextSeq = Math.max(this.#nextSeq, f.seq + 1);
    return found;
  }

  /** Record indexes of a segment already inserted (from its .acks file). */
  static acked(file: string): Set<number> {
    const done = new Set<number>();
    try {
      const buf = fs.readFileSync(acksFile(file));
      for (let off = 0; off + 4 <= buf.length; off += 4) done.add(buf.readUInt32LE(off));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return done;
  }

  /** Reads the complete records of a segment file; stops at the first torn or corrupt record. */
  static read(file: string): { records: SpoolRecord[]; tornBytes: number } {
    const buf = fs.readFileSync(file);
    const records: SpoolRecord[] = [];
    let off = 0;
    while (off + HEADER <= buf.length) {
      const len = buf.readUInt32LE(off + 4);
      if (buf.readUInt32LE(off) !== MAGIC || off + HEADER + len > buf.length) break;
      const payload = buf.subarray(off + HEADER, off + HEADER + len);
      if (zlib.crc32(payload) !== buf.readUInt32LE(off + 8)) break;
      const signal = SIGNAL_CODES[buf[off + 12]];
      if (signal === undefined) break;
      records.push({ signal, json: buf[off + 13] === 1, payload });
      off += HEADER + len;
    }
    return { records, tornBytes: buf.length - off };
  }

  /** Deletes a left-over segment once its rows are inserted. */
  remove(file: string): void {
    fs.rmSync(acksFile(file), { force: true });
    fs.rmSync(file, { force: true });
  }

  /**
   * Appends one request and returns its segment's number; the write reaches the OS before this
   * returns (survives a process kill). Call `durable()` before acknowledging for the fsync policy.
   */
  append(signal: Signal, json: boolean, payload: Uint8Array): SpoolPosition {
    let seg = this.#active;
    if (seg === undefined || seg.bytes >= this.segmentBytes) {
      this.rotate();
      seg = this.#open();
    }
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(payload.length, 4);
    header.writeUInt32LE(zlib.crc32(payload), 8);
    header[12] = SIGNAL_CODES.indexOf(signal);
    header[13] = json ? 1 : 0;
    header[14] = 0;
    header[15] = 0;
    fs.writevSync(seg.fd!, [header, payload]);
    const n = HEADER + payload.length;
    seg.bytes += n;
    this.#bytes += n;
    return { seq: seg.seq, index: seg.records++ };
  }

  /** Resolves once everything appended so far is on stable storage (group commit: one fdatasync serves all waiters). */
  durable(): Promise<void> {
    if (this.fsync === 'never') return Promise.resolve();
    return new Promise((resolve) => {
      this.#syncWaiters.push(resolve);
      if (this.#syncing === undefined) this.#runSync();
    });
  }

  #runSync(): void {
    const seg = this.#active;
    const waiters = this.#syncWaiters;
    this.#syncWaiters = [];
    if (seg?.fd === undefined) {
      for (const w of waiters) w();
      return;
    }
    this.#syncing = seg;
    fs.fdatasync(seg.fd, () => {
      this.#fsyncs++;
      this.#syncing = undefined;
      if (seg.sealed) this.#closeFd(seg);
      for (const w of waiters) w();
      if (this.#syncWaiters.length > 0) this.#runSync();
    });
  }

  /** Adds rows taken from a spooled request that are now queued for insert. */
  hold(pos: SpoolPosition, rows: number): void {
    const seg = this.#segments.get(pos.seq);
    if (seg === undefined) return;
    seg.pendingRows += rows;
    seg.pendingByRecord.set(pos.index, (seg.pendingByRecord.get(pos.index) ?? 0) + rows);
  }

  /**
   * Rows of a spooled request were inserted (or given up on). A request with nothing pending is
   * noted for the .acks file (written by `writeAcks()`); a sealed segment with nothing pending is deleted.
   */
  release(pos: SpoolPosition, rows: number): void {
    const seg = this.#segments.get(pos.seq);
    if (seg === undefined) return;
    seg.pendingRows -= rows;
    const left = (seg.pendingByRecord.get(pos.index) ?? 0) - rows;
    if (left > 0) seg.pendingByRecord.set(pos.index, left);
    else {
      seg.pendingByRecord.delete(pos.index);
      seg.newAcks.push(pos.index);
    }
    if (seg.sealed && seg.pendingRows <= 0) this.#delete(seg);
  }

  /** Appends the requests completed since the last call to their segments' .acks files. */
  writeAcks(): void {
    for (const seg of this.#segments.values()) {
      if (seg.newAcks.length === 0) continue;
      const buf = Buffer.allocUnsafe(seg.newAcks.length * 4);
      seg.newAcks.forEach((index, i) => {
        buf.writeUInt32LE(index, i * 4);
      });
      seg.newAcks = [];
      fs.appendFileSync(acksFile(seg.file), buf);
    }
  }

  /** Seals the active segment so that it can be deleted once its rows are inserted. */
  rotate(): void {
    const seg = this.#active;
    if (seg === undefined) return;
    this.#active = undefined;
    seg.sealed = true;
    // Waiters queued for the next group fsync may have data here: sync it before it stops being active.
    if (this.fsync === 'always' && seg.fd !== undefined) fs.fdatasyncSync(seg.fd);
    if (this.#syncing !== seg) this.#closeFd(seg);
    if (seg.pendingRows <= 0) this.#delete(seg);
  }

  /** True when the active segment has data (the batcher rotates on its flush tick). */
  get activeHasData(): boolean {
    return (this.#active?.bytes ?? 0) > 0;
  }

  stats(): SpoolStats {
    return { bytes: this.#bytes, segments: this.#segments.size, fsyncs: this.#fsyncs };
  }

  /** Closes the files; segments with rows still pending stay on disk for the next start to replay. */
  close(): void {
    for (const seg of this.#segments.values()) this.#closeFd(seg);
    if (this.#active && this.#active.pendingRows <= 0) this.#delete(this.#active);
    this.#active = undefined;
  }

  #open(): Segment {
    const seq = this.#nextSeq++;
    const file = path.join(this.dir, `seg-${String(seq).padStart(10, '0')}.spool`);
    const seg: Segment = {
      seq,
      file,
      fd: fs.openSync(file, 'a'),
      bytes: 0,
      pendingRows: 0,
      sealed: false,
      records: 0,
      pendingByRecord: new Map(),
      newAcks: [],
    };
    this.#segments.set(seq, seg);
    this.#active = seg;
    return seg;
  }

  #closeFd(seg: Segment): void {
    if (seg.fd !== undefined) {
      fs.closeSync(seg.fd);
      seg.fd = undefined;
    }
  }

  #delete(seg: Segment): void {
    seg.sealed = true;
    if (this.#syncing !== seg) this.#closeFd(seg);
    this.#segments.delete(seg.seq);
    this.#bytes -= seg.bytes;
    // Off the event loop: unlinking is slow on some filesystems and nothing waits for it.
    // The segment goes first: an .acks file without its segment is harmless, the reverse is not.
    fs.rm(seg.file, { force: true }, () => fs.rm(acksFile(seg.file), { force: true }, () => {}));
  }
}
