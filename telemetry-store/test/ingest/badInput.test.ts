// Bad input gets a problem+json answer with the right status and a message saying what was
// wrong; a request that does not fit in the queue gets 429 with Retry-After and is counted. The
// fuzz suite (ingestFuzz.test.ts, and ingestFuzz.fuzz.ts for 100,000 bodies) covers the rest.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { Agent, request } from 'undici';
import { requestCodec } from '../../src/ingest/otlpCodec.ts';
import { type Fixture, startFixture } from './ingestFixture.ts';

let fx: Fixture;
before(async () => {
  fx = await startFixture({
    maxBodyBytes: 64 * 1024,
    maxDecompressedBytes: 64 * 1024,
    fsync: 'never',
    flushIntervalMs: 1000,
  });
});
after(async () => {
  await fx?.close();
});

function tracesBody(spans: number, service = 'bad-input'): Uint8Array {
  const codec = requestCodec('traces');
  return codec
    .encode(
      codec.fromObject({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
            scopeSpans: [
              {
                scope: { name: 's' },
                spans: Array.from({ length: spans }, (_, i) => ({
                  traceId: Buffer.alloc(16, i + 1),
                  spanId: Buffer.alloc(8, i + 1),
                  name: `span ${i}`,
                  kind: 2,
                  startTimeUnixNano: '1795255200000000000',
                  endTimeUnixNano: '1795255200001000000',
                  attributes: [{ key: 'k', value: { intValue: i } }],
                })),
              },
            ],
          },
        ],
      }),
    )
    .finish();
}

