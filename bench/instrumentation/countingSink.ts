// A minimal OTLP/HTTP traces endpoint for the benchmark: reads each body, counts the spans in it
// (walking the protobuf wire format just deep enough, or JSON.parse for http/json) and answers
// 200 at once. It runs in its own worker thread so it neither shares the server's thread nor the
// load generator's. Messages: {type:'count'} -> {spans, requests, bytes}; {type:'reset'}.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';

function varint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [result, pos];
    shift += 7;
  }
}

/** Calls `onField(fieldNumber, start, end)` for each length-delimited field of a message. */
function eachLenField(
  buf: Buffer,
  start: number,
  end: number,
  onField: (field: number, s: number, e: number) => void,
): void {
  let pos = start;
  while (pos < end) {
    let key: number;
    [key, pos] = varint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) [, pos] = varint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      let len: number;
      [len, pos] = varint(buf, pos);
      onField(field, pos, pos + len);
      pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

/** Spans in an ExportTraceServiceRequest: resource_spans(1) > scope_spans(2) > spans(2). */
export function countProtobufSpans(buf: Buffer): number {
  let n = 0;
  eachLenField(buf, 0, buf.length, (f1, s1, e1) => {
    if (f1 !== 1) return;
    eachLenField(buf, s1, e1, (f2, s2, e2) => {
      if (f2 !== 2) return;
      eachLenField(buf, s2, e2, (f3) => {
        if (f3 === 2) n++;
      });
    });
  });
  return n;
}

function countJsonSpans(buf: Buffer): number {
  const obj = JSON.parse(buf.toString('utf8')) as {
    resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
  };
  let n = 0;
  for (const rs of obj.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

let spans = 0;
let requests = 0;
let bytes = 0;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const json = String(req.headers['content-type']).includes('json');
    requests++;
    bytes += body.length;
    if (req.url?.endsWith('/v1/traces')) {
      try {
        spans += json ? countJsonSpans(body) : countProtobufSpans(body);
      } catch {
        res.writeHead(400).end();
        return;
      }
    }
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : undefined);
  });
});

if (parentPort) {
  const port = parentPort;
  server.listen(0, '127.0.0.1', () =>
    port.postMessage({ type: 'listening', port: (server.address() as AddressInfo).port }),
  );
  port.on('message', (m: { type: string }) => {
    if (m.type === 'count') port.postMessage({ type: 'count', spans, requests, bytes });
    else if (m.type === 'reset') {
      spans = 0;
      requests = 0;
      bytes = 0;
      port.postMessage({ type: 'reset' });
    } else if (m.type === 'close') {
      server.closeAllConnections();
      server.close(() => port.close());
    }
  });
}
