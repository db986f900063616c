// Samples of one run, kept as tagged series: a trend is an HDR histogram (microseconds), a
// counter a sum, a rate trues/total, a gauge its last value. Thresholds with tag filters merge
// the series whose tags match; snapshots are plain data so worker threads' results merge.

import hdr from 'hdr-histogram-js';
import type { MetricType } from '../types.ts';

type Histogram = ReturnType<typeof hdr.build>;

/** Tags of a series. */
export type Tags = Readonly<Record<string, string>>;

interface SeriesBase {
  readonly metric: string;
  readonly tags: Tags;
}
/** A trend series (values in milliseconds, stored with microsecond resolution). */
export interface TrendSeries extends SeriesBase {
  readonly type: 'trend';
  hist: Histogram;
  count: number;
  sum: number;
  min: number;
  max: number;
}
/** A counter series. */
export interface CounterSeries extends SeriesBase {
  readonly type: 'counter';
  value: number;
}
/** A rate series. */
export interface RateSeries extends SeriesBase {
  readonly type: 'rate';
  trues: number;
  total: number;
}
/** A gauge series. */
export interface GaugeSeries extends SeriesBase {
  readonly type: 'gauge';
  value: number;
  min: number;
  max: number;
}
export type Series = TrendSeries | CounterSeries | RateSeries | GaugeSeries;

/** Serialisable form of a registry, for worker threads and the run summary. */
export interface MetricsSnapshot {
  series: Array<
    | {
        metric: string;
        type: 'trend';
        tags: Tags;
        hist: string;
        count: number;
        sum: number;
        min: number;
        max: number;
      }
    | { metric: string; type: 'counter'; tags: Tags; value: number }
    | { metric: string; type: 'rate'; tags: Tags; trues: number; total: number }
    | { metric: string; type: 'gauge'; tags: Tags; value: number; min: number; max: number }
  >;
}

/** Aggregate values over the series of one metric that match a filter. */
export interface Aggregate {
  type: MetricType;
  count: number;
  sum: number;
  rate: number;
  value: number;
  min: number;
  max: number;
  avg: number;
  /** Percentile function (trends only), p in 0–100. */
  percentile(p: number): number;
}

