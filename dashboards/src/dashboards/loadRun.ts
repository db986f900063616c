// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Grafana template syntax, not JS templates
// Load run: what did this run ask for, what did it get, and does every count agree? Target
// vs achieved rate, dropped iterations, client latency (corrected, uncorrected) against the
// server's span latency per step, errors by status, generator CPU, injected faults, and the
// reconciliation table (DESIGN.md contract 4): requests sent = server spans = counter delta = rows.

import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { ATTR, LOAD_SAMPLES, METRICS, SERVICES } from '@marketbench/contracts';
import {
  datasourceVariable,
  newDashboard,
  runIdVariable,
  SPAN_KIND_SERVER,
  stat,
  T,
  table,
  timeseries,
  UIDS,
  VARS,
} from '../common.ts';

/** `run_id = '<selected run>'` on marketbench's load tables. */
const RUN = `run_id = '\${${VARS.runId}}'`;
/** Rollup rows of the run's server spans (the service copies the run id from baggage onto its spans). */
const RUN_SPANS = `ServiceName = '${SERVICES.reference}' AND run_id = '\${${VARS.runId}}'`;

export function runSummary() {
  return table(
    'Run',
    'The selected run as the runner recorded it.',
    `SELECT run_id, scenario, status, started_at, ended_at, git_commit, target, requests_total, errors_total, dropped_iterations, time_scale
FROM ${T.loadRuns} FINAL
WHERE ${RUN}`,
    { h: 5 },
  );
}

export function droppedIterations() {
  return stat(
    'Dropped iterations',
    'Iterations the open-model executor could not start on time (no free VU): the generator, not the service, was the bottleneck.',
    `SELECT dropped_iterations FROM ${T.loadRuns} FINAL WHERE ${RUN}`,
    'short',
  );
}

export function requestsSent() {
  return stat(
    'Requests sent',
    'Requests the runner reports having sent.',
    `SELECT requests_total FROM ${T.loadRuns} FINAL WHERE ${RUN}`,
    'short',
  );
}

export function errorRate() {
  return stat(
    'Client error ratio',
    "k6's http_req_failed: share of load requests whose response was not expected (a status outside the step's expectedStatuses, default 200–399, or a transport error).",
    `SELECT countIf(NOT expected_response) / count() AS error_ratio FROM ${T.loadRequests} WHERE ${RUN}`,
    'percentunit',
  );
}

export function targetVsAchievedRate() {
  return timeseries(
    'Target vs achieved rate',
    'Iterations per second the executor scheduled (target) and started (achieved), as the runner sampled them each second; dropped iterations are the gap the generator could not start.',
    `SELECT $__timeInterval(ts) AS time,
  avgIf(value, name = '${LOAD_SAMPLES.targetRate}') AS target_per_s,
  avgIf(value, name = '${LOAD_SAMPLES.achievedRate}') AS achieved_per_s,
  sumIf(value, name = '${LOAD_SAMPLES.droppedIterations}') AS dropped
FROM ${T.loadSamples}
WHERE ${RUN} AND $__timeFilter(ts)
  AND name IN ('${LOAD_SAMPLES.targetRate}', '${LOAD_SAMPLES.achievedRate}', '${LOAD_SAMPLES.droppedIterations}')
GROUP BY time
ORDER BY time`,
    'short',
  );
}

export function scheduledVsSent() {
  return timeseries(
    'Requests: scheduled vs sent',
    'Requests per second by intended start (the schedule) and by actual start. A gap is coordinated omission, which the corrected latency accounts for.',
    `SELECT time, sum(scheduled) AS scheduled_rps, sum(sent) AS sent_rps
FROM (
  SELECT $__timeInterval(intended_start) AS time, count() / $__interval_s AS scheduled, 0 AS sent
  FROM ${T.loadRequests} WHERE ${RUN} AND $__timeFilter(intended_start) GROUP BY time
  UNION ALL
  SELECT $__timeInterval(actual_start) AS time, 0 AS scheduled, count() / $__interval_s AS sent
  FROM ${T.loadRequests} WHERE ${RUN} AND $__timeFilter(actual_start) GROUP BY time
)
GROUP BY time
ORDER BY time`,
    'reqps',
  );
}

