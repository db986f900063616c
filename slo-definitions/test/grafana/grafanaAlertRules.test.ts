// Every ClickHouse query of the generated Grafana alert rules, expanded with the Grafana
// ClickHouse plugin's macros (dashboards' expander) and executed on chDB over rows with known
// error ratios; plus the structure Grafana's provisioning needs.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { METRICS, ROUTES } from '@marketbench/contracts';
import { datasourceProvisioning, expandQuery } from '@marketbench/dashboards';
import { openStore, type Store } from '@marketbench/telemetry-store';
import { parse } from 'yaml';
import { PACKAGE_DIR } from '../../src/build/gen.ts';
import {
  CLICKHOUSE_DATASOURCE,
  grafanaAlertRule,
  windowQueries,
} from '../../src/grafana/grafanaAlertRules.ts';
import { loadSpecs } from '../../src/spec/loadSpecs.ts';
import { counterSample, gaugeSample, serverSpan } from '../clickhouse/spanRows.ts';

const AT = Date.parse('2026-11-21T12:00:00Z');
const MIN = 60_000;
const slos = loadSpecs();
let store: Store;
let home: string;

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-slo-grafana-'));
  store = await openStore({ home });
  const spans = [];
  // Over the last 10 minutes: per minute one OK and one 500 on /checkout, one 409 (excluded),
  // and on every browse route one fast and one slow (400 ms) GET.
  for (let m = 10; m >= 1; m--) {
    const atMs = AT - m * MIN + 500;
    spans.push(serverSpan({ atMs, route: ROUTES.checkout, status: 201, durationMs: 100 }));
    spans.push(serverSpan({ atMs, route: ROUTES.checkout, status: 500, durationMs: 1500 }));
    spans.push(serverSpan({ atMs, route: ROUTES.checkout, status: 409 }));
    for (const route of [ROUTES.listings, ROUTES.listing, ROUTES.search, ROUTES.seller]) {
      spans.push(serverSpan({ atMs, route, status: 200, durationMs: 10 }));
      spans.push(serverSpan({ atMs, route, status: 200, durationMs: 400 }));
    }
  }
  await store.insert('otel_traces', spans);
  const sums = [];
  const gauges = [];
  for (let m = 10; m >= 0; m--) {
    const k = 10 - m;
    const atMs = AT - m * MIN;
    sums.push(
      counterSample({
        atMs,
        startMs: AT - 10 * MIN,
        metric: METRICS.pspRequests,
        attributes: { operation: 'authorize', outcome: 'success' },
        value: 3 * k,
      }),
    );
    sums.push(
      counterSample({
        atMs,
        startMs: AT - 10 * MIN,
        metric: METRICS.pspRequests,
        attributes: { operation: 'authorize', outcome: 'timeout' },
        value: k,
      }),
    );
    gauges.push(gaugeSample({ atMs, metric: METRICS.ingestLagSeconds, value: m % 2 === 0 ? 60 : 1 }));
  }
  await store.insert('otel_metrics_sum', sums);
  await store.insert('otel_metrics_gauge', gauges);
});

