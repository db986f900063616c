import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { test } from 'node:test';
import { HttpClient } from '../../src/http/HttpClient.ts';

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('the plain-http client reads content-length, chunked, HEAD and 204 responses and sends bodies', async () => {
  const seen: Array<{ method: string; url: string; body: string; traceparent?: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: Buffer.concat(chunks).toString(),
        traceparent: req.headers.traceparent as string | undefined,
      });
      if (req.url === '/chunked') {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.write('{"a":');
        setTimeout(() => res.end('[1,2,3]}'), 5);
      } else if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, n: seen.length }));
      }
    });
  });
  const origin = await listen(server);
  const client = new HttpClient(origin, { connections: 2 });
  try {
    const get = await client.send({
      method: 'GET',
      path: '/x?q=1',
      headers: { traceparent: 'tp' },
      keepBody: true,
    });
    assert.equal(get.status, 200);
    assert.deepEqual(JSON.parse(String(get.body)), { ok: true, n: 1 });
    assert.equal(get.bytesReceived, get.body?.length);
    const chunked = await client.send({ method: 'GET', path: '/chunked', headers: {}, keepBody: true });
    assert.equal(chunked.status, 201);
    assert.deepEqual(JSON.parse(String(chunked.body)), { a: [1, 2, 3] });
    const head = await client.send({ method: 'HEAD', path: '/h', headers: {}, keepBody: false });
    assert.equal(head.status, 200);
    assert.equal(head.bytesReceived, 0);
    const empty = await client.send({ method: 'DELETE', path: '/empty', headers: {}, keepBody: false });
    assert.equal(empty.status, 204);
    const post = await client.send({
      method: 'POST',
      path: '/p',
      headers: { 'content-type': 'application/json' },
      body: '{"é":1}',
      keepBody: false,
    });
    assert.equal(post.status, 200);
    assert.equal(post.body, undefined);
    assert.ok(post.bytesReceived > 0);
    // 20 concurrent requests over 2 connections all complete.
    const many = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.send({ method: 'GET', path: `/m${i}`, headers: {}, keepBody: false }),
      ),
    );
    assert.deepEqual(new Set(many.map((r) => r.status)), new Set([200]));
    assert.equal(seen[0].traceparent, 'tp');
    assert.equal(seen[0].url, '/x?q=1');
    assert.equal(seen[4].method, 'POST');
    assert.equal(seen[4].body, '{"é":1}');
    assert.equal(seen.length, 25);
  } finally {
    await client.close(true);
    await new Promise((r) => server.close(r));
  }
});

test('the plain-http client reports refused connections, early closes and rejects header injection', async () => {
  // A raw server that answers the first request on a connection and then closes mid-response.
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
    });
  });
  const origin = await listen(server);
  const client = new HttpClient(origin, { connections: 1 });
  try {
    const cut = await client.send({ method: 'GET', path: '/', headers: {}, keepBody: true });
    assert.equal(cut.status, 0);
    assert.equal(cut.error, 'other side closed');
    const bad = await client.send({ method: 'GET', path: '/', headers: { x: 'a\r\nb: c' }, keepBody: false });
    assert.equal(bad.status, 0);
    assert.match(bad.error ?? '', /invalid x header/);
  } finally {
    await client.close(true);
    await new Promise((r) => server.close(r));
  }
  const refused = new HttpClient(origin, {});
  const r = await refused.send({ method: 'GET', path: '/', headers: {}, keepBody: false });
  assert.equal(r.status, 0);
  assert.match(r.error ?? '', /ECONNREFUSED/);
  await refused.close(true);
});

test('interrupting the owner fails the request in flight at once', async () => {
  const server = http.createServer(() => {
    // never answers
  });
  const origin = await listen(server);
  const client = new HttpClient(origin, { connections: 1 });
  let cancel: (() => void) | undefined;
  const owner = {
    aborted: false,
    onCancel(c: (() => void) | undefined) {
      cancel = c;
    },
  };
  const p = client.send({ method: 'GET', path: '/', headers: {}, keepBody: false }, owner);
  await new Promise((r) => setTimeout(r, 50));
  owner.aborted = true;
  cancel?.();
  const r = await p;
  assert.equal(r.error, 'iteration interrupted');
  assert.equal(r.dispatched, true);
  await client.close(true);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
