// Turns OTLP scalars into the text the collector's ClickHouse exporter writes: attribute values
// stringified as pdata's `Value.AsString()` does (Go's encoding/json for maps and slices, ES6 number
// formatting for doubles), ids as lowercase hex, timestamps as nanoseconds since the epoch.

import type { AnyValue, Int64, KeyValue } from './otlpTypes.ts';

/** A row the mapper cannot write (bad id length and the like); the request answers with partial success. */
export class RowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowError';
  }
}

const TWO_32 = 4294967296;

/** Exact decimal text of an unsigned 64-bit integer (nanosecond timestamps exceed 2^53). */
export function uint64Text(v: Int64 | null | undefined): string {
  if (v == null) return '0';
  if (typeof v === 'number') {
    if (!(v > 0)) return '0';
    if (v < 2 ** 53) return String(Math.trunc(v));
    return Number.isFinite(v) ? BigInt.asUintN(64, BigInt(Math.trunc(v))).toString() : '0';
  }
  const high = v.high >>> 0;
  const low = v.low >>> 0;
  if (high === 0) return String(low);
  if (high < 0x200000) return String(high * TWO_32 + low);
  return ((BigInt(high) << 32n) | BigInt(low)).toString();
}

/** Exact decimal text of a signed 64-bit integer (pdata's `strconv.FormatInt`). */
export function int64Text(v: Int64 | null | undefined): string {
  if (v == null) return '0';
  if (typeof v === 'number') return String(Math.trunc(v));
  if (v.unsigned) return uint64Text(v);
  const n = v.high * TWO_32 + (v.low >>> 0);
  if (Number.isSafeInteger(n)) return String(n);
  return BigInt.asIntN(64, (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0)).toString();
}

/** A 64-bit integer as a float64, as Go's `float64(int64)` conversion does. */
export function int64ToNumber(v: Int64 | null | undefined): number {
  if (v == null) return 0;
  if (typeof v === 'number') return v;
  return v.unsigned ? (v.high >>> 0) * TWO_32 + (v.low >>> 0) : v.high * TWO_32 + (v.low >>> 0);
}

/** end - start in nanoseconds; exact for spans shorter than 104 days, clamped at 0 for inverted spans. */
export function durationNanos(start: Int64 | null | undefined, end: Int64 | null | undefined): number {
  let d: number;
  if (start == null || end == null || typeof start === 'number' || typeof end === 'number')
    d = int64ToNumber(end) - int64ToNumber(start);
  else d = ((end.high >>> 0) - (start.high >>> 0)) * TWO_32 + ((end.low >>> 0) - (start.low >>> 0));
  return Math.max(d, 0);
}

/** `Duration` as exact UInt64 text: end - start, 0 for an inverted span (a float would round past 2^53 and wrap in ClickHouse). */
export function durationText(start: Int64 | null | undefined, end: Int64 | null | undefined): string {
  const d = durationNanos(start, end);
  if (d < 2 ** 53) return String(d);
  const big = BigInt(uint64Text(end)) - BigInt(uint64Text(start));
  return big > 0n ? big.toString() : '0';
}

/**
 * An OTLP enum value as an int32: the protobuf decoder only yields int32s, but OTLP/JSON can carry
 * any number (`1e400` reads as Infinity, which is not JSON and not storable). Unknown int32 values
 * are kept, as proto3 open enums and the collector keep them.
 */
export function enumValue(v: number | null | undefined, what: string): number {
  if (v == null) return 0;
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647)
    throw new RowError(`${what} must be an int32 enum value, got ${v}`);
  return v;
}

// Reads the arrayValue/kvlistValue fields directly: the generated `value` oneof getter scans every
// member on each call, which made counting cost more than the rest of a span's mapping.
function nestedCount(v: AnyValue): number {
  const list = v.arrayValue?.values;
  if (list != null) {
    let n = list.length;
    for (let i = 0; i < list.length; i++) {
      const x = list[i];
      if (x != null && (x.arrayValue != null || x.kvlistValue != null)) n += nestedCount(x);
    }
    return n;
  }
  return v.kvlistValue != null ? attributeCount(v.kvlistValue.values) : 0;
}

/** Attributes in a list, each entry of a nested array or map value counted as one more. */
export function attributeCount(attrs: readonly KeyValue[] | null | undefined): number {
  if (attrs == null) return 0;
  let n = attrs.length;
  for (let i = 0; i < attrs.length; i++) {
    const v = attrs[i].value;
    if (v != null && (v.arrayValue != null || v.kvlistValue != null)) n += nestedCount(v);
  }
  return n;
}

/** Attributes of one value (a log body): 0 for a scalar, its entries for an array or map. */
export function valueAttributeCount(v: AnyValue | null | undefined): number {
  return v == null ? 0 : nestedCount(v);
}

