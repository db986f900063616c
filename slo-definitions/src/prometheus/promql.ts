// Compiles an SLI to PromQL over the prom-client metrics of instrumentation: the error ratio
// (bad events / all events) over one window, the expression every recording rule records.

import { LABELS, METRICS } from '@marketbench/contracts';
import type { Sli } from '../types.ts';

/** A PromQL string literal. */
function str(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function regexAlt(values: readonly string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/** `label="v"` for one value, `label=~"a|b"` for several. */
function matchAny(label: string, values: readonly string[]): string {
  return values.length === 1 ? `${label}=${str(values[0])}` : `${label}=~${str(regexAlt(values))}`;
}

/** The SLI's scope matchers (`job="<service>"`). */
function scopeOf(sli: Sli): string[] {
  return Object.entries(sli.scope).map(([k, v]) => `${k}=${str(v)}`);
}

/** `metric{<the SLI's scope>}`. */
export function scopedSelector(sli: Sli, metric: string): string {
  return selector(metric, scopeOf(sli));
}

function selector(metric: string, matchers: readonly string[]): string {
  return `${metric}{${matchers.join(',')}}`;
}

/** Prometheus' `le` label value for a bucket bound, as prom-client prints it. */
export function leLabel(seconds: number): string {
  return String(seconds);
}

/**
 * `bad / total` where an absent bad series counts as zero while the total has data: the error
 * series of a counter (`status_code="500"`, `outcome="timeout"`) does not exist until the first
 * error, and a bare `bad / total` would then be empty, leaving the SLI, its burn rates and the
 * period average without data on a healthy service. With no total, the ratio stays empty.
 */
export function ratioOrZero(bad: string, total: string): string {
  return `(${bad} or 0 * ${total}) / ${total}`;
}

/** PromQL of the SLI's error ratio over `window` (a Prometheus duration such as `5m`). */
export function errorRatioPromql(sli: Sli, window: string): string {
  switch (sli.kind) {
    case 'httpAvailability':
    case 'httpLatency': {
      const base = [...scopeOf(sli), matchAny(LABELS.route, sli.routes)];
      if (sli.methods.length > 0) base.push(matchAny(LABELS.method, sli.methods));
      if (sli.excludeClientErrors) base.push(`${LABELS.statusCode}!~"4.."`);
      const count = `sum(rate(${selector(`${METRICS.httpServerDuration}_count`, base)}[${window}]))`;
      if (sli.kind === 'httpAvailability') {
        const bad = [...base, `${LABELS.statusCode}=~"5.."`];
        return ratioOrZero(
          `sum(rate(${selector(`${METRICS.httpServerDuration}_count`, bad)}[${window}]))`,
          count,
        );
      }
      // Every bucket of a histogram exists as soon as its count does, so the good side is never absent.
      const fast = [...base, `le=${str(leLabel(sli.thresholdSeconds))}`];
      return `1 - (sum(rate(${selector(`${METRICS.httpServerDuration}_bucket`, fast)}[${window}])) / ${count})`;
    }
    case 'counterRatio': {
      const base = [...scopeOf(sli), ...Object.entries(sli.selector).map(([k, v]) => `${k}=${str(v)}`)];
      const bad = [...base, ...Object.entries(sli.badWhen).map(([k, vs]) => matchAny(k, vs))];
      return ratioOrZero(
        `sum(rate(${selector(sli.metric, bad)}[${window}]))`,
        `sum(rate(${selector(sli.metric, base)}[${window}]))`,
      );
    }
    case 'freshness': {
      // A gauge has no events: each evaluation step of the subquery is one event, bad when the
      // gauge (worst instance) is above the maximum age.
      return `1 - avg_over_time((max(${selector(sli.metric, scopeOf(sli))}) <= bool ${sli.maxAgeSeconds})[${window}:${subqueryStep(window)}])`;
    }
  }
}

/**
 * PromQL of the running count of the SLI's bad (or all) events, a sum of counters, for the SLIs
 * that count events directly; undefined for latency and freshness. The drill watches them: when
 * traffic first reached Prometheus, and when a burn really stopped (a circuit breaker refuses
 * calls for a while after its dependency is back).
 */
export function eventsPromql(sli: Sli, which: 'bad' | 'total'): string | undefined {
  if (sli.kind === 'httpAvailability') {
    const m = [...scopeOf(sli), matchAny(LABELS.route, sli.routes)];
    if (sli.methods.length > 0) m.push(matchAny(LABELS.method, sli.methods));
    if (sli.excludeClientErrors) m.push(`${LABELS.statusCode}!~"4.."`);
    if (which === 'bad') m.push(`${LABELS.statusCode}=~"5.."`);
    return `sum(${selector(`${METRICS.httpServerDuration}_count`, m)})`;
  }
  if (sli.kind === 'counterRatio') {
    const m = [...scopeOf(sli), ...Object.entries(sli.selector).map(([k, v]) => `${k}=${str(v)}`)];
    if (which === 'bad') m.push(...Object.entries(sli.badWhen).map(([k, vs]) => matchAny(k, vs)));
    return `sum(${selector(sli.metric, m)})`;
  }
  return undefined;
}

function subqueryStep(window: string): string {
  return /^(\d+)(ms|s|m)$/.test(window) && !/^([1-9]\d{2,}|[6-9]\d)m$/.test(window) ? '30s' : '1m';
}
