// node:http integration for services without Fastify: wraps this one server's `emit('request')`
// (no global patching) so every listener runs inside the server span's context, ends the span
// when the response finishes or the connection closes, and optionally answers the metrics path.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { HttpServerInstrumentationOptions } from '../types.ts';
import type { ServerRequestTracker } from './ServerRequestTracker.ts';

const kInstrumented = Symbol.for('marketbench.instrumentedHttpServer');

/** Instruments `server`; calling it twice on the same server is a no-op. */
export function instrumentHttpServer(
  server: Server,
  tracker: ServerRequestTracker,
  metricsHandler: (req: IncomingMessage, res: ServerResponse) => void,
  config: { ignoreRoutes: readonly string[]; metricsPath: string },
  options: HttpServerInstrumentationOptions = {},
): Server {
  const marked = server as Server & { [kInstrumented]?: boolean };
  if (marked[kInstrumented]) return server;
  marked[kInstrumented] = true;
  const ignored = new Set(config.ignoreRoutes);
  const serveMetrics = options.serveMetrics !== false && config.metricsPath !== '';
  const resolve = options.route;
  const originalEmit = server.emit;

  server.emit = function emit(this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'request') return Reflect.apply(originalEmit, this, [event, ...args]) as boolean;
    const req = args[0] as IncomingMessage;
    const res = args[1] as ServerResponse;
    const path = req.url ?? '/';
    if (
      serveMetrics &&
      req.method === 'GET' &&
      (path === config.metricsPath || path.startsWith(`${config.metricsPath}?`))
    ) {
      metricsHandler(req, res);
      return true;
    }
    let route: string | undefined;
    try {
      route = resolve?.(req);
    } catch {
      route = undefined;
    }
    if (route !== undefined && ignored.has(route))
      return Reflect.apply(originalEmit, this, [event, ...args]) as boolean;
    const tracked = tracker.start(
      req.method ?? 'GET',
      route,
      path,
      'encrypted' in req.socket ? 'https' : 'http',
      req.headers,
    );
    res.once('finish', () => tracker.end(tracked, res.statusCode));
    res.once('close', () => {
      if (!tracked.done) tracker.end(tracked, res.writableFinished ? res.statusCode : 499);
    });
    return tracker.run(tracked, () => Reflect.apply(originalEmit, this, [event, ...args]) as boolean);
  } as typeof server.emit;
  return server;
}