function newHistogram(): Histogram {
  return hdr.build({ autoResize: true, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

function tagKey(metric: string, tags: Tags): string {
  const keys = Object.keys(tags).sort();
  let k = metric;
  for (const key of keys) k += `\u0001${key}\u0002${tags[key]}`;
  return k;
}

export class MetricRegistry {
  private readonly byKey = new Map<string, Series>();

  /** The series for metric+tags, created on first use (callers cache the handle on hot paths). */
  series(metric: string, type: MetricType, tags: Tags): Series {
    const key = tagKey(metric, tags);
    let s = this.byKey.get(key);
    if (!s) {
      s = MetricRegistry.emptySeries(metric, type, tags);
      this.byKey.set(key, s);
    } else if (s.type !== type) {
      throw new Error(`metric ${metric} is a ${s.type}, not a ${type}`);
    }
    return s;
  }

  private static emptySeries(metric: string, type: MetricType, tags: Tags): Series {
    switch (type) {
      case 'trend':
        return { metric, type, tags, hist: newHistogram(), count: 0, sum: 0, min: Infinity, max: -Infinity };
      case 'counter':
        return { metric, type, tags, value: 0 };
      case 'rate':
        return { metric, type, tags, trues: 0, total: 0 };
      case 'gauge':
        return { metric, type, tags, value: 0, min: Infinity, max: -Infinity };
    }
  }

  /** Records one sample on a series handle. */
  static add(s: Series, value: number | boolean): void {
    switch (s.type) {
      case 'trend': {
        const v = Number(value);
        s.hist.recordValue(Math.max(0, Math.round(v * 1000)));
        s.count++;
        s.sum += v;
        if (v < s.min) s.min = v;
        if (v > s.max) s.max = v;
        return;
      }
      case 'counter':
        s.value += Number(value);
        return;
      case 'rate':
        s.total++;
        if (value) s.trues++;
        return;
      case 'gauge': {
        const v = Number(value);
        s.value = v;
        if (v < s.min) s.min = v;
        if (v > s.max) s.max = v;
        return;
      }
    }
  }

  /** Shorthand: records a sample on metric+tags. */
  add(metric: string, type: MetricType, tags: Tags, value: number | boolean): void {
    MetricRegistry.add(this.series(metric, type, tags), value);
  }

  /** Every series (for the summary and the store). */
  all(): Series[] {
    return [...this.byKey.values()];
  }

  /** Names of the metrics that have at least one series. */
  metricNames(): string[] {
    return [...new Set(this.all().map((s) => s.metric))];
  }

  /** Merges the series of one metric whose tags include every filter tag; undefined when none. */
  aggregate(metric: string, filter: Tags, durationSec: number): Aggregate | undefined {
    // Series in key order, not creation order: a registry rebuilt from stored rows (the gate)
    // then adds the same floats in the same order and gets the same value to the last bit.
    const match = [...this.byKey.entries()]
      .filter(([, s]) => s.metric === metric && Object.entries(filter).every(([k, v]) => s.tags[k] === v))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, s]) => s);
    if (match.length === 0) return undefined;
    const type = match[0].type;
    let count = 0;
    let sum = 0;
    let trues = 0;
    let value = 0;
    let min = Infinity;
    let max = -Infinity;
    let hist: Histogram | undefined;
    for (const s of match) {
      if (s.type === 'trend') {
        hist ??= newHistogram();
        hist.add(s.hist);
        count += s.count;
        sum += s.sum;
        min = Math.min(min, s.min);
        max = Math.max(max, s.max);
      } else if (s.type === 'counter') {
        count += s.value;
        sum += s.value;
      } else if (s.type === 'rate') {
        count += s.total;
        trues += s.trues;
        sum += s.trues;
      } else {
        value = s.value;
        min = Math.min(min, s.min);
        max = Math.max(max, s.max);
        count++;
      }
    }
    const merged = hist;
    return {
      type,
      count,
      sum,
      value,
      min: Number.isFinite(min) ? min : 0,
      max: Number.isFinite(max) ? max : 0,
      avg: count > 0 ? sum / count : 0,
      rate:
        type === 'rate'
          ? count > 0
            ? trues / count
            : 0
          : type === 'counter' && durationSec > 0
            ? count / durationSec
            : 0,
      // HDR reports a bucket's highest equivalent value; clamping to the exact min/max keeps
      // `med==5` true when every sample is 5.
      percentile: (p: number) =>
        merged && merged.totalCount > 0
          ? Math.min(max, Math.max(min, merged.getValueAtPercentile(p) / 1000))
          : 0,
    };
  }

  /** Plain-data copy of every series. */
  snapshot(): MetricsSnapshot {
    return {
      series: this.all().map((s) => {
        if (s.type === 'trend') {
          return {
            metric: s.metric,
            type: s.type,
            tags: s.tags,
            hist: hdr.encodeIntoCompressedBase64(s.hist),
            count: s.count,
            sum: s.sum,
            min: s.min,
            max: s.max,
          };
        }
        if (s.type === 'counter') return { metric: s.metric, type: s.type, tags: s.tags, value: s.value };
        if (s.type === 'rate')
          return { metric: s.metric, type: s.type, tags: s.tags, trues: s.trues, total: s.total };
        return { metric: s.metric, type: s.type, tags: s.tags, value: s.value, min: s.min, max: s.max };
      }),
    };
  }

  /** Adds a snapshot's samples into this registry (gauges add up: the VUs of several workers sum). */
  merge(snapshot: MetricsSnapshot): void {
    for (const o of snapshot.series) {
      const s = this.series(o.metric, o.type, o.tags);
      if (s.type === 'trend' && o.type === 'trend') {
        if (o.count > 0) s.hist.add(hdr.decodeFromCompressedBase64(o.hist, 32, false));
        s.count += o.count;
        s.sum += o.sum;
        s.min = Math.min(s.min, o.min);
        s.max = Math.max(s.max, o.max);
      } else if (s.type === 'counter' && o.type === 'counter') {
        s.value += o.value;
      } else if (s.type === 'rate' && o.type === 'rate') {
        s.trues += o.trues;
        s.total += o.total;
      } else if (s.type === 'gauge' && o.type === 'gauge') {
        s.value += o.value;
        s.min = Math.min(s.min, o.min);
        s.max = Math.max(s.max, o.max);
      }
    }
  }
}