async function post(
  path: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${fx.ingest.url}${path}`, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_CT = { 'content-type': 'application/json' };

test('wrong content type or encoding: 415 naming what is accepted', async () => {
  const r1 = await post('/v1/traces', 'hello', { 'content-type': 'text/plain' });
  assert.equal(r1.status, 415);
  assert.equal(r1.headers.get('content-type'), 'application/problem+json');
  assert.match(JSON.parse(r1.text).detail, /application\/x-protobuf or application\/json/);
  const r2 = await post('/v1/traces', tracesBody(1), { ...PROTO, 'content-encoding': 'br' });
  assert.equal(r2.status, 415);
  assert.match(JSON.parse(r2.text).detail, /Content-Encoding "br"/);
});

test('undecodable bodies: 400 saying what was wrong', async () => {
  const bad = await post('/v1/traces', Buffer.from([0x0a, 0xff, 0xff, 0x01]), PROTO);
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.text).code, 'MB_ERR_INGEST_DECODE');
  assert.match(JSON.parse(bad.text).detail, /invalid protobuf ExportTraceServiceRequest/);
  const json = await post('/v1/logs', '{"resourceLogs": [', JSON_CT);
  assert.equal(json.status, 400);
  assert.match(JSON.parse(json.text).detail, /invalid JSON/);
  const hex = await post(
    '/v1/traces',
    JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz', name: 'n' }] }] }] }),
    JSON_CT,
  );
  assert.equal(hex.status, 400);
  assert.match(
    JSON.parse(hex.text).detail,
    /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId must be 32 hex digits/,
  );
  const gz = await post('/v1/traces', Buffer.from('not gzip at all'), {
    ...PROTO,
    'content-encoding': 'gzip',
  });
  assert.equal(gz.status, 400);
  assert.equal(JSON.parse(gz.text).code, 'MB_ERR_INGEST_BAD_GZIP');
});

test('oversized bodies: 413, also when only the gunzipped size is over', async () => {
  const big = await post('/v1/traces', Buffer.alloc(100 * 1024, 1), PROTO);
  assert.equal(big.status, 413);
  assert.match(JSON.parse(big.text).detail, /over 65536 bytes/);
  const bomb = await post('/v1/traces', zlib.gzipSync(Buffer.alloc(1024 * 1024)), {
    ...PROTO,
    'content-encoding': 'gzip',
  });
  assert.equal(bomb.status, 413);
});

test('a chunked body over the limit gets 413 with problem+json, and the connection is closed after it', async () => {
  const agent = new Agent({ connections: 1 });
  try {
    const res = await request(`${fx.ingest.url}/v1/traces`, {
      method: 'POST',
      headers: PROTO,
      body: Readable.from(
        (function* () {
          for (let i = 0; i < 10; i++) yield Buffer.alloc(10 * 1024, 0x0a);
        })(),
      ),
      dispatcher: agent,
    });
    const text = await res.body.text();
    assert.equal(res.statusCode, 413);
    assert.equal(res.headers['content-type'], 'application/problem+json');
    assert.equal(res.headers.connection, 'close');
    const problem = JSON.parse(text) as { code: string; detail: string };
    assert.equal(problem.code, 'MB_ERR_INGEST_BODY_TOO_LARGE');
    assert.match(problem.detail, /over 65536 bytes \(maxBodyBytes, MARKETBENCH_INGEST_MAX_BODY_BYTES\)/);
  } finally {
    await agent.close();
  }
});

test('limits on what a body expands to: 413 naming the limit, 400 for nesting; arrays where objects belong are 400', async () => {
  const small = await startFixture({
    store: fx.store,
    maxItemsPerRequest: 5,
    maxElementsPerRequest: 1000,
    maxNestingDepth: 3,
    fsync: 'never',
  });
  try {
    const send = async (body: Uint8Array | string, headers: Record<string, string>, path = '/v1/traces') => {
      const res = await fetch(`${small.ingest.url}${path}`, { method: 'POST', body, headers });
      return { status: res.status, problem: (await res.json()) as { code: string; detail: string } };
    };
    const items = await send(tracesBody(6), PROTO);
    assert.equal(items.status, 413);
    assert.equal(items.problem.code, 'MB_ERR_INGEST_TOO_MANY_ITEMS');
    assert.match(
      items.problem.detail,
      /more than 5 spans \(maxItemsPerRequest, MARKETBENCH_INGEST_MAX_ITEMS\)/,
    );
    // 600 empty ResourceSpans and their 600 empty scopes: 1,200 messages.
    const wrapped = Buffer.concat(Array.from({ length: 600 }, () => Buffer.from([0x0a, 0x02, 0x12, 0x00])));
    const elements = await send(wrapped, PROTO);
    assert.equal(elements.status, 413);
    assert.match(elements.problem.detail, /more than 1000 elements .*MARKETBENCH_INGEST_MAX_ELEMENTS/);
    const deep = JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  body: {
                    arrayValue: {
                      values: [
                        {
                          arrayValue: {
                            values: [{ arrayValue: { values: [{ arrayValue: { values: [] } }] } }],
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
    });
    const tooDeep = await send(deep, JSON_CT, '/v1/logs');
    assert.equal(tooDeep.status, 400);
    assert.equal(tooDeep.problem.code, 'MB_ERR_INGEST_TOO_DEEP');
    assert.match(
      tooDeep.problem.detail,
      /deeper than 3 levels \(maxNestingDepth, MARKETBENCH_INGEST_MAX_DEPTH\)/,
    );
    const arrays = await send('{"resourceSpans":[[[{}]]]}', JSON_CT);
    assert.equal(arrays.status, 400);
    assert.match(arrays.problem.detail, /an array where a ResourceSpans object is expected/);
  } finally {
    await small.close();
  }
});

test('validated before the 200: lone surrogates stored as U+FFFD, an out-of-range enum refuses its item through partial success', async () => {
  const lone = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'surrogate\ud800' } }] },
        scopeSpans: [
          {
            spans: [
              { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'a\udfffb' },
            ],
          },
        ],
      },
    ],
  });
  const ok = await post('/v1/traces', lone, JSON_CT);
  assert.equal(ok.status, 200, ok.text);
  const enums = `{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"enums"}}]},"scopeMetrics":[{"metrics":[{"name":"bad","sum":{"aggregationTemporality":1e400,"dataPoints":[{"asInt":"1"},{"asInt":"2"}]}},{"name":"good","gauge":{"dataPoints":[{"asDouble":1}]}}]}]}]}`;
  const partial = await post('/v1/metrics', enums, JSON_CT);
  assert.equal(partial.status, 200, partial.text);
  assert.deepEqual(JSON.parse(partial.text), {
    partialSuccess: {
      rejectedDataPoints: '2',
      errorMessage: 'metric "bad" aggregationTemporality must be an int32 enum value, got Infinity',
    },
  });
  await fx.ingest.flush();
  const [span] = await fx.store.query<{ ServiceName: string; SpanName: string }>(
    "SELECT ServiceName, SpanName FROM otel_traces WHERE ServiceName LIKE 'surrogate%'",
  );
  assert.deepEqual(span, { ServiceName: 'surrogate\ufffd', SpanName: 'a\ufffdb' });
  const [{ n }] = await fx.store.query<{ n: string }>(
    "SELECT count() AS n FROM otel_metrics_gauge WHERE ServiceName = 'enums'",
  );
  assert.equal(Number(n), 1);
  const stats = fx.ingest.stats();
  assert.equal(stats.rows.metrics.dropped + stats.rows.traces.dropped, 0);
});

test('partial success: spans with bad ids are refused, the rest accepted and reported', async () => {
  const body = JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'ok' },
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203332',
                name: 'bad',
                parentSpanId: '',
              },
            ],
          },
        ],
      },
    ],
  });
  const ok = await post('/v1/traces', body, JSON_CT);
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(JSON.parse(ok.text), {});
  const protoBad = requestCodec('traces');
  const msg = protoBad.fromObject({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(3, 1), name: 'short id' },
              { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), name: 'fine' },
            ],
          },
        ],
      },
    ],
  });
  const r = await post('/v1/traces', protoBad.encode(msg).finish(), PROTO);
  assert.equal(r.status, 200);
  const resp = requestCodecResponse(Buffer.from(await Promise.resolve(r.text), 'latin1'));
  assert.equal(resp.rejectedSpans, 1);
  assert.match(resp.errorMessage, /span spanId must be 8 bytes, got 3/);
});

function requestCodecResponse(buf: Buffer): { rejectedSpans: number; errorMessage: string } {
  // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1) int64, error_message (2) string } }
  assert.equal(buf[0], 0x0a);
  const inner = buf.subarray(2, 2 + buf[1]);
  assert.equal(inner[0], 0x08);
  const rejectedSpans = inner[1];
  assert.equal(inner[2], 0x12);
  return { rejectedSpans, errorMessage: inner.subarray(4, 4 + inner[3]).toString('utf8') };
}

test('a request that does not fit in the queue whole gets 429 with Retry-After, is counted, and is accepted once drained', async () => {
  const small = await startFixture({
    store: fx.store,
    maxQueueRows: 7,
    batchRows: 1_000_000,
    flushIntervalMs: 3_600_000,
    fsync: 'never',
  });
  try {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${small.ingest.url}/v1/traces`, {
        method: 'POST',
        body: tracesBody(3, 'overload'),
        headers: PROTO,
      });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        assert.equal(((await res.json()) as { code: string }).code, 'MB_ERR_INGEST_OVERLOADED');
      } else await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [200, 200, 429]);
    // One row was free, but a request is queued whole or not at all.
    assert.equal(small.ingest.stats().queuedRows, 6);
    assert.equal(retryAfter, '1');
    const stats = small.ingest.stats();
    assert.equal(stats.throttledRequests, 1);
    assert.equal(stats.responses['429'], 1);
    const metrics = await (await fetch(`${small.ingest.url}/metrics`)).text();
    assert.match(metrics, /marketbench_ingest_requests_total\{http_response_status_code="429"\} 1/);
    assert.match(metrics, /marketbench_ingest_rows_total\{signal="traces",outcome="received"\} 6/);
    await small.ingest.flush();
    const again = await fetch(`${small.ingest.url}/v1/traces`, {
      method: 'POST',
      body: tracesBody(3, 'overload'),
      headers: PROTO,
    });
    assert.equal(again.status, 200);
    // More rows than the whole queue holds can never fit: 413 naming the limit, not an endless 429.
    await small.ingest.flush();
    const huge = await fetch(`${small.ingest.url}/v1/traces`, {
      method: 'POST',
      body: tracesBody(8, 'overload'),
      headers: PROTO,
    });
    assert.equal(huge.status, 413);
    const problem = (await huge.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'MB_ERR_INGEST_TOO_MANY_ITEMS');
    assert.match(problem.detail, /MARKETBENCH_INGEST_MAX_QUEUE_ROWS/);
    await small.ingest.flush();
    const [{ n }] = await small.store.query<{ n: string }>(
      "SELECT count() AS n FROM otel_traces WHERE ServiceName = 'overload'",
    );
    assert.equal(Number(n), 9);
  } finally {
    await small.close();
  }
});
