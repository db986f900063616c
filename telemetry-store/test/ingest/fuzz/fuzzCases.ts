// The bodies of the ingest fuzz suite: random and mutated OTLP bodies in both encodings, and the
// hostile shapes that once crashed or fooled the ingest, each drawn with a small probability:
// gzip bombs, huge counts of tiny items, deep nesting (protobuf and JSON), lone surrogates,
// out-of-range enums, arrays where objects belong, chunked and declared oversized bodies. Valid
// requests with unique ids are interleaved; the runner checks every one of them lands.
import zlib from 'node:zlib';
import { requestCodec } from '../../../src/ingest/otlpCodec.ts';

/** One request to send. */
export interface FuzzCase {
  kind: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Send without Content-Length, in chunks. */
  chunked?: boolean;
  /** Statuses this case may get (beyond 429); undefined: any non-5xx. */
  expect?: readonly number[];
  /** A valid request: the span ids (hex) it carries, all of which must land once acknowledged. */
  spanIds?: string[];
  /** A valid request of another signal: rows it adds to its table under service `fuzz-valid`. */
  rows?: { table: string; n: number };
}

/** A seeded PRNG (mulberry32), so that a failure reproduces. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROTO = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

/** A protobuf length-delimited field. */
function ld(field: number, payload: Buffer): Buffer {
  const len: number[] = [];
  let l = payload.length;
  while (l > 127) {
    len.push((l & 127) | 128);
    l >>>= 7;
  }
  len.push(l);
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...len]), payload]);
}

/** A protobuf body of `n` repetitions of `unit` inside the given field path. */
function repeated(path: number[], unit: Buffer, n: number): Buffer {
  let body: Buffer = Buffer.alloc(unit.length * n);
  for (let i = 0; i < n; i++) unit.copy(body, i * unit.length);
  for (let i = path.length - 1; i >= 0; i--) body = ld(path[i], body);
  return body;
}

/** Limits the hostile shapes are sized against. */
export interface FuzzLimits {
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  maxItems: number;
  maxElements: number;
  maxDepth: number;
}

function nestedAnyValue(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { stringValue: 'leaf' };
  for (let i = 0; i < depth; i++)
    v = i % 2 ? { arrayValue: { values: [v] } } : { kvlistValue: { values: [{ key: `k${i}`, value: v }] } };
  return v;
}

function spanJson(traceId: string, spanId: string, extra: Record<string, unknown> = {}) {
  return {
    traceId,
    spanId,
    name: 'fuzz',
    kind: 2,
    startTimeUnixNano: '1795255200000000000',
    endTimeUnixNano: '1795255200001000000',
    ...extra,
  };
}

function tracesJson(spans: unknown[], service = 'fuzz'): Buffer {
  return Buffer.from(
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
          scopeSpans: [{ scope: { name: 'fuzz' }, spans }],
        },
      ],
    }),
  );
}