/** Throws the RowError that refuses an item with more than `max` attributes. */
export function checkAttributes(n: number, max: number, what: string): void {
  if (n > max)
    throw new RowError(
      `${what} has ${n} attributes (nested values counted), more than ${max} (maxAttributesPerItem, MARKETBENCH_INGEST_MAX_ATTRIBUTES)`,
    );
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/**
 * Trace or span id as the exporter writes it (`traceutil.TraceIDToHexOrEmptyString`): lowercase hex,
 * empty for an absent or all-zero id. Any other length is not a valid id (pdata refuses it).
 */
export function idHexOrEmpty(bytes: Uint8Array | null | undefined, size: 8 | 16, what: string): string {
  if (bytes == null || bytes.length === 0) return '';
  if (bytes.length !== size) throw new RowError(`${what} must be ${size} bytes, got ${bytes.length}`);
  for (let i = 0; i < size; i++) if (bytes[i] !== 0) return hex(bytes);
  return '';
}

/** Exemplar ids are written as `hex.EncodeToString(id[:])` of the fixed-size array: zeros stay zeros. */
export function idHexFixed(bytes: Uint8Array | null | undefined, size: 8 | 16, what: string): string {
  if (bytes == null || bytes.length === 0) return '0'.repeat(size * 2);
  if (bytes.length !== size) throw new RowError(`${what} must be ${size} bytes, got ${bytes.length}`);
  return hex(bytes);
}

/** Go's float64AsString (pdata) / encoding/json float formatting: ES6 number-to-string. */
export function goFloat(f: number): string {
  if (Object.is(f, -0)) return '-0';
  return String(f);
}

const JSON_HTML = /[<>&\u2028\u2029]/g;
const JSON_HTML_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** A string as Go's encoding/json writes it (HTML-safe escaping of <, >, &, U+2028, U+2029). */
export function goJsonString(s: string): string {
  const q = JSON.stringify(s);
  return JSON_HTML.test(q) ? q.replace(JSON_HTML, (c) => JSON_HTML_ESCAPES[c]) : q;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

class UnsupportedJson extends Error {}

/** `json.Marshal(v.AsRaw())` for one value; throws UnsupportedJson on NaN or ±Inf as Go does. */
function goJsonRaw(v: AnyValue | null | undefined): string {
  if (v == null) return 'null';
  switch (v.value) {
    case 'stringValue':
      return goJsonString(v.stringValue ?? '');
    case 'boolValue':
      return v.boolValue ? 'true' : 'false';
    case 'intValue':
      return int64Text(v.intValue);
    case 'doubleValue': {
      const d = v.doubleValue ?? 0;
      if (!Number.isFinite(d)) throw new UnsupportedJson();
      return goFloat(d);
    }
    case 'bytesValue':
      return `"${base64(v.bytesValue ?? new Uint8Array())}"`;
    case 'arrayValue': {
      const values = v.arrayValue?.values ?? [];
      let s = '[';
      for (let i = 0; i < values.length; i++) s += (i ? ',' : '') + goJsonRaw(values[i]);
      return s + ']';
    }
    case 'kvlistValue': {
      // Go marshals map[string]any with sorted keys; a repeated key keeps its last value.
      const byKey = new Map<string, AnyValue | null | undefined>();
      for (const kv of v.kvlistValue?.values ?? []) byKey.set(kv.key, kv.value);
      const keys = [...byKey.keys()].sort();
      let s = '{';
      for (let i = 0; i < keys.length; i++)
        s += (i ? ',' : '') + goJsonString(keys[i]) + ':' + goJsonRaw(byKey.get(keys[i]));
      return s + '}';
    }
    default:
      return 'null';
  }
}

/** pdata's `Value.AsString()`: the text the exporter stores for an attribute value or a log body. */
export function anyValueAsString(v: AnyValue | null | undefined): string {
  if (v == null) return '';
  switch (v.value) {
    case 'stringValue':
      return v.stringValue ?? '';
    case 'boolValue':
      return v.boolValue ? 'true' : 'false';
    case 'intValue':
      return int64Text(v.intValue);
    case 'doubleValue': {
      const d = v.doubleValue ?? 0;
      if (Number.isNaN(d)) return 'json: unsupported value: NaN';
      if (!Number.isFinite(d)) return `json: unsupported value: ${d > 0 ? '+Inf' : '-Inf'}`;
      return goFloat(d);
    }
    case 'bytesValue':
      return base64(v.bytesValue ?? new Uint8Array());
    case 'arrayValue':
    case 'kvlistValue':
      // json.Marshal fails on NaN/Inf inside; the exporter then stores the empty string.
      try {
        return goJsonRaw(v);
      } catch (err) {
        if (err instanceof UnsupportedJson) return '';
        throw err;
      }
    default:
      return '';
  }
}

// Attribute keys repeat across spans; their JSON text (`"key":`) is cached, up to a bound.
const KEY_JSON = new Map<string, string>();
const KEY_JSON_MAX = 10_000;

function keyJson(key: string): string {
  let k = KEY_JSON.get(key);
  if (k === undefined) {
    k = `${JSON.stringify(key)}:`;
    if (KEY_JSON.size < KEY_JSON_MAX) KEY_JSON.set(key, k);
  }
  return k;
}

/** Attributes as ClickHouse JSONEachRow text for a `Map(LowCardinality(String), String)` column. */
export function attributesJson(attrs: readonly KeyValue[] | null | undefined): string {
  if (attrs == null || attrs.length === 0) return '{}';
  let s = '{';
  for (let i = 0; i < attrs.length; i++) {
    const kv = attrs[i];
    const v = kv.value;
    s +=
      (i ? ',' : '') +
      keyJson(kv.key) +
      JSON.stringify(v != null && v.value === 'stringValue' ? (v.stringValue ?? '') : anyValueAsString(v));
  }
  return s + '}';
}

/** The `service.name` resource attribute as the exporter reads it (`GetServiceName`: AsString, else ''). */
export function serviceNameOf(attrs: readonly KeyValue[] | null | undefined): string {
  if (attrs == null) return '';
  for (const kv of attrs) if (kv.key === 'service.name') return anyValueAsString(kv.value);
  return '';
}

/** A float64 as JSONEachRow accepts it: NaN and ±Inf as the strings ClickHouse parses. */
export function floatJson(f: number | null | undefined): string {
  if (f == null) return '0';
  if (Number.isFinite(f)) return String(f);
  if (Number.isNaN(f)) return '"nan"';
  return f > 0 ? '"inf"' : '"-inf"';
}
