// Bad input gets a problem+json answer with the right status and a message saying what was
// wrong; a full queue gets 429 with Retry-After and is counted; >= 10,000 random and mutated
// bodies never get anything but 200/400/413/415 and the process keeps serving.
import assert from 'node:assert/strict';
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
    assert.match(metrics, /marketbench_ingest_requests_total\{status_code="429"\} 1/);
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

// A small seeded PRNG, so a failure reproduces.
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: 10,000 random and mutated bodies get 200/400/413/415 with a problem message; the ingest keeps serving', async () => {
  const rnd = prng(20261121);
  const int = (n: number) => Math.floor(rnd() * n);
  const seeds: { path: string; json: boolean; body: Buffer }[] = [
    { path: '/v1/traces', json: false, body: Buffer.from(tracesBody(4, 'fuzz')) },
    {
      path: '/v1/traces',
      json: true,
      body: Buffer.from(
        JSON.stringify({
          resourceSpans: [
            {
              scopeSpans: [
                {
                  spans: [
                    {
                      traceId: '0af7651916cd43dd8448eb211c80319c',
                      spanId: 'b7ad6b7169203331',
                      name: 'j',
                      startTimeUnixNano: '1795255200000000000',
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
                  ],
                },
              ],
            },
          ],
        }),
      ),
    },
  ];
  const mutate = (b: Buffer): Buffer => {
    const out = Buffer.from(b);
    switch (int(6)) {
      case 0: // bit flips
        for (let i = 0, n = 1 + int(8); i < n; i++) out[int(out.length)] ^= 1 << int(8);
        return out;
      case 1: // truncation
        return out.subarray(0, int(out.length));
      case 2: // a wrong length byte (protobuf varint lengths, JSON characters)
        out[int(out.length)] = int(256);
        return out;
      case 3: // random bytes
        return Buffer.from(Array.from({ length: int(300) }, () => int(256)));
      case 4: // random JSON
        return Buffer.from(JSON.stringify(randomJson(rnd, 4)));
      default: // splice of two seeds
        return Buffer.concat([
          out.subarray(0, int(out.length)),
          seeds[int(seeds.length)].body.subarray(int(40)),
        ]);
    }
  };
  const allowed = new Set([200, 400, 413, 415]);
  const counts: Record<number, number> = {};
  const total = 10_000;
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const seed = seeds[int(seeds.length)];
      let body = mutate(seed.body);
      const headers: Record<string, string> = {
        'content-type': seed.json ? 'application/json' : 'application/x-protobuf',
      };
      const roll = int(20);
      if (roll === 0) headers['content-type'] = 'application/octet-stream';
      else if (roll === 1)
        headers['content-type'] = seed.json ? 'application/x-protobuf' : 'application/json';
      else if (roll === 2) {
        headers['content-encoding'] = 'gzip';
        body = int(2) ? zlib.gzipSync(body) : mutate(zlib.gzipSync(body));
      } else if (roll === 3) body = Buffer.concat([body, Buffer.alloc(70 * 1024)]);
      const res = await request(`${fx.ingest.url}${seed.path}`, {
        method: 'POST',
        body,
        headers,
        dispatcher: agent,
      });
      const text = await res.body.text();
      counts[res.statusCode] = (counts[res.statusCode] ?? 0) + 1;
      assert.ok(
        allowed.has(res.statusCode),
        `status ${res.statusCode} for ${body.length} bytes: ${text.slice(0, 200)}`,
      );
      if (res.statusCode !== 200) {
        assert.equal(res.headers['content-type'], 'application/problem+json');
        assert.ok(JSON.parse(text).detail.length > 0);
      }
    }
  };
  const agent = new Agent({ connections: 8 });
  await Promise.all(Array.from({ length: 8 }, worker));
  await agent.close();
  assert.ok(next >= total);
  for (const s of [200, 400, 413, 415])
    assert.ok((counts[s] ?? 0) > 0, `no ${s} among ${JSON.stringify(counts)}`);
  // Still serving, and whatever was acknowledged is inserted.
  const ok = await post('/v1/traces', tracesBody(2, 'after-fuzz'), PROTO);
  assert.equal(ok.status, 200);
  await fx.ingest.flush();
  const [{ n }] = await fx.store.query<{ n: string }>(
    "SELECT count() AS n FROM otel_traces WHERE ServiceName = 'after-fuzz'",
  );
  assert.equal(Number(n), 2);
  const stats = fx.ingest.stats();
  assert.equal(stats.rows.traces.dropped + stats.rows.logs.dropped + stats.rows.metrics.dropped, 0);
});

function randomJson(rnd: () => number, depth: number): unknown {
  const r = Math.floor(rnd() * 8);
  if (depth <= 0 || r < 3) return [null, true, 1.5, 'str', -7, '0af7', 1e300][Math.floor(rnd() * 7)];
  if (r < 5) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomJson(rnd, depth - 1));
  const keys = [
    'resourceSpans',
    'resourceLogs',
    'resourceMetrics',
    'scopeSpans',
    'spans',
    'traceId',
    'name',
    'x',
  ];
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(rnd() * 4); i > 0; i--)
    o[keys[Math.floor(rnd() * keys.length)]] = randomJson(rnd, depth - 1);
  return o;
}
