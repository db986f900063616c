// A real Prometheus (Debian's 2.42 in CI) for drills and tests: our generated rule files loaded
// unchanged, scraping the given targets, evaluating and alerting at the given intervals, sending
// to an Alertmanager; plus the few HTTP API calls the drills read (instant query, alerts, rules).

import fs from 'node:fs';
import path from 'node:path';
import { ENV, readEnv } from '@marketbench/contracts';
import { stringify } from 'yaml';
import { freePort, type ServerChild, startServerChild } from './childProcess.ts';

/** One scrape target: a /metrics URL and the job (service) it is scraped as. */
export interface ScrapeTarget {
  /** Full URL of the exposition, e.g. `http://127.0.0.1:8080/metrics`. */
  url: string;
  /** Prometheus job name. */
  job: string;
}

/** How to start Prometheus. */
export interface PrometheusOptions {
  /** Working directory (config, TSDB); the caller removes it. */
  dir: string;
  /** Rule files, loaded as they are. */
  ruleFiles: readonly string[];
  /** What to scrape. */
  targets: readonly ScrapeTarget[];
  /** Alertmanager base URL (`http://127.0.0.1:9093`), if alerts should be sent. */
  alertmanagerUrl?: string;
  /** Scrape interval (default `5s`). */
  scrapeInterval?: string;
  /** Rule evaluation interval (default `5s`). */
  evaluationInterval?: string;
  /** The binary (default `prometheus`, env PROMETHEUS_BIN). */
  bin?: string;
}

/** One sample of an instant query. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

/** An alert as /api/v1/alerts lists it. */
export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

/** A running Prometheus. */
export interface PrometheusServer extends ServerChild {
  /** Instant query at now. */
  query(expr: string): Promise<PromSample[]>;
  /** Pending and firing alerts. */
  alerts(): Promise<PromAlert[]>;
  /** Names of the recording rules loaded, with their labels (what the rule files define). */
  recordingRules(): Promise<{ record: string; labels: Record<string, string>; health: string }[]>;
}

async function api<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus ${url}: ${body.error ?? res.status}`);
  return body.data;
}

/** The prometheus.yml for `o` (exported for the compose check and the docs). */
export function prometheusConfig(o: Omit<PrometheusOptions, 'dir' | 'bin'>): string {
  const scrapeInterval = o.scrapeInterval ?? '5s';
  const config: Record<string, unknown> = {
    global: { scrape_interval: scrapeInterval, evaluation_interval: o.evaluationInterval ?? '5s' },
    rule_files: [...o.ruleFiles],
    scrape_configs: o.targets.map((t) => {
      const u = new URL(t.url);
      return {
        job_name: t.job,
        scheme: u.protocol.replace(':', ''),
        metrics_path: u.pathname,
        static_configs: [{ targets: [u.host] }],
      };
    }),
  };
  if (o.alertmanagerUrl) {
    config.alerting = {
      alertmanagers: [{ static_configs: [{ targets: [new URL(o.alertmanagerUrl).host] }] }],
    };
  }
  return stringify(config);
}

/** Starts Prometheus on a free loopback port and waits until it is ready. */
export async function startPrometheus(o: PrometheusOptions): Promise<PrometheusServer> {
  fs.mkdirSync(o.dir, { recursive: true });
  const configFile = path.join(o.dir, 'prometheus.yml');
  fs.writeFileSync(configFile, prometheusConfig(o));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startServerChild({
    name: 'prometheus',
    command: o.bin ?? readEnv(ENV.prometheusBin) ?? 'prometheus',
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(o.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    url,
    readyPath: '/-/ready',
  });
  return {
    ...child,
    async query(expr) {
      const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `${url}/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async alerts() {
      return (await api<{ alerts: PromAlert[] }>(`${url}/api/v1/alerts`)).alerts;
    },
    async recordingRules() {
      const data = await api<{
        groups: {
          rules: { type: string; name: string; labels?: Record<string, string>; health: string }[];
        }[];
      }>(`${url}/api/v1/rules?type=record`);
      return data.groups.flatMap((g) =>
        g.rules.map((r) => ({ record: r.name, labels: r.labels ?? {}, health: r.health })),
      );
    },
  };
}