export function latencyByStep() {
  return table(
    'Client vs server latency per step',
    'p50/p99 of client latency corrected for coordinated omission (from the intended start), uncorrected (from the actual start), and the server span; the difference between client and server is network, queueing and the generator.',
    `SELECT c.step AS step, c.requests AS requests,
  c.p50_corrected_ms, c.p99_corrected_ms, c.p50_uncorrected_ms, c.p99_uncorrected_ms,
  s.server_spans AS server_spans, s.p50_server_ms, s.p99_server_ms
FROM (
  SELECT step, count() AS requests,
    round(quantile(0.5)(latency_corrected_ms), 2) AS p50_corrected_ms,
    round(quantile(0.99)(latency_corrected_ms), 2) AS p99_corrected_ms,
    round(quantile(0.5)(latency_uncorrected_ms), 2) AS p50_uncorrected_ms,
    round(quantile(0.99)(latency_uncorrected_ms), 2) AS p99_uncorrected_ms
  FROM ${T.loadRequests} WHERE ${RUN}
  GROUP BY step
) AS c
LEFT JOIN (
  -- server spans that carry the step (copied from baggage) are in the per-minute rollup
  SELECT step, sum(requests) AS server_spans,
    round(quantileTDigestMerge(0.5)(duration_digest) / 1e6, 2) AS p50_server_ms,
    round(quantileTDigestMerge(0.99)(duration_digest) / 1e6, 2) AS p99_server_ms
  FROM ${T.serverSpans1m}
  WHERE ${RUN_SPANS} AND step != ''
  GROUP BY step
  UNION ALL
  -- otherwise each load row names the span of its request, and the server span is a child of it
  -- (trace id + parent span id); this branch reads nothing when the rollup has the steps
  SELECT r.step AS step, count() AS server_spans,
    round(quantile(0.5)(t.Duration) / 1e6, 2) AS p50_server_ms,
    round(quantile(0.99)(t.Duration) / 1e6, 2) AS p99_server_ms
  FROM (
    SELECT TraceId, ParentSpanId, Duration FROM ${T.traces}
    WHERE (SELECT count() FROM ${T.serverSpans1m} WHERE ${RUN_SPANS} AND step != '') = 0
      AND $__timeFilter(Timestamp) AND SpanKind = '${SPAN_KIND_SERVER}'
      AND TraceId IN (SELECT trace_id FROM ${T.loadRequests} WHERE ${RUN})
  ) AS t
  INNER JOIN (SELECT trace_id, span_id, step FROM ${T.loadRequests} WHERE ${RUN}) AS r
    ON t.TraceId = r.trace_id AND t.ParentSpanId = r.span_id
  GROUP BY step
) AS s ON s.step = c.step
ORDER BY c.step`,
  );
}

export function latencyOverTime() {
  return timeseries(
    'p99: corrected vs uncorrected vs server',
    'Client p99 corrected and uncorrected against the server span p99, over the run.',
    `SELECT time, max(corrected) AS p99_corrected_ms, max(uncorrected) AS p99_uncorrected_ms, max(server) AS p99_server_ms
FROM (
  SELECT $__timeInterval(intended_start) AS time, quantile(0.99)(latency_corrected_ms) AS corrected,
    quantile(0.99)(latency_uncorrected_ms) AS uncorrected, 0 AS server
  FROM ${T.loadRequests} WHERE ${RUN} AND $__timeFilter(intended_start) GROUP BY time
  UNION ALL
  SELECT $__timeInterval(minute) AS time, 0 AS corrected, 0 AS uncorrected,
    quantileTDigestMerge(0.99)(duration_digest) / 1e6 AS server
  FROM ${T.serverSpans1m} WHERE $__timeFilter(minute) AND ${RUN_SPANS} GROUP BY time
)
GROUP BY time
ORDER BY time`,
    'ms',
  ).interval('1m');
}

export function errorsByStatus() {
  return timeseries(
    'Errors by status',
    'Failed load requests (http_req_failed: response not expected) per second by HTTP status (0: no response).',
    `SELECT $__timeInterval(actual_start) AS time, toString(status) AS http_status, count() / $__interval_s AS errors_per_s
FROM ${T.loadRequests}
WHERE ${RUN} AND $__timeFilter(actual_start) AND NOT expected_response
GROUP BY time, http_status
ORDER BY time`,
    'reqps',
  );
}

