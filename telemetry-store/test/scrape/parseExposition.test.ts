// The exposition parser reads what prom-client serves in both formats: labelled histograms stay
// separate series, OpenMetrics counters and exemplars come through, bad lines are reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Histogram, type OpenMetricsContentType, Registry } from 'prom-client';
import { parseExposition } from '../../src/scrape/parseExposition.ts';

test('a labelled histogram keeps one series per label set (the packaged parser merged them)', async () => {
  const registry = new Registry();
  const h = new Histogram({
    name: 'lat',
    help: 'h',
    labelNames: ['route'],
    buckets: [0.1, 1],
    registers: [registry],
  });
  h.observe({ route: '/c' }, 0.5);
  h.observe({ route: '/d' }, 0.05);
  h.observe({ route: '/d' }, 3);
  const { families, errors } = parseExposition(await registry.metrics());
  assert.deepEqual(errors, []);
  assert.equal(families.length, 1);
  assert.deepEqual(
    families[0].series.map((s) => ({ labels: s.labels, buckets: s.buckets, count: s.count, sum: s.sum })),
    [
      {
        labels: { route: '/c' },
        buckets: [
          { le: 0.1, count: 0 },
          { le: 1, count: 1 },
          { le: Infinity, count: 1 },
        ],
        count: 1,
        sum: 0.5,
      },
      {
        labels: { route: '/d' },
        buckets: [
          { le: 0.1, count: 1 },
          { le: 1, count: 1 },
          { le: Infinity, count: 2 },
        ],
        count: 2,
        sum: 3.05,
      },
    ],
  );
});

test('OpenMetrics: counters named x_total, exemplars with trace ids, timestamps in seconds', async () => {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const c = new Counter({
    name: 'orders',
    help: 'Orders.',
    labelNames: ['status'],
    registers: [registry],
    enableExemplars: true,
  });
  c.inc({
    labels: { status: 'ok' },
    value: 2,
    // prom-client types exemplar labels as the metric's own label names; trace_id is what it emits.
    exemplarLabels: { trace_id: '0af7651916cd43dd8448eb211c80319c' } as unknown as { status: string },
  });
  const text = await registry.metrics();
  const { families, errors } = parseExposition(text, true);
  assert.deepEqual(errors, []);
  const orders = families.find((f) => f.name === 'orders')!;
  assert.equal(orders.type, 'counter');
  assert.equal(orders.sampleName, 'orders_total');
  assert.equal(orders.series[0].value, 2);
  assert.deepEqual(orders.series[0].exemplars[0].labels, { trace_id: '0af7651916cd43dd8448eb211c80319c' });
  assert.equal(orders.series[0].exemplars[0].value, 2);
});

test('escapes, NaN/Inf, timestamps and bad lines', () => {
  const { families, errors } = parseExposition(
    [
      '# HELP m A "quoted" help\\nline.',
      '# TYPE m gauge',
      'm{path="a\\"b\\\\c\\nd"} NaN 1700000000123',
      'm{path="x"} +Inf',
      'm{path="broken} 1',
      'n 12 ',
      'garbage line here',
    ].join('\n'),
  );
  const m = families.find((f) => f.name === 'm')!;
  assert.equal(m.help, 'A "quoted" help\nline.');
  assert.equal(m.series[0].labels.path, 'a"b\\c\nd');
  assert.ok(Number.isNaN(m.series[0].value));
  assert.equal(m.series[0].timestampMs, 1700000000123);
  assert.equal(m.series[1].value, Infinity);
  assert.equal(families.find((f) => f.name === 'n')?.series[0].value, 12);
  assert.equal(errors.length, 2);
  assert.match(errors[0], /^line 5: unterminated value of label path/);
  assert.match(errors[1], /^line 7: /);
});
