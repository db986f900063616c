// A real node:http server for runner tests: records every request (time, path, headers), can
// add latency, and can stall every request that arrives inside a window until the window ends.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface SeenRequest {
  at: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  url: string;
  seen: SeenRequest[];
  /** Highest number of requests in progress at once. */
  maxConcurrent: number;
  /** performance.now() when `stallFrom`/`stallUntil` are measured from. */
  setStall(fromMs: number, untilMs: number): void;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    latencyMs?: number;
    delay?: (path: string) => number;
    status?: (path: string) => number;
    body?: (path: string) => unknown;
  } = {},
): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  let stall: [number, number] | undefined;
  let inProgress = 0;
  const state = { maxConcurrent: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      inProgress++;
      state.maxConcurrent = Math.max(state.maxConcurrent, inProgress);
      const path = req.url ?? '/';
      seen.push({
        at,
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      let delay = options.delay?.(path) ?? options.latencyMs ?? 0;
      if (stall && at >= stall[0] && at < stall[1]) delay = Math.max(delay, stall[1] - at);
      const answer = () => {
        inProgress--;
        res.statusCode = options.status?.(path) ?? 200;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(options.body?.(path) ?? { ok: true, id: `id-${seen.length}` }));
      };
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    setStall(from, until) {
      stall = [from, until];
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