export function generatorCpu() {
  return timeseries(
    'Generator CPU',
    'CPU of the load generator process as it sampled itself; near 100% means the generator, not the service, limits the run.',
    `SELECT $__timeInterval(ts) AS time, max(value) AS cpu_percent
FROM ${T.loadSamples}
WHERE ${RUN} AND name = '${LOAD_SAMPLES.generatorCpu}' AND $__timeFilter(ts)
GROUP BY time
ORDER BY time`,
    'percent',
  );
}

export function faults() {
  return table(
    'Injected faults',
    'Faults the scenario injected into dependencies during the run.',
    `SELECT ts, dependency, action, spec FROM ${T.loadFaults} WHERE ${RUN} ORDER BY ts`,
    { w: 12, h: 6 },
  );
}

export function reconciliation() {
  const window = `(SELECT started_at FROM ${T.loadRuns} FINAL WHERE ${RUN})`;
  const windowEnd = `(SELECT coalesce(ended_at, updated_at) FROM ${T.loadRuns} FINAL WHERE ${RUN})`;
  return table(
    'Reconciliation: every count must agree',
    "Requests the runner sent, the generator's client spans (the root of each request's trace; 0 when the run had --no-client-spans), rows it wrote, server spans tagged with the run, and the increase of the service request counter over the run (scrapes bracketing the run). Any mismatch means telemetry was lost or the run was polluted.",
    `SELECT sent, client_spans, load_rows, server_spans, counter_delta,
  sent = load_rows AND (client_spans = 0 OR client_spans = sent) AND load_rows = server_spans
    AND server_spans = counter_delta AS agree
FROM (SELECT requests_total AS sent FROM ${T.loadRuns} FINAL WHERE ${RUN}) AS r
CROSS JOIN (
  SELECT count() AS client_spans FROM ${T.traces}
  WHERE ServiceName = '${SERVICES.load}' AND SpanKind = 'Client'
    AND SpanAttributes['${ATTR.runId}'] = '\${${VARS.runId}}'
    AND Timestamp >= ${window} - INTERVAL 1 MINUTE AND Timestamp <= ${windowEnd} + INTERVAL 5 MINUTE
) AS cs
CROSS JOIN (SELECT count() AS load_rows FROM ${T.loadRequests} WHERE ${RUN}) AS l
CROSS JOIN (SELECT sum(requests) AS server_spans FROM ${T.serverSpans1m} WHERE ${RUN_SPANS}) AS s
CROSS JOIN (
  SELECT sum(toInt64(after) - toInt64(before)) AS counter_delta FROM (
    SELECT ResourceAttributes, Attributes,
      argMaxIf(Count, TimeUnix, TimeUnix < ${window}) AS before,
      argMax(Count, TimeUnix) AS after
    FROM ${T.histogram}
    WHERE MetricName = '${METRICS.httpServerDuration}' AND ServiceName = '${SERVICES.reference}'
      AND TimeUnix >= ${window} - INTERVAL 15 MINUTE AND TimeUnix <= ${windowEnd} + INTERVAL 30 SECOND
    GROUP BY ResourceAttributes, Attributes
  )
) AS c`,
    { w: 12, h: 6 },
  );
}

export function loadRunDashboard() {
  return newDashboard(
    UIDS.loadRun,
    'marketbench / Load run',
    'Did this load run get what it asked for, and where did the time go? Target vs achieved rate, client vs server latency, errors, the generator, and whether every count agrees.',
  )
    .time({ from: 'now-3h', to: 'now' })
    .refresh('1m')
    .withVariable(datasourceVariable())
    .withVariable(runIdVariable())
    .withRow(new RowBuilder('Run'))
    .withPanel(runSummary())
    .withPanel(requestsSent().span(8))
    .withPanel(droppedIterations().span(8))
    .withPanel(errorRate().span(8))
    .withPanel(reconciliation())
    .withPanel(faults())
    .withRow(new RowBuilder('Rate and latency'))
    .withPanel(targetVsAchievedRate())
    .withPanel(scheduledVsSent())
    .withPanel(latencyByStep())
    .withPanel(latencyOverTime())
    .withPanel(errorsByStatus())
    .withPanel(generatorCpu().span(24));
}
