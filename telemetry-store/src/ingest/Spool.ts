// Write-ahead spool: every accepted request is appended here before it is acknowledged, and a
// segment is deleted only once every row taken from it is in ClickHouse. On start the segments
// left by a crash are read back and replayed, so an acknowledged request survives SIGKILL.
//
// Segment file `seg-<seq>.spool`: records of [magic u32][length u32][crc32 u32][signal u8]
// [json u8][2 reserved] + payload (the decompressed request body). A torn tail (the process died
// mid-write, so that request was never acknowledged) fails its length or CRC check and is ignored.
// Beside each segment, `seg-<seq>.acks` lists (u32 LE) what is inserted, per record and table:
// `(table code + 1) << 27 | record index` once that record's rows for that table are in (a bare
// index, as older versions wrote, means all its tables). A replay skips them, and records its own
// progress the same way after each block, so a kill at any moment (live or during a replay)
// re-inserts at most the one block whose insert had completed but was not yet recorded. A request
// spanning tables (a metrics export: gauge, sum, histogram rows) is recorded table by table, so a
// table inserted before the kill is not inserted again with the others.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { OTEL_TABLES } from '@marketbench/contracts';
import type { OtelTable, Signal } from './mappedRows.ts';

const MAGIC = 0x4d425350; // "MBSP"
const HEADER = 16;
const SIGNAL_CODES: Signal[] = ['traces', 'metrics', 'logs'];
// On-disk codes of the tables in .acks entries: append only, never reorder.
const TABLE_CODES: OtelTable[] = [
  OTEL_TABLES.traces,
  OTEL_TABLES.logs,
  OTEL_TABLES.metricsGauge,
  OTEL_TABLES.metricsSum,
  OTEL_TABLES.metricsHistogram,
  OTEL_TABLES.metricsExponentialHistogram,
  OTEL_TABLES.metricsSummary,
];
const INDEX_BITS = 27;
/** Records per segment (the index must fit in an .acks entry). */
const MAX_RECORDS = 2 ** INDEX_BITS;

function ackEntry(index: number, table: OtelTable): number {
  return ((TABLE_CODES.indexOf(table) + 1) << INDEX_BITS) | index;
}

/** What a segment's .acks file says is inserted. */
export class AckSet {
  readonly #whole = new Set<number>();
  readonly #perTable = new Set<number>();
  /** Adds one .acks entry. */
  add(entry: number): void {
    if (entry >>> INDEX_BITS === 0) this.#whole.add(entry);
    else this.#perTable.add(entry >>> 0);
  }
  /** True when the rows of record `index` for `table` are inserted. */
  has(index: number, table: OtelTable): boolean {
    return this.#whole.has(index) || this.#perTable.has(ackEntry(index, table) >>> 0);
  }
  /** Entries read. */
  get size(): number {
    return this.#whole.size + this.#perTable.size;
  }
}

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
  /** Rows not yet inserted, by .acks entry (record index and table). */
  pendingByRecord: Map<number, number>;
  /** .acks entries completed since the last ack write. */
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

  /** What of a segment is already inserted (from its .acks file). */
  static acked(file: string): AckSet {
    const done = new AckSet();
    try {
      const buf = fs.readFileSync(acksFile(file));
      for (let off = 0; off + 4 <= buf.length; off += 4) done.add(buf.readUInt32LE(off));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return done;
  }

  /** Records in a left-over segment's .acks file that these records' rows for `table` are inserted (replay). */
  static recordAcks(file: string, table: OtelTable, indexes: readonly number[]): void {
    if (indexes.length === 0) return;
    const buf = Buffer.allocUnsafe(indexes.length * 4);
    indexes.forEach((index, i) => {
      buf.writeUInt32LE(ackEntry(index, table) >>> 0, i * 4);
    });
    fs.appendFileSync(acksFile(file), buf);
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
    if (seg === undefined || seg.bytes >= this.segmentBytes || seg.records >= MAX_RECORDS) {
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

  /** Adds rows of a spooled request, for one table, that are now queued for insert. */
  hold(pos: SpoolPosition, table: OtelTable, rows: number): void {
    const seg = this.#segments.get(pos.seq);
    if (seg === undefined) return;
    seg.pendingRows += rows;
    const key = ackEntry(pos.index, table);
    seg.pendingByRecord.set(key, (seg.pendingByRecord.get(key) ?? 0) + rows);
  }

  /**
   * Rows of a spooled request for one table were inserted. When none of that table is pending
   * any more it is noted for the .acks file (written by `writeAcks()`); a sealed segment with
   * nothing pending is deleted.
   */
  release(pos: SpoolPosition, table: OtelTable, rows: number): void {
    const seg = this.#segments.get(pos.seq);
    if (seg === undefined) return;
    seg.pendingRows -= rows;
    const key = ackEntry(pos.index, table);
    const left = (seg.pendingByRecord.get(key) ?? 0) - rows;
    if (left > 0) seg.pendingByRecord.set(key, left);
    else {
      seg.pendingByRecord.delete(key);
      seg.newAcks.push(key);
    }
    if (seg.sealed && seg.pendingRows <= 0) this.#delete(seg);
  }

  /** Appends the requests completed since the last call to their segments' .acks files. */
  writeAcks(): void {
    for (const seg of this.#segments.values()) {
      if (seg.newAcks.length === 0) continue;
      const buf = Buffer.allocUnsafe(seg.newAcks.length * 4);
      seg.newAcks.forEach((entry, i) => {
        buf.writeUInt32LE(entry >>> 0, i * 4);
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
