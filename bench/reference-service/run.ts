// Throughput and latency of the reference service, fully instrumented: each endpoint alone, then a
// marketplace mix. The service runs in a child process (one event loop = one core for the JS);
// autocannon drives it from this process over loopback; an OTLP sink here accepts and discards
// spans. Prints req/s, p50/p99 latency, spans per request and the service's CPU per request.
//   node bench/reference-service/run.ts [--seconds 10] [--items 100000] [--connections 32] [--no-telemetry]
//     [--only <name part>] [--database-url postgres://…] (PostgreSQL instead of SQLite, in a throwaway schema)
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    items: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '32' },
    'no-telemetry': { type: 'boolean', default: false },
    only: { type: 'string' },
    'database-url': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const items = Number(values.items);
const connections = Number(values.connections);
const telemetryOn = !values['no-telemetry'];

// The OTLP sink: acknowledges every export with an empty (valid) protobuf response.
const sink = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    res.end();
  });
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const otlp = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-bench-refsvc-'));
const child = fork(path.join(import.meta.dirname, 'server.ts'), [], {
  env: {
    ...process.env,
    MB_BENCH_SERVICE: JSON.stringify({
      otlp,
      items,
      sqlitePath: path.join(dir, 'catalog.sqlite'),
      telemetry: telemetryOn,
      databaseUrl: values['database-url'],
      pgSchema: `mb_bench_${process.pid}`,
    }),
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
type Stats = { stats?: { spansEnded: number; spansDropped: number }; cpu: NodeJS.CpuUsage; rss: number };
const nextMessage = <T>(type: string) =>
  new Promise<T>((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type !== type) return;
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
  });
const ready = await nextMessage<{ url: string; seeded: { seconds: number } }>('ready');
const base = ready.url;
const stats = async () => {
  child.send({ type: 'stats' });
  return nextMessage<Stats>('stats');
};

const rand = (n: number) => 1 + Math.floor(Math.random() * n);
const WORDS = [
  'nike',
  'black boots',
  'vintage',
  'levis jeans',
  'patagonia',
  'dress',
  'camera',
  'zara coat',
  'sneakers 42',
  'tote',
];
const CATEGORIES = ['womenswear', 'menswear', 'shoes', 'bags', 'home', 'electronics'];
const card = { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' };

async function post(url: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(base + url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { id: string };
}

/** Carts with one distinct listing each, for checkouts that all succeed. */
let nextListing = Math.floor(items / 2);
async function makeCarts(n: number): Promise<string[]> {
  const carts: string[] = [];
  const worker = async () => {
    while (carts.length < n) {
      const listingId = nextListing++;
      const cart = await post('/carts', { buyerId: `bench-${listingId}` });
      await post(`/carts/${cart.id}/items`, { listingId });
      carts.push(cart.id);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return carts;
}

type Req = { method: 'GET' | 'POST'; path: string; body?: string; headers?: Record<string, string> };
let keySeq = 0;
function checkoutReq(carts: string[]): Req {
  const cartId = carts.pop();
  return {
    method: 'POST',
    path: '/checkout',
    headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${process.pid}-${keySeq++}` },
    body: JSON.stringify({ cartId: cartId ?? '00000000-0000-4000-8000-000000000000', payment: { card } }),
  };
}

const ENDPOINTS: Record<string, (carts: string[]) => Req> = {
  'GET /listings/:id': () => ({ method: 'GET', path: `/listings/${rand(items)}` }),
  'GET /listings': () => ({
    method: 'GET',
    path: `/listings?category=${CATEGORIES[rand(CATEGORIES.length) - 1]}&sort=${Math.random() < 0.5 ? 'newest' : 'price_asc'}&limit=20`,
  }),
  'GET /search': () => ({
    method: 'GET',
    path: `/search?q=${encodeURIComponent(WORDS[rand(WORDS.length) - 1])}&limit=20`,
  }),
  'GET /sellers/:id': () => ({ method: 'GET', path: `/sellers/${rand(Math.ceil(items / 20))}` }),
  'POST /checkout': checkoutReq,
};

/** The mix: browsing dominates, as on a marketplace; 5% of requests are checkouts. */
function mixReq(carts: string[]): Req {
  const r = Math.random();
  if (r < 0.35) return ENDPOINTS['GET /listings/:id'](carts);
  if (r < 0.6) return ENDPOINTS['GET /listings'](carts);
  if (r < 0.8) return ENDPOINTS['GET /search'](carts);
  if (r < 0.9) return ENDPOINTS['GET /sellers/:id'](carts);
  if (r < 0.95) return { method: 'GET', path: `/listings?brand=Nike&maxPriceCents=${rand(20_000)}&limit=20` };
  return checkoutReq(carts);
}

interface Row {
  scenario: string;
  'req/s': number;
  'p50 ms': number;
  'p99 ms': number;
  errors: number;
  'spans/req': string;
  'cpu ms/req': string;
}

async function measure(name: string, make: (carts: string[]) => Req, carts: string[]): Promise<Row> {
  const before = await stats();
  const result = await autocannon({
    url: base,
    connections,
    duration: seconds,
    requests: [{ setupRequest: (req: object) => ({ ...req, ...make(carts) }) }],
  });
  await new Promise((resolve) => setTimeout(resolve, 700));
  const after = await stats();
  const total = result.requests.total;
  const spans = (after.stats?.spansEnded ?? 0) - (before.stats?.spansEnded ?? 0);
  const cpuMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
  return {
    scenario: name,
    'req/s': Math.round(total / seconds),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    errors: result.errors + result.non2xx,
    'spans/req': telemetryOn ? (spans / total).toFixed(2) : '-',
    'cpu ms/req': (cpuMs / total).toFixed(3),
  };
}

const rows: Row[] = [];
try {
  for (const [name, make] of Object.entries(ENDPOINTS)) {
    if (values.only && !name.includes(values.only)) continue;
    // enough one-item carts that the row never runs out (a reused cart is a 404/409, not a checkout)
    const carts = name === 'POST /checkout' ? await makeCarts(Math.ceil(2500 * seconds)) : [];
    rows.push(await measure(name, make, carts));
  }
  if (!values.only || 'mix'.includes(values.only)) {
    const carts = await makeCarts(Math.ceil(400 * seconds));
    rows.push(await measure('marketplace mix', mixReq, carts));
  }
  const end = await stats();
  console.log(
    `reference service bench: ${values['database-url'] ? 'PostgreSQL' : 'SQLite'}, ${items} items, ${connections} connections, ${seconds} s per row, telemetry ${telemetryOn ? 'on (100% sampled, OTLP protobuf)' : 'off'}, ${os.cpus().length} cores`,
  );
  console.table(rows);
  console.log(
    `spans dropped: ${end.stats?.spansDropped ?? 0}; service RSS ${Math.round(end.rss / 2 ** 20)} MiB`,
  );
} finally {
  child.send({ type: 'stop' });
  await Promise.race([nextMessage('stopped'), new Promise((resolve) => setTimeout(resolve, 5000))]);
  child.kill();
  sink.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
