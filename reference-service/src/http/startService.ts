// Runs the reference service on a socket: builds the app, listens, and hands back the URL and
// a close() that drains in-flight requests and closes every dependency.
import type { ServiceOptions } from '../types.ts';
import { buildMarketApp, type MarketApp } from './buildApp.ts';

export interface RunningService extends MarketApp {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Bearer token of the admin routes. */
  adminToken: string;
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions = {}): Promise<RunningService> {
  const market = await buildMarketApp(options);
  const { host, port } = market.services.options;
  try {
    await market.app.listen({ host, port });
  } catch (err) {
    await market.app.close();
    throw err;
  }
  const address = market.app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    ...market,
    url: `http://${shownHost}:${actualPort}`,
    adminToken: market.services.options.adminToken,
    close: () => market.app.close(),
  };
}
