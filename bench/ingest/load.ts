// The benchmark's load generator, run as its own process so it does not take the ingest's core:
// posts pre-encoded OTLP protobuf requests to 127.0.0.1 for a bounded time, prints one JSON line.
import { Agent, request } from 'undici';
import { encodedSpans } from './spans.ts';

const [url, seconds, connections, spansPerRequest] = [
  process.argv[2],
  Number(process.argv[3]),
  Number(process.argv[4]),
  Number(process.argv[5]),
];
if (!/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)[:/]/.test(url)) throw new Error('loopback targets only');
const bodies = Array.from({ length: 64 }, (_, i) => encodedSpans(1000 + i, spansPerRequest));
const agent = new Agent({ connections, keepAliveTimeout: 30_000 });
// The bodies are ready: the parent starts its clock on this line.
process.stdout.write('ready\n');
const deadline = Date.now() + seconds * 1000;
const statuses: Record<number, number> = {};
let acked = 0;
let seq = 0;
const worker = async () => {
  while (Date.now() < deadline) {
    const res = await request(`${url}/v1/traces`, {
      method: 'POST',
      body: bodies[seq++ % bodies.length],
      headers: { 'content-type': 'application/x-protobuf' },
      dispatcher: agent,
    });
    await res.body.dump();
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    if (res.statusCode === 200) acked += spansPerRequest;
    else if (res.statusCode === 429) await new Promise((r) => setTimeout(r, 50));
  }
};
await Promise.all(Array.from({ length: connections }, worker));
await agent.close();
process.stdout.write(`${JSON.stringify({ acked, statuses })}\n`);
