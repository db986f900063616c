// k6's `--summary-export` JSON (the legacy end-of-test shape that CI tools and k6 reporters read):
// root_group with the checks, options, state, and one entry per metric and per threshold
// sub-metric. Its quirks are k6's: a threshold maps to true when it FAILED, and a rate's `passes`
// counts its non-zero samples (for http_req_failed, the failed requests).

import { createHash } from 'node:crypto';
import type { Aggregate } from '../metrics/MetricRegistry.ts';
import { parseMetricKey } from '../thresholds/parseThreshold.ts';
import type { RunResult } from '../types.ts';

/** The trend statistics k6 exports by default (`summaryTrendStats`), plus p(99) as our summary prints. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'] as const;

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function metricEntry(a: Aggregate): Record<string, number> {
  switch (a.type) {
    case 'trend':
      return {
        avg: a.avg,
        min: a.min,
        med: a.percentile(50),
        max: a.max,
        'p(90)': a.percentile(90),
        'p(95)': a.percentile(95),
        'p(99)': a.percentile(99),
      };
    case 'counter':
      return { count: a.count, rate: a.rate };
    case 'rate': {
      const passes = Math.round(a.rate * a.count);
      return { passes, fails: a.count - passes, value: a.rate };
    }
    default:
      return { value: a.value, min: a.min, max: a.max };
  }
}

/** The `--summary-export` document of a run. */
export function summaryExport(
  r: RunResult,
  state: { isStdOutTTY?: boolean; isStdErrTTY?: boolean } = {},
): Record<string, unknown> {
  const d = r.durationSec;
  const metrics: Record<string, Record<string, unknown>> = {};
  for (const name of r.metrics.metricNames().sort()) {
    const a = r.metrics.aggregate(name, {}, d);
    if (a) metrics[name] = metricEntry(a);
  }
  // Thresholds go on their metric, or on a sub-metric entry named like the threshold key.
  for (const t of r.thresholds) {
    const key = parseMetricKey(t.metric);
    if (typeof key === 'string') continue;
    if (!metrics[t.metric]) {
      const a = r.metrics.aggregate(key.metric, key.filter, d);
      metrics[t.metric] = a ? metricEntry(a) : {};
    }
    const entry = metrics[t.metric];
    const thresholds = (entry.thresholds ?? {}) as Record<string, boolean>;
    thresholds[t.expression] = !t.ok;
    entry.thresholds = thresholds;
  }
  const checks = [
    ...new Set(
      r.metrics
        .all()
        .filter((s) => s.metric === 'checks')
        .map((s) => s.tags.check),
    ),
  ]
    .sort()
    .map((name) => {
      const a = r.metrics.aggregate('checks', { check: name }, d);
      const passes = a ? Math.round(a.rate * a.count) : 0;
      return { name, path: `::${name}`, id: md5(`::${name}`), passes, fails: (a?.count ?? 0) - passes };
    });
  return {
    root_group: { name: '', path: '', id: md5(''), groups: [], checks },
    options: { summaryTrendStats: [...SUMMARY_TREND_STATS], summaryTimeUnit: '', noColor: false },
    state: {
      isStdOutTTY: state.isStdOutTTY ?? false,
      isStdErrTTY: state.isStdErrTTY ?? false,
      testRunDurationMs: d * 1000,
    },
    metrics,
  };
}
