// What can be checked of docker-compose.yml on a machine without a Docker engine:
// the file validates, every file it mounts exists, ports are loopback-only and distinct,
// images are pinned, environment variables are ones the code reads, and the collector's
// ClickHouse exporter config uses the exporter's documented options and our table names.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import YAML from 'yaml';
import { missingCommand, needs } from '../../test-support/dependency.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const composeFile = path.join(root, 'docker-compose.yml');

type Service = {
  image?: string;
  build?: unknown;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
};
const compose = YAML.parse(fs.readFileSync(composeFile, 'utf8')) as { services: Record<string, Service> };
const services = Object.entries(compose.services);

test('docker-compose config validates the file', (t) => {
  if (!needs(t, missingCommand('docker-compose'))) return;
  const r = spawnSync(
    'docker-compose',
    ['-f', composeFile, '--profile', 'load', '--profile', 'k6', 'config', '-q'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
});

test('every bind-mounted file or folder exists and is not empty', () => {
  for (const [name, svc] of services) {
    for (const volume of svc.volumes ?? []) {
      const [host] = volume.split(':');
      if (!host.startsWith('.')) continue; // named volume
      const p = path.join(root, host);
      assert.ok(fs.existsSync(p), `${name}: ${host} does not exist`);
      if (fs.statSync(p).isDirectory()) {
        assert.ok(fs.readdirSync(p).length > 0, `${name}: ${host} is empty`);
      }
    }
  }
});

test('Grafana provisioning points at generated dashboards and alert rules', () => {
  const provisioning = path.join(root, 'dashboards/provisioning/dashboards');
  const providers = fs
    .readdirSync(provisioning)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .flatMap(
      (f) =>
        (YAML.parse(fs.readFileSync(path.join(provisioning, f), 'utf8')).providers ?? []) as {
          options: { path: string };
        }[],
    );
  assert.ok(providers.length > 0, 'no dashboard provider');
  const grafanaMounts = compose.services.grafana.volumes ?? [];
  for (const provider of providers) {
    const mount = grafanaMounts
      .filter((v) => v.startsWith('.') && provider.options.path.startsWith(v.split(':')[1]))
      .sort((a, b) => b.split(':')[1].length - a.split(':')[1].length)[0];
    assert.ok(mount, `provider path ${provider.options.path} is not mounted into grafana`);
    const hostDir = path.join(root, mount.split(':')[0]);
    assert.ok(
      fs.readdirSync(hostDir).some((f) => f.endsWith('.json')),
      `${hostDir} holds no dashboard JSON`,
    );
  }
  const datasources = path.join(root, 'dashboards/provisioning/datasources');
  const ds = fs.readdirSync(datasources).flatMap(
    (f) =>
      (YAML.parse(fs.readFileSync(path.join(datasources, f), 'utf8')).datasources ?? []) as {
        type: string;
      }[],
  );
  assert.ok(
    ds.some((d) => d.type === 'grafana-clickhouse-datasource'),
    'no ClickHouse datasource provisioned',
  );
});

test('published ports are on 127.0.0.1 only and never collide', () => {
  const seen = new Map<string, string>();
  for (const [name, svc] of services) {
    for (const port of svc.ports ?? []) {
      assert.match(port, /^127\.0\.0\.1:\d+:\d+$/, `${name} publishes ${port} beyond loopback`);
      const host = port.split(':')[1];
      assert.ok(!seen.has(host), `port ${host} published by ${seen.get(host)} and ${name}`);
      seen.set(host, name);
    }
  }
});

test('every image is pinned to a version', () => {
  for (const [name, svc] of services) {
    if (!svc.image) continue;
    const tag = svc.image.split(':')[1] ?? '';
    assert.match(tag, /^v?\d+\.\d+/, `${name}: image ${svc.image} is not pinned`);
  }
});

test('environment variables given to marketbench containers are ones the code reads', () => {
  const sources: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'test') walk(p);
      else if (entry.isFile() && p.endsWith('.ts')) sources.push(fs.readFileSync(p, 'utf8'));
    }
  };
  for (const ws of ['cli', 'instrumentation', 'reference-service', 'load-scenarios', 'telemetry-store']) {
    walk(path.join(root, ws, 'src'));
  }
  const code = sources.join('\n');
  // OTEL_* variables are read by the OpenTelemetry SDK itself, per its specification.
  const sdkRead = new Set(['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME']);
  for (const name of ['reference-service', 'schema', 'load']) {
    for (const key of Object.keys(compose.services[name].environment ?? {})) {
      if (sdkRead.has(key)) continue;
      assert.ok(code.includes(key), `${name}: ${key} is not read anywhere in the code`);
    }
  }
});

