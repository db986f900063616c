// The trivial server both generators hit: node:http, a small JSON body, keep-alive. Runs in its
// own process so it never shares an event loop with a generator. Prints its URL on stdout.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({ ok: true, items: [1, 2, 3] });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('disconnect', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
