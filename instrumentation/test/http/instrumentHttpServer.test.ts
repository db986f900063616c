// The package works in a plain node:http service: spans with route templates from a resolver,
// handler code inside the span's context, RED histogram, /metrics on the same server.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ATTR, METRICS } from '@marketbench/contracts';
import { recordCacheResult, startTelemetry, withCacheSpan } from '../../src/index.ts';
import { OtlpSink, waitFor } from '../support/OtlpSink.ts';

test('plain node:http server: server spans, child spans, histogram and /metrics', async () => {
  const sink = await new OtlpSink().start();
  const telemetry = startTelemetry({
    serviceName: 'plain-http',
    otlpEndpoint: sink.url,
    handleSignals: false,
    logLevel: 'silent',
    scheduledDelayMs: 20,
  });
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/items/')) {
      // async continuation: the context must survive the await
      setTimeout(() => {
        withCacheSpan('get', 'item', () => recordCacheResult(req.url === '/items/1?q=x'));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, 1);
      return;
    }
    res.writeHead(404).end();
  });
  telemetry.instrumentHttpServer(server, {
    route: (req) => (req.url?.startsWith('/items/') ? '/items/:id' : undefined),
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${base}/items/${i}?q=x`)).status, 200);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    const prom = await (await fetch(`${base}/metrics`)).text();
    assert.match(
      prom,
      new RegExp(
        `${METRICS.httpServerDuration}_count\\{http_request_method="GET",http_route="/items/:id",http_response_status_code="200"\\} 5`,
      ),
    );
    assert.match(
      prom,
      new RegExp(
        `${METRICS.httpServerDuration}_count\\{http_request_method="GET",http_route="",http_response_status_code="404"\\} 1`,
      ),
    );
    assert.doesNotMatch(prom, /# \{trace_id=/, 'no exemplars in Prometheus text');
    await telemetry.forceFlush();
    assert.ok(await waitFor(() => sink.spans.length >= 11));
    const servers = sink.spans.filter((s) => s.kind === 2);
    assert.equal(servers.length, 6, '/metrics itself is not traced');
    const items = servers.filter((s) => s.name === 'GET /items/:id');
    assert.equal(items.length, 5);
    assert.ok(String(items[0].attributes[ATTR.urlPath]).startsWith('/items/'));
    assert.ok(!String(items[0].attributes[ATTR.urlPath]).includes('?'), 'query string is not in url.path');
    assert.equal(items[0].attributes[ATTR.urlQuery], 'q=x', 'the query string is url.query');
    assert.equal(
      servers.find((s) => s.name === 'GET')?.attributes[ATTR.urlQuery],
      undefined,
      'no query, no url.query',
    );
    const caches = sink.spans.filter((s) => s.name === 'cache get');
    assert.equal(caches.length, 5);
    for (const c of caches)
      assert.ok(items.some((p) => p.spanId === c.parentSpanId && p.traceId === c.traceId));
    assert.equal(caches.filter((c) => c.attributes[ATTR.cacheHit] === true).length, 1);
    assert.equal(servers.find((s) => s.name === 'GET')?.attributes[ATTR.httpStatusCode], 404);
  } finally {
    server.close();
    await telemetry.shutdown();
    await sink.close();
  }
});

test('a request with a body records http.request.body.size from Content-Length; one without, none', async () => {
  const sink = await new OtlpSink().start();
  const telemetry = startTelemetry({
    serviceName: 'plain-http-body',
    otlpEndpoint: sink.url,
    handleSignals: false,
    logLevel: 'silent',
    scheduledDelayMs: 20,
  });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(201).end());
  });
  telemetry.instrumentHttpServer(server, { route: () => '/orders' });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.equal((await fetch(`${base}/orders`, { method: 'POST', body: '{"id":7}' })).status, 201);
    assert.equal((await fetch(`${base}/orders`)).status, 201);
    await telemetry.forceFlush();
    assert.ok(await waitFor(() => sink.spans.filter((s) => s.kind === 2).length >= 2));
    const [post, get] = ['POST', 'GET'].map((m) =>
      sink.spans.find((s) => s.kind === 2 && s.attributes[ATTR.httpMethod] === m),
    );
    assert.equal(post?.attributes[ATTR.httpRequestBodySize], 8);
    assert.equal(get?.attributes[ATTR.httpRequestBodySize], undefined);
  } finally {
    server.close();
    await telemetry.shutdown();
    await sink.close();
  }
});