/** Makes the cases of one fuzz run. */
export function fuzzCases(seed: number, limits: FuzzLimits) {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const traces = requestCodec('traces');
  const metrics = requestCodec('metrics');
  let validSeq = 0;

  const validSpans = (n: number): { body: Buffer; ids: string[] } => {
    const run = ++validSeq;
    const ids: string[] = [];
    const spans = Array.from({ length: n }, (_, i) => {
      const id = Buffer.alloc(8);
      id.writeUInt32BE(run, 0);
      id.writeUInt32BE(i + 1, 4);
      ids.push(id.toString('hex'));
      return {
        traceId: Buffer.concat([id, id]),
        spanId: id,
        name: 'GET /listings/:id',
        kind: 2,
        startTimeUnixNano: String(1795255200000000000n + BigInt(run)),
        endTimeUnixNano: String(1795255200001000000n + BigInt(run)),
        attributes: [
          { key: 'http.route', value: { stringValue: '/listings/:id' } },
          { key: 'i', value: { intValue: i } },
        ],
      };
    });
    const body = traces
      .encode(
        traces.fromObject({
          resourceSpans: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzz-valid' } }] },
              scopeSpans: [{ scope: { name: 'fuzz' }, spans }],
            },
          ],
        }),
      )
      .finish();
    return { body: Buffer.from(body), ids };
  };

  // Seeds for mutation, in both encodings and all three signals.
  const seeds: { path: string; json: boolean; body: Buffer }[] = [
    { path: '/v1/traces', json: false, body: validSpans(4).body },
    {
      path: '/v1/traces',
      json: true,
      body: tracesJson([
        spanJson('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', {
          attributes: [
            {
              key: 'a',
              value: {
                kvlistValue: {
                  values: [{ key: 'b', value: { arrayValue: { values: [{ intValue: '7' }] } } }],
                },
              },
            },
          ],
        }),
      ]),
    },
    {
      path: '/v1/logs',
      json: true,
      body: Buffer.from(
        JSON.stringify({
          resourceLogs: [
            { scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' }, severityNumber: 9 }] }] },
          ],
        }),
      ),
    },
    {
      path: '/v1/metrics',
      json: true,
      body: Buffer.from(
        JSON.stringify({
          resourceMetrics: [
            {
              scopeMetrics: [
                {
                  metrics: [
                    {
                      name: 'm',
                      sum: { dataPoints: [{ asInt: '1' }], isMonotonic: true, aggregationTemporality: 2 },
                    },
                    {
                      name: 'h',
                      histogram: {
                        aggregationTemporality: 1,
                        dataPoints: [{ count: '3', bucketCounts: ['1', '2'], explicitBounds: [0.5], sum: 2 }],
                      },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      ),
    },
    {
      path: '/v1/metrics',
      json: false,
      body: Buffer.from(
        metrics
          .encode(
            metrics.fromObject({
              resourceMetrics: [
                {
                  scopeMetrics: [
                    {
                      metrics: [
                        {
                          name: 'g',
                          gauge: { dataPoints: [{ asDouble: 1.5, timeUnixNano: '1795255200000000000' }] },
                        },
                        {
                          name: 'e',
                          exponentialHistogram: {
                            aggregationTemporality: 2,
                            dataPoints: [
                              { count: '2', scale: 3, positive: { offset: 1, bucketCounts: ['1', '1'] } },
                            ],
                          },
                        },
                      ],
                    },
                  ],
                },
              ],
            }),
          )
          .finish(),
      ),
    },
  ];

  const mutate = (b: Buffer): Buffer => {
    const out = Buffer.from(b);
    switch (int(7)) {
      case 0: // bit flips
        for (let i = 0, n = 1 + int(8); i < n; i++) out[int(out.length)] ^= 1 << int(8);
        return out;
      case 1: // truncation
        return out.subarray(0, int(out.length));
      case 2: // a wrong byte (protobuf varint lengths and wire types, JSON characters)
        out[int(out.length)] = int(256);
        return out;
      case 3: // random bytes
        return Buffer.from(Array.from({ length: int(300) }, () => int(256)));
      case 4: // random JSON
        return Buffer.from(JSON.stringify(randomJson(rnd, 5)));
      case 5: // a run of one byte inserted (long varints, deep groups, empty submessages)
        {
          const at = int(out.length);
          return Buffer.concat([
            out.subarray(0, at),
            Buffer.alloc(1 + int(64), [0x0a, 0x0b, 0x80, 0x22][int(4)]),
            out.subarray(at),
          ]);
        }
      default: // splice of two seeds
        return Buffer.concat([
          out.subarray(0, int(out.length)),
          seeds[int(seeds.length)].body.subarray(int(40)),
        ]);
    }
  };

  // The expensive hostile bodies are made once and sent many times.
  const emptyPoints = Math.min(limits.maxItems * 2, Math.floor((limits.maxDecompressedBytes - 64) / 2));
  const gaugeOfEmptyPoints = repeated([1, 2, 2, 5], Buffer.from([0x0a, 0]), emptyPoints);
  const gzipBombPoints = zlib.gzipSync(gaugeOfEmptyPoints, { level: 9 });
  const gzipBombZeros = zlib.gzipSync(Buffer.alloc(limits.maxDecompressedBytes + 1024 * 1024), { level: 9 });
  const elementsOver = Math.min(limits.maxElements + 10, Math.floor((limits.maxBodyBytes - 64) / 2));
  const emptyResources = Buffer.alloc(elementsOver * 2, Buffer.from([0x0a, 0]));
  const emptyAttributes = repeated([1, 1], Buffer.from([0x0a, 0]), elementsOver);
  const longsOver = Math.min(limits.maxElements + 10, Math.floor((limits.maxBodyBytes - 64) / 8));
  const packedBuckets = ld(1, ld(2, ld(2, ld(9, ld(1, ld(6, Buffer.alloc(longsOver * 8, 1)))))));
  // AnyValue nested past maxDepth in protobuf: KeyValue{value: AnyValue{arrayValue{values: ...}}}.
  let deepValue: Buffer = Buffer.from([0x0a, 0x01, 0x78]); // AnyValue{stringValue:"x"}
  for (let i = 0; i < limits.maxDepth + 5; i++) deepValue = ld(5, ld(1, deepValue));
  const deepProto = ld(
    1,
    ld(
      2,
      ld(
        2,
        Buffer.concat([
          ld(5, Buffer.from('deep')),
          ld(9, Buffer.concat([ld(1, Buffer.from('k')), ld(2, deepValue)])),
        ]),
      ),
    ),
  );
  const deepGroups = Buffer.concat([Buffer.from([0x0a, 0x7f]), Buffer.alloc(200_000, 0x0b)]);
  const deepJson = Buffer.from(`{"resourceSpans":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
  const deepAttrJson = tracesJson([
    spanJson('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', {
      attributes: [{ key: 'deep', value: nestedAnyValue(limits.maxDepth + 3) }],
    }),
  ]);
  const manyJsonValues = Buffer.from(`{"resourceSpans":[${'{},'.repeat(limits.maxElements + 10)}{}]}`);

  const hostile: { weight: number; make: () => FuzzCase }[] = [
    {
      weight: 4,
      make: () => ({
        kind: 'gzip bomb (empty points)',
        path: '/v1/metrics',
        headers: { 'content-type': PROTO, 'content-encoding': 'gzip' },
        body: gzipBombPoints,
        expect: [413],
      }),
    },
    {
      weight: 4,
      make: () => ({
        kind: 'gzip bomb (zeros)',
        path: ['/v1/traces', '/v1/logs', '/v1/metrics'][int(3)],
        headers: { 'content-type': [PROTO, JSON_TYPE][int(2)], 'content-encoding': 'gzip' },
        body: gzipBombZeros,
        expect: [413],
      }),
    },
    {
      weight: 3,
      make: () => ({
        kind: 'empty points over maxItems',
        path: '/v1/metrics',
        headers: { 'content-type': PROTO },
        body: gaugeOfEmptyPoints,
        expect: [413],
      }),
    },
    {
      weight: 2,
      make: () => ({
        kind: 'empty resources over maxElements',
        path: ['/v1/traces', '/v1/logs', '/v1/metrics'][int(3)],
        headers: { 'content-type': PROTO },
        body: emptyResources,
        expect: [413],
      }),
    },
    {
      weight: 2,
      make: () => ({
        kind: 'empty attributes over maxElements',
        path: '/v1/traces',
        headers: { 'content-type': PROTO },
        body: emptyAttributes,
        expect: [413],
      }),
    },
    {
      weight: 2,
      make: () => ({
        kind: 'packed 64-bit bucket counts over maxElements',
        path: '/v1/metrics',
        headers: { 'content-type': PROTO },
        body: packedBuckets,
        expect: [413],
      }),
    },
    {
      weight: 5,
      make: () => ({
        kind: 'protobuf attribute values nested past maxDepth',
        path: '/v1/traces',
        headers: { 'content-type': PROTO },
        body: deepProto,
        expect: [400],
      }),
    },
    {
      weight: 5,
      make: () => ({
        kind: 'protobuf groups nested 200,000 deep',
        path: '/v1/logs',
        headers: { 'content-type': PROTO },
        body: deepGroups,
        expect: [400],
      }),
    },
    {
      weight: 5,
      make: () => ({
        kind: 'JSON arrays nested 100,000 deep',
        path: '/v1/traces',
        headers: { 'content-type': JSON_TYPE },
        body: deepJson,
        expect: [400],
      }),
    },
    {
      weight: 5,
      make: () => ({
        kind: 'JSON attribute values nested past maxDepth',
        path: '/v1/traces',
        headers: { 'content-type': JSON_TYPE },
        body: deepAttrJson,
        expect: [400],
      }),
    },
    {
      weight: 2,
      make: () => ({
        kind: 'JSON values over maxElements',
        path: '/v1/traces',
        headers: { 'content-type': JSON_TYPE },
        body: manyJsonValues,
        expect: [413],
      }),
    },
    {
      weight: 10,
      make: () => ({
        kind: 'nested arrays where objects belong',
        path: '/v1/traces',
        headers: { 'content-type': JSON_TYPE },
        body: Buffer.from(
          [
            '{"resourceSpans":[[[{}]]]}',
            '{"resourceSpans":[{"scopeSpans":[[{"spans":[]}]]}]}',
            '{"resourceSpans":[{"resource":[1,2]}]}',
            '{"resourceSpans":[null]}',
          ][int(4)],
        ),
        expect: [400],
      }),
    },
    {
      weight: 20,
      make: () => {
        // JSON.stringify writes a lone surrogate as a \udXXX escape, as a buggy exporter would.
        const lone = String.fromCharCode(0xd800 + int(0x800));
        return {
          kind: 'lone surrogates',
          path: '/v1/traces',
          headers: { 'content-type': JSON_TYPE },
          body: tracesJson(
            [
              spanJson('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', {
                name: `n${lone}`,
                attributes: [{ key: `k${lone}`, value: { stringValue: `v${lone}x` } }],
              }),
            ],
            `fuzz-surrogate${lone}`,
          ),
          expect: [200],
        };
      },
    },
    {
      weight: 20,
      make: () => {
        const bad = ['1e400', '-1e400', '2147483648', '1.5', '-2147483649', '1e10'][int(6)];
        const which = int(4);
        const text =
          which === 0
            ? tracesJson([spanJson('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', { kind: 'KIND' })])
                .toString()
                .replace('"KIND"', bad)
            : which === 1
              ? tracesJson([
                  spanJson('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', {
                    status: { code: 'CODE' },
                  }),
                ])
                  .toString()
                  .replace('"CODE"', bad)
              : which === 2
                ? `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":${bad}},{"severityNumber":9}]}]}]}`
                : `{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"s","sum":{"aggregationTemporality":${bad},"dataPoints":[{"asInt":"1"}]}},{"name":"g","gauge":{"dataPoints":[{"asDouble":1}]}}]}]}]}`;
        return {
          kind: 'out-of-range enums',
          path: which < 2 ? '/v1/traces' : which === 2 ? '/v1/logs' : '/v1/metrics',
          headers: { 'content-type': JSON_TYPE },
          body: Buffer.from(text),
          expect: [200, 400],
        };
      },
    },
    {
      weight: 3,
      make: () => ({
        kind: 'chunked body over maxBodyBytes',
        path: '/v1/traces',
        headers: { 'content-type': PROTO },
        body: Buffer.alloc(limits.maxBodyBytes + 1 + int(64 * 1024), 0x0a),
        chunked: true,
        expect: [413],
      }),
    },
    {
      weight: 3,
      make: () => ({
        kind: 'declared body over maxBodyBytes',
        path: '/v1/logs',
        headers: { 'content-type': JSON_TYPE },
        body: Buffer.alloc(limits.maxBodyBytes + 1 + int(1024), 0x20),
        expect: [413],
      }),
    },
  ];
  const hostileWeight = hostile.reduce((a, h) => a + h.weight, 0);

  /** The next case: about 1 in 10 valid, 1 in 100 hostile (by weight), the rest mutated. */
  const next = (): FuzzCase => {
    const r = rnd();
    if (r < 0.1) {
      if (int(3) === 0) {
        const n = 1 + int(3);
        return {
          kind: 'valid logs',
          path: '/v1/logs',
          headers: { 'content-type': JSON_TYPE },
          body: Buffer.from(
            JSON.stringify({
              resourceLogs: [
                {
                  resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzz-valid' } }] },
                  scopeLogs: [
                    {
                      logRecords: Array.from({ length: n }, (_, i) => ({
                        body: { stringValue: `ok ${i}` },
                        severityNumber: 9,
                      })),
                    },
                  ],
                },
              ],
            }),
          ),
          expect: [200],
          rows: { table: 'otel_logs', n },
        };
      }
      const { body, ids } = validSpans(1 + int(20));
      const gzip = int(4) === 0;
      return {
        kind: 'valid spans',
        path: '/v1/traces',
        headers: { 'content-type': PROTO, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
        body: gzip ? zlib.gzipSync(body) : body,
        chunked: int(8) === 0,
        expect: [200],
        spanIds: ids,
      };
    }
    if (r < 0.11) {
      let w = rnd() * hostileWeight;
      for (const h of hostile) {
        w -= h.weight;
        if (w < 0) return h.make();
      }
    }
    const seed = seeds[int(seeds.length)];
    let body = mutate(seed.body);
    const headers: Record<string, string> = { 'content-type': seed.json ? JSON_TYPE : PROTO };
    const roll = int(20);
    if (roll === 0) headers['content-type'] = 'application/octet-stream';
    else if (roll === 1) headers['content-type'] = seed.json ? PROTO : JSON_TYPE;
    else if (roll === 2) {
      headers['content-encoding'] = 'gzip';
      body = int(2) ? zlib.gzipSync(body) : mutate(zlib.gzipSync(body));
    }
    return { kind: 'mutated', path: seed.path, headers, body, chunked: int(10) === 0 };
  };
  return { next, hostile: hostile.map((h) => h.make) };
}

function randomJson(rnd: () => number, depth: number): unknown {
  const r = Math.floor(rnd() * 8);
  if (depth <= 0 || r < 3)
    return [null, true, 1.5, 'str', -7, '0af7', 1e300, '\ud800', [[[]]]][Math.floor(rnd() * 9)];
  if (r < 5) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomJson(rnd, depth - 1));
  const keys = [
    'resourceSpans',
    'resourceLogs',
    'resourceMetrics',
    'scopeSpans',
    'scopeLogs',
    'scopeMetrics',
    'spans',
    'logRecords',
    'metrics',
    'gauge',
    'dataPoints',
    'attributes',
    'value',
    'kvlistValue',
    'arrayValue',
    'values',
    'traceId',
    'name',
    'kind',
    'x',
  ];
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(rnd() * 5); i > 0; i--)
    o[keys[Math.floor(rnd() * keys.length)]] = randomJson(rnd, depth - 1);
  return o;
}
