// A real Alertmanager (Debian's 0.25 in CI) for drills and tests, with a webhook receiver in this
// process: what reaches Alertmanager is read from its API, and what it would page someone with
// is what the webhook receives (firing, then resolved), each with the time it arrived.

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ENV, readEnv } from '@marketbench/contracts';
import { stringify } from 'yaml';
import { freePort, type ServerChild, startServerChild } from './childProcess.ts';

/** How to start Alertmanager. */
export interface AlertmanagerOptions {
  /** Working directory (config, state); the caller removes it. */
  dir: string;
  /** Labels alerts are grouped by (default: alertname, slo_id, severity, as deploy/alertmanager). */
  groupBy?: readonly string[];
  /** The binary (default `prometheus-alertmanager`, Debian's name; env ALERTMANAGER_BIN). */
  bin?: string;
}

/** One webhook notification, as Alertmanager's webhook_config posts it. */
export interface Notification {
  /** When it arrived (ms since the epoch). */
  receivedAt: number;
  /** `firing` or `resolved`. */
  status: string;
  /** The group's alerts. */
  alerts: { status: string; labels: Record<string, string>; startsAt: string; endsAt: string }[];
}

/** An alert as Alertmanager's /api/v2/alerts lists it. */
export interface AmAlert {
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

/** A running Alertmanager. */
export interface AlertmanagerServer extends ServerChild {
  /** Alerts Alertmanager holds now (active, not resolved). */
  alerts(): Promise<AmAlert[]>;
  /** Every notification the webhook got so far, oldest first. */
  readonly notifications: readonly Notification[];
}

/** The alertmanager.yml: one webhook receiver, fast grouping (drills measure seconds). */
export function alertmanagerConfig(webhookUrl: string, groupBy: readonly string[]): string {
  return stringify({
    route: {
      receiver: 'webhook',
      group_by: [...groupBy],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1h',
    },
    receivers: [{ name: 'webhook', webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
  });
}

/** Starts the webhook receiver and Alertmanager on free loopback ports. */
export async function startAlertmanager(o: AlertmanagerOptions): Promise<AlertmanagerServer> {
  fs.mkdirSync(o.dir, { recursive: true });
  const notifications: Notification[] = [];
  const hook = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<Notification, 'receivedAt'>;
        notifications.push({ receivedAt: Date.now(), status: body.status, alerts: body.alerts });
      } catch {
        // not a notification; answer anyway so Alertmanager does not retry it
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
  const configFile = path.join(o.dir, 'alertmanager.yml');
  fs.writeFileSync(configFile, alertmanagerConfig(hookUrl, o.groupBy ?? ['alertname', 'slo_id', 'severity']));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ServerChild;
  try {
    child = await startServerChild({
      name: 'alertmanager',
      command: o.bin ?? readEnv(ENV.alertmanagerBin) ?? 'prometheus-alertmanager',
      args: [
        `--config.file=${configFile}`,
        `--storage.path=${path.join(o.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // No gossip port: a single instance, and nothing bound beyond the loopback API.
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      url,
      readyPath: '/-/ready',
    });
  } catch (err) {
    hook.close();
    throw err;
  }
  return {
    url,
    logTail: child.logTail,
    notifications,
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts`, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`Alertmanager /api/v2/alerts: HTTP ${res.status}`);
      return (await res.json()) as AmAlert[];
    },
    async stop(graceMs) {
      await child.stop(graceMs);
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    },
  };
}