after(async () => {
  await store?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

// Expected error ratio over the last 30 minutes (all rows are within it) per SLO.
const EXPECTED: Record<string, number> = {
  'reference-service-browse-availability': 0,
  'reference-service-search-availability': 0,
  'reference-service-item-availability': 0,
  'reference-service-item-latency': 0.5,
  'reference-service-search-latency': 0.5,
  'reference-service-checkout-success': 0.5,
  'reference-service-checkout-latency': 0.5,
  'reference-service-psp-authorization-success': 0.25,
  'ingest-freshness': 6 / 11,
};

test('every alert query runs on chDB after macro expansion and returns the known error ratio', async () => {
  let executed = 0;
  for (const slo of slos) {
    for (const severity of ['page', 'ticket'] as const) {
      for (const q of windowQueries(slo, severity)) {
        const sql = expandQuery(q.rawSql, {
          from: new Date(AT - q.seconds * 1000),
          to: new Date(AT),
          intervalMs: 60_000,
        });
        assert.doesNotMatch(sql, /\$__/);
        const rows = await store.query<{ error_ratio: number }>(sql);
        assert.equal(rows.length, 1, `${slo.id} ${q.refId}`);
        const expected = q.seconds >= 1800 ? EXPECTED[slo.id] : undefined;
        if (expected !== undefined)
          assert.ok(
            Math.abs(Number(rows[0].error_ratio) - expected) < 1e-9,
            `${slo.id} ${q.refId}: ${rows[0].error_ratio}`,
          );
        executed += 1;
      }
    }
  }
  assert.ok(executed >= 9 * 8, `executed ${executed}`);
});

test('a window with no events returns no row: No data, which the rules treat as OK (not an outage)', async () => {
  for (const id of ['reference-service-checkout-success', 'reference-service-psp-authorization-success']) {
    const slo = slos.find((s) => s.id === id)!;
    const [q] = windowQueries(slo, 'page');
    const sql = expandQuery(q.rawSql, {
      from: new Date(AT + 3600_000),
      to: new Date(AT + 7200_000),
      intervalMs: 60_000,
    });
    assert.deepEqual(await store.query(sql), [], id);
    assert.equal(grafanaAlertRule(slo, 'page')?.noDataState, 'OK');
  }
});

test('HTTP SLIs read the per-minute rollup, never raw spans; counters read the sum table', () => {
  for (const slo of slos) {
    for (const q of windowQueries(slo, 'page')) {
      assert.doesNotMatch(q.rawSql, /otel_traces/, `${slo.id} ${q.refId}`);
      if (slo.sli.kind === 'httpAvailability' || slo.sli.kind === 'httpLatency')
        assert.match(q.rawSql, /FROM marketbench_http_sli_1m/, slo.id);
    }
  }
});

test('each rule: queries over its windows, reduce, math over the pairs, threshold as condition', () => {
  const slo = slos.find((s) => s.id === 'reference-service-checkout-success')!;
  const rule = grafanaAlertRule(slo, 'page')!;
  assert.equal(rule.condition, 'alert');
  assert.deepEqual(
    rule.data.filter((d) => d.relativeTimeRange).map((d) => [d.refId, d.relativeTimeRange?.from]),
    [
      ['err_5m', 300],
      ['err_30m', 1800],
      ['err_1h', 3600],
      ['err_6h', 21600],
    ],
  );
  const math = rule.data.find((d) => d.refId === 'burn')?.model.expression;
  assert.equal(
    math,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana math references, not a JS template
    '(${last_err_1h} > 0.144 && ${last_err_5m} > 0.144) || (${last_err_6h} > 0.06 && ${last_err_30m} > 0.06)',
  );
  assert.equal(rule.labels.severity, 'page');
  assert.ok(rule.uid.length <= 40);
});

test('the committed provisioning file is apiVersion 1 with one group per SLO and unique uids', () => {
  const text = fs.readFileSync(path.join(PACKAGE_DIR, 'generated/grafana/slo-alert-rules.yaml'), 'utf8');
  const doc = parse(text) as {
    apiVersion: number;
    groups: { name: string; folder: string; rules: { uid: string; data: { datasourceUid: string }[] }[] }[];
  };
  assert.equal(doc.apiVersion, 1);
  assert.equal(doc.groups.length, slos.length);
  const uids = doc.groups.flatMap((g) => g.rules.map((r) => r.uid));
  assert.equal(new Set(uids).size, uids.length);
  assert.ok(doc.groups.every((g) => g.folder === 'SLOs' && g.rules.length === 2));
  assert.ok(
    doc.groups.every((g) =>
      g.rules.every((r) => r.data.some((d) => d.datasourceUid === CLICKHOUSE_DATASOURCE.uid)),
    ),
  );
});

test('the rules query the ClickHouse data source the dashboards provision (same uid and plugin)', () => {
  const ds = (parse(datasourceProvisioning()) as { datasources: { uid: string; type: string }[] })
    .datasources;
  assert.ok(
    ds.some((d) => d.uid === CLICKHOUSE_DATASOURCE.uid && d.type === CLICKHOUSE_DATASOURCE.type),
    JSON.stringify(ds),
  );
});
