// Attribute values, ids and exemplars are written as the collector's Go code writes them
// (pdata AsString, encoding/json, traceutil / hex.EncodeToString), down to the edge cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapMetrics } from '../../src/ingest/mapMetrics.ts';
import { decodeJson, decodeProtobuf, requestCodec } from '../../src/ingest/otlpCodec.ts';
import {
  anyValueAsString,
  attributeCount,
  durationText,
  enumValue,
  idHexOrEmpty,
  uint64Text,
} from '../../src/ingest/pdataFormat.ts';

// Values as the generated code yields them, built from OTLP/JSON through the generated fromObject.
function value(v: object) {
  const req = decodeJson(
    'logs',
    Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: v }] }] }] })),
  );
  return req.resourceLogs![0].scopeLogs![0].logRecords![0].body;
}

test('scalars stringify as pdata AsString does', () => {
  assert.equal(anyValueAsString(value({ stringValue: 'a<b' })), 'a<b');
  assert.equal(anyValueAsString(value({ intValue: '-9007199254740993' })), '-9007199254740993');
  assert.equal(anyValueAsString(value({ boolValue: true })), 'true');
  assert.equal(anyValueAsString(value({ doubleValue: 0.1 })), '0.1');
  assert.equal(anyValueAsString(value({ doubleValue: 1e21 })), '1e+21');
  assert.equal(anyValueAsString(value({ doubleValue: 1e-7 })), '1e-7');
  assert.equal(anyValueAsString(value({ doubleValue: 100 })), '100');
  assert.equal(anyValueAsString(value({ bytesValue: 'AQID' })), 'AQID');
  assert.equal(anyValueAsString(value({})), '');
});

test('arrays and maps are Go JSON: sorted keys, HTML-safe escaping, NaN gives the empty string', () => {
  assert.equal(
    anyValueAsString(
      value({ arrayValue: { values: [{ stringValue: 'x' }, { intValue: 3 }, { doubleValue: 1.5 }, {}] } }),
    ),
    '["x",3,1.5,null]',
  );
  assert.equal(
    anyValueAsString(
      value({
        kvlistValue: {
          values: [
            { key: 'z', value: { stringValue: '<&>' } },
            { key: 'a', value: { boolValue: false } },
            { key: 'm', value: { kvlistValue: { values: [{ key: 'k', value: { intValue: 1 } }] } } },
          ],
        },
      }),
    ),
    '{"a":false,"m":{"k":1},"z":"\\u003c\\u0026\\u003e"}',
  );
  assert.equal(anyValueAsString(value({ arrayValue: { values: [{ doubleValue: 'NaN' }] } })), '');
  assert.equal(anyValueAsString(value({ doubleValue: 'Infinity' })), 'json: unsupported value: +Inf');
});

test('ids: hex, empty when all zero; nanosecond timestamps beyond 2^53 are exact', () => {
  assert.equal(idHexOrEmpty(new Uint8Array(16), 16, 'traceId'), '');
  assert.equal(idHexOrEmpty(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 255]), 8, 'spanId'), '00010203040506ff');
  assert.throws(() => idHexOrEmpty(new Uint8Array(5), 8, 'spanId'), /spanId must be 8 bytes, got 5/);
  const req = decodeJson(
    'traces',
    Buffer.from(
      JSON.stringify({
        resourceSpans: [{ scopeSpans: [{ spans: [{ startTimeUnixNano: '1795255200123456789' }] }] }],
      }),
    ),
  );
  assert.equal(
    uint64Text(req.resourceSpans![0].scopeSpans![0].spans![0].startTimeUnixNano),
    '1795255200123456789',
  );
});

test('exemplars: all-zero ids stay zero hex, int values widen to Float64', () => {
  const req = decodeJson(
    'metrics',
    Buffer.from(
      JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'g',
                    gauge: {
                      dataPoints: [
                        {
                          asInt: '42',
                          timeUnixNano: '1795255200000000000',
                          exemplars: [
                            {
                              asDouble: 0.5,
                              timeUnixNano: '1795255200000000001',
                              traceId: '0af7651916cd43dd8448eb211c80319c',
                              spanId: 'b7ad6b7169203331',
                            },
                            { asInt: '3' },
                          ],
                        },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    ),
  );
  const out = mapMetrics(req);
  const line = out.rows.get('otel_metrics_gauge')![0];
  const row = JSON.parse(line);
  assert.equal(row.Value, 42);
  assert.equal(row.ServiceName, 'svc');
  assert.deepEqual(row['Exemplars.TraceId'], [
    '0af7651916cd43dd8448eb211c80319c',
    '00000000000000000000000000000000',
  ]);
  assert.deepEqual(row['Exemplars.SpanId'], ['b7ad6b7169203331', '0000000000000000']);
  assert.deepEqual(row['Exemplars.Value'], [0.5, 3]);
  // Timestamps are unquoted integers: ClickHouse reads those as DateTime64(9) ticks, exactly.
  assert.match(line, /"Exemplars\.TimeUnix":\[1795255200000000001,0\]/);
  assert.match(line, /"TimeUnix":1795255200000000000,/);
});

test('uint64Text is exact over the whole unsigned 64-bit range (checked against BigInt)', () => {
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  const cases: [number, number][] = [
    [0xffffffff, 0xffffffff],
    [0x200000, 0],
    [0x1fffff, 0xffffffff],
    [395812094, 1032178965],
    [0x80000000, 0],
    [1, 0],
  ];
  for (let i = 0; i < 20_000; i++) cases.push([rnd(), rnd()]);
  for (const [high, low] of cases) {
    const expected = ((BigInt(high) << 32n) | BigInt(low)).toString();
    assert.equal(uint64Text({ high: high | 0, low: low | 0, unsigned: true }), expected, `${high}:${low}`);
  }
});

test('attribute counts take nested array and map entries; enums must be int32; Duration is exact past 2^53', () => {
  const codec = requestCodec('logs');
  const req = decodeProtobuf(
    'logs',
    codec
      .encode(
        codec.fromObject({
          resourceLogs: [
            {
              scopeLogs: [
                {
                  logRecords: [
                    {
                      attributes: [
                        { key: 'a', value: { stringValue: 'x' } },
                        {
                          key: 'b',
                          value: {
                            arrayValue: {
                              values: [
                                { intValue: 1 },
                                {
                                  kvlistValue: {
                                    values: [{ key: 'c', value: { boolValue: true } }, { key: 'd' }],
                                  },
                                },
                              ],
                            },
                          },
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        }),
      )
      .finish(),
  );
  // a, b, b[0], b[1], b[1].c, b[1].d
  assert.equal(attributeCount(req.resourceLogs![0].scopeLogs![0].logRecords![0].attributes), 6);
  assert.equal(enumValue(2, 'kind'), 2);
  assert.equal(enumValue(-7, 'kind'), -7);
  for (const bad of [Number.POSITIVE_INFINITY, 1.5, 2 ** 31, Number.NaN])
    assert.throws(() => enumValue(bad, 'span kind'), /span kind must be an int32 enum value/);
  const start = { low: 0, high: 0, unsigned: true };
  const end = { low: 0xffffffff | 0, high: 0xffffffff | 0, unsigned: true };
  assert.equal(durationText(start, end), '18446744073709551615');
  assert.equal(durationText(end, start), '0');
});
