// A one-pass OTLP/protobuf encoder for ExportTraceServiceRequest. The stock serializer walks every
// span twice (a size estimate, then the write) and decodes each hex id twice; this writes once
// into a growing buffer, back-patching each length (nested messages reserve one byte and shift
// when they turn out longer), decodes ids through a table, writes ASCII strings byte by byte and
// encodes the resource and scope of a batch once. Field numbers follow
// opentelemetry/proto/trace/v1/trace.proto; the test decodes the output with the generated
// protobuf code and compares it with the stock serializer's.

import type { Attributes, AttributeValue, HrTime, Link } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

// Hex digit values; anything else decodes as 0 (ids are validated hex before they get here).
const HEX_VALUE = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[97 + i] = 10 + i;
  HEX_VALUE[65 + i] = 10 + i;
}

const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** Growable protobuf writer. */
export class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    while (v > 0x7f) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[this.pos++] = v;
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** Unix nanoseconds of an HrTime as fixed64, exact (no float rounding above 2^53). */
  hrTime(t: HrTime): void {
    const seconds = t[0];
    const nanos = t[1];
    const secHi = Math.floor(seconds / 65536);
    const secLo = seconds % 65536;
    const a = secHi * 1e9; // < 2^46, to be shifted left by 16
    const aHi = Math.floor(a / 65536);
    const aLo = a % 65536;
    const c = aLo * 65536 + secLo * 1e9 + nanos; // exact, < 2^48
    const low = c % 4294967296;
    const high = aHi + Math.floor(c / 4294967296);
    this.ensure(8);
    this.buf.writeUInt32LE(low, this.pos);
    this.buf.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** Length-delimited string (tag already written). */
  string(s: string): void {
    const n = s.length;
    this.ensure(n * 3 + 10);
    // ASCII fast path: length byte(s) then the characters; restart through Buffer.write otherwise.
    const start = this.pos;
    this.varint(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        this.pos = start;
        const bytes = Buffer.byteLength(s, 'utf8');
        this.varint(bytes);
        this.buf.write(s, this.pos, 'utf8');
        this.pos += bytes;
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** Length-delimited bytes of a hex id (tag already written). */
  hexId(hex: string): void {
    const n = hex.length >>> 1;
    this.ensure(n + 1);
    const buf = this.buf;
    buf[this.pos++] = n;
    for (let i = 0; i < n; i++) {
      buf[this.pos++] =
        ((HEX_VALUE[hex.charCodeAt(2 * i) & 0x7f] ?? 0) << 4) |
        (HEX_VALUE[hex.charCodeAt(2 * i + 1) & 0x7f] ?? 0);
    }
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Starts a length-delimited message (tag already written); returns the mark for `end`. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the length of the message started at `mark`, shifting its body when it needs more than one byte. */
  end(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 128) {
      this.buf[mark] = len;
      return;
    }
    let size = 1;
    for (let v = len; v > 0x7f; v = Math.floor(v / 128)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(mark + size, mark + 1, this.pos);
    let v = len;
    let p = mark;
    while (v > 0x7f) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[p] = v;
    this.pos += size - 1;
  }
}

function anyValue(w: Writer, v: unknown): void {
  switch (typeof v) {
    case 'string':
      w.tag(1, 2);
      w.string(v);
      return;
    case 'boolean':
      w.tag(2, 0);
      w.varint(v ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
        w.tag(3, 0);
        w.varint(v);
      } else if (Number.isInteger(v) && v < 0 && v >= Number.MIN_SAFE_INTEGER) {
        // int64 two's complement as a 10-byte varint
        w.tag(3, 0);
        const big = BigInt.asUintN(64, BigInt(v));
        w.ensure(10);
        let b = big;
        while (b > 0x7fn) {
          w.buf[w.pos++] = Number(b & 0x7fn) | 0x80;
          b >>= 7n;
        }
        w.buf[w.pos++] = Number(b);
      } else {
        w.tag(4, 1);
        w.double(v);
      }
      return;
    case 'object': {
      if (Array.isArray(v)) {
        w.tag(5, 2);
        const arr = w.begin();
        for (const e of v) {
          w.tag(1, 2);
          const m = w.begin();
          if (e !== null && e !== undefined) anyValue(w, e);
          w.end(m);
        }
        w.end(arr);
        return;
      }
      if (v instanceof Uint8Array) {
        w.tag(7, 2);
        w.varint(v.length);
        w.raw(v);
        return;
      }
      if (v !== null) {
        w.tag(6, 2);
        const list = w.begin();
        attributes(w, v as Attributes, 1);
        w.end(list);
      }
      return;
    }
    default:
      return;
  }
}

function attributes(w: Writer, attrs: Attributes, field: number): void {
  for (const key in attrs) {
    const value = attrs[key] as AttributeValue | undefined;
    if (value === undefined) continue;
    w.tag(field, 2);
    const kv = w.begin();
    w.tag(1, 2);
    w.string(key);
    w.tag(2, 2);
    const av = w.begin();
    anyValue(w, value);
    w.end(av);
    w.end(kv);
  }
}

function flags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

function event(w: Writer, e: TimedEvent): void {
  const m = w.begin();
  w.tag(1, 1);
  w.hrTime(e.time);
  w.tag(2, 2);
  w.string(e.name);
  if (e.attributes) attributes(w, e.attributes, 3);
  if (e.droppedAttributesCount) {
    w.tag(4, 0);
    w.varint(e.droppedAttributesCount);
  }
  w.end(m);
}

function link(w: Writer, l: Link): void {
  const m = w.begin();
  w.tag(1, 2);
  w.hexId(l.context.traceId);
  w.tag(2, 2);
  w.hexId(l.context.spanId);
  const ts = l.context.traceState?.serialize();
  if (ts) {
    w.tag(3, 2);
    w.string(ts);
  }
  if (l.attributes) attributes(w, l.attributes, 4);
  if (l.droppedAttributesCount) {
    w.tag(5, 0);
    w.varint(l.droppedAttributesCount);
  }
  w.tag(6, 5);
  w.fixed32(flags(l.context.traceFlags, l.context.isRemote));
  w.end(m);
}

function span(w: Writer, s: ReadableSpan): void {
  const m = w.begin();
  const ctx = s.spanContext();
  w.tag(1, 2);
  w.hexId(ctx.traceId);
  w.tag(2, 2);
  w.hexId(ctx.spanId);
  const ts = ctx.traceState?.serialize();
  if (ts) {
    w.tag(3, 2);
    w.string(ts);
  }
  const parent = s.parentSpanContext;
  if (parent?.spanId) {
    w.tag(4, 2);
    w.hexId(parent.spanId);
  }
  w.tag(5, 2);
  w.string(s.name);
  if (s.kind != null) {
    w.tag(6, 0);
    w.varint(s.kind + 1);
  }
  w.tag(7, 1);
  w.hrTime(s.startTime);
  w.tag(8, 1);
  w.hrTime(s.endTime);
  attributes(w, s.attributes, 9);
  if (s.droppedAttributesCount) {
    w.tag(10, 0);
    w.varint(s.droppedAttributesCount);
  }
  for (const e of s.events) {
    w.tag(11, 2);
    event(w, e);
  }
  if (s.droppedEventsCount) {
    w.tag(12, 0);
    w.varint(s.droppedEventsCount);
  }
  for (const l of s.links) {
    w.tag(13, 2);
    link(w, l);
  }
  if (s.droppedLinksCount) {
    w.tag(14, 0);
    w.varint(s.droppedLinksCount);
  }
  w.tag(15, 2);
  const st = w.begin();
  if (s.status.message) {
    w.tag(2, 2);
    w.string(s.status.message);
  }
  if (s.status.code) {
    w.tag(3, 0);
    w.varint(s.status.code);
  }
  w.end(st);
  w.tag(16, 5);
  w.fixed32(flags(ctx.traceFlags, parent?.isRemote));
  w.end(m);
}

function resourceMessage(w: Writer, resource: Resource): void {
  const m = w.begin();
  attributes(w, resource.attributes, 1);
  w.end(m);
}

function scopeMessage(w: Writer, scope: InstrumentationScope): void {
  const m = w.begin();
  w.tag(1, 2);
  w.string(scope.name);
  if (scope.version) {
    w.tag(2, 2);
    w.string(scope.version);
  }
  w.end(m);
}

const scopeKeys = new WeakMap<InstrumentationScope, string>();

function scopeKey(scope: InstrumentationScope): string {
  let key = scopeKeys.get(scope);
  if (key === undefined) {
    key = `${scope.name}\u0000${scope.version ?? ''}\u0000${scope.schemaUrl ?? ''}`;
    scopeKeys.set(scope, key);
  }
  return key;
}

interface ScopeGroup {
  scope: InstrumentationScope;
  spans: Writer;
}

/**
 * Spans encoded as they end, grouped by resource and scope, assembled into one
 * ExportTraceServiceRequest by `finish()`. Holding bytes instead of span objects lets the spans
 * die young: on a 2-core machine the GC work of keeping thousands of ended spans alive until
 * their batch is exported cost more CPU than encoding them.
 */
export class SpanBatch {
  /** Spans added. */
  count = 0;
  readonly #groups = new Map<Resource, Map<string, ScopeGroup>>();
  readonly #initialBytes: number;

  constructor(initialBytes = 64 * 1024) {
    this.#initialBytes = initialBytes;
  }

  /** Resources of the spans added (their async attributes must settle before `finish`). */
  resources(): Resource[] {
    return [...this.#groups.keys()];
  }

  /** Encodes one span into the batch. */
  add(s: ReadableSpan): void {
    let scopes = this.#groups.get(s.resource);
    if (!scopes) {
      scopes = new Map();
      this.#groups.set(s.resource, scopes);
    }
    const key = scopeKey(s.instrumentationScope);
    let group = scopes.get(key);
    if (!group) {
      group = { scope: s.instrumentationScope, spans: new Writer(this.#initialBytes) };
      scopes.set(key, group);
    }
    const w = group.spans;
    const mark = w.pos;
    try {
      w.tag(2, 2);
      span(w, s);
    } catch (err) {
      w.pos = mark; // a span that cannot be encoded leaves no partial bytes behind
      throw err;
    }
    this.count++;
  }

  /** The ExportTraceServiceRequest bytes. */
  finish(): Uint8Array {
    let size = 64;
    for (const scopes of this.#groups.values()) for (const g of scopes.values()) size += g.spans.pos + 256;
    const w = new Writer(size);
    for (const [resource, scopes] of this.#groups) {
      w.tag(1, 2);
      const rs = w.begin();
      w.tag(1, 2);
      resourceMessage(w, resource);
      for (const { scope, spans } of scopes.values()) {
        w.tag(2, 2);
        const ss = w.begin();
        w.tag(1, 2);
        scopeMessage(w, scope);
        w.raw(spans.buf.subarray(0, spans.pos));
        if (scope.schemaUrl) {
          w.tag(3, 2);
          w.string(scope.schemaUrl);
        }
        w.end(ss);
      }
      if (resource.schemaUrl) {
        w.tag(3, 2);
        w.string(resource.schemaUrl);
      }
      w.end(rs);
    }
    return w.buf.subarray(0, w.pos);
  }
}

/** Encodes spans as one ExportTraceServiceRequest (grouped by resource, then scope). */
export function encodeSpans(spans: readonly ReadableSpan[]): Uint8Array {
  const batch = new SpanBatch(256 + spans.length * 300);
  for (const s of spans) batch.add(s);
  return batch.finish();
}