test('collector ClickHouse exporter config uses documented options and our table names', async () => {
  const { OTEL_TABLES } = await import('@marketbench/contracts');
  const config = YAML.parse(fs.readFileSync(path.join(root, 'deploy/otel-collector/config.yaml'), 'utf8'));
  const schema = JSON.parse(
    fs.readFileSync(path.join(root, 'deploy/otel-collector/clickhouse-exporter.schema.json'), 'utf8'),
  );
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const exporter = config.exporters.clickhouse;
  const valid = validate(exporter) as boolean;
  assert.ok(valid, JSON.stringify(validate.errors));
  assert.equal(exporter.create_schema, false, 'marketbench migrations own the schema');
  assert.equal(exporter.traces_table_name, OTEL_TABLES.traces);
  assert.equal(exporter.logs_table_name, OTEL_TABLES.logs);
  assert.equal(exporter.metrics_tables.gauge.name, OTEL_TABLES.metricsGauge);
  assert.equal(exporter.metrics_tables.sum.name, OTEL_TABLES.metricsSum);
  assert.equal(exporter.metrics_tables.histogram.name, OTEL_TABLES.metricsHistogram);
  assert.equal(exporter.metrics_tables.exponential_histogram.name, OTEL_TABLES.metricsExponentialHistogram);
  assert.equal(exporter.metrics_tables.summary.name, OTEL_TABLES.metricsSummary);
  // every pipeline ends in ClickHouse, and the prometheus receiver scrapes the reference service
  for (const pipeline of Object.values(config.service.pipelines) as { exporters: string[] }[]) {
    assert.deepEqual(pipeline.exporters, ['clickhouse']);
  }
  const targets = config.receivers.prometheus.config.scrape_configs[0].static_configs[0].targets;
  assert.deepEqual(targets, ['reference-service:8080']);
});

test('Prometheus config is valid for promtool', (t) => {
  if (!needs(t, missingCommand('promtool'))) return;
  const r = spawnSync('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

// The compose Prometheus and Alertmanager against the generated SLO rules: every job a rule
// selects is scraped (the ingest's too: the freshness SLO reads marketbench_ingest_lag_seconds),
// and Alertmanager groups only by labels every alert carries.
const rulesDir = path.join(root, 'slo-definitions/generated/prometheus');
const ruleGroups = fs
  .readdirSync(rulesDir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap(
    (f) =>
      (
        YAML.parse(fs.readFileSync(path.join(rulesDir, f), 'utf8')) as {
          groups: {
            rules: { record?: string; alert?: string; expr: string; labels?: Record<string, string> }[];
          }[];
        }
      ).groups,
  );

test('compose Prometheus scrapes every job the generated SLO rules select', () => {
  const prom = YAML.parse(fs.readFileSync(path.join(root, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
    scrape_configs: { job_name: string }[];
    rule_files: string[];
  };
  const scraped = new Set(prom.scrape_configs.map((c) => c.job_name));
  const selected = new Set(
    ruleGroups.flatMap((g) =>
      g.rules.flatMap((r) => [...r.expr.matchAll(/\bjob="([^"]+)"/g)].map((m) => m[1])),
    ),
  );
  assert.ok(
    selected.has('marketbench-ingest') && selected.has('marketbench-reference-service'),
    [...selected].join(),
  );
  for (const job of selected)
    assert.ok(scraped.has(job), `rules select job="${job}" but compose Prometheus does not scrape it`);
  assert.deepEqual(prom.rule_files, ['/etc/prometheus/rules/*.yaml']);
  const mount = compose.services.prometheus.volumes?.find((v) => v.endsWith(':/etc/prometheus/rules:ro'));
  assert.equal(mount, './slo-definitions/generated/prometheus:/etc/prometheus/rules:ro');
});

test('compose Alertmanager groups by labels every generated alert carries', () => {
  const am = YAML.parse(fs.readFileSync(path.join(root, 'deploy/alertmanager/alertmanager.yml'), 'utf8')) as {
    route: { group_by: string[]; routes?: { matchers: string[] }[] };
  };
  const alerts = ruleGroups.flatMap((g) => g.rules.filter((r) => r.alert));
  assert.ok(alerts.length >= 18);
  for (const a of alerts) {
    for (const label of am.route.group_by) {
      if (label === 'alertname') continue;
      assert.ok(
        a.labels?.[label] !== undefined,
        `${a.alert} has no ${label} label (Alertmanager groups by it)`,
      );
    }
  }
  // The routes match on severity values the alerts set.
  const severities = new Set(alerts.map((a) => a.labels?.severity));
  for (const r of am.route.routes ?? []) {
    for (const m of r.matchers) {
      const v = /^severity="(.+)"$/.exec(m)?.[1];
      if (v) assert.ok(severities.has(v), `route on severity="${v}" that no alert sets`);
    }
  }
});
