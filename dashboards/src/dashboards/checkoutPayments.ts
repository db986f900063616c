// Checkout and payments: is money moving? Orders per minute, checkout success, the payment
// provider's latency and errors by outcome, retries, circuit-breaker changes, idempotent
// replays, the ledger check and inventory reservation failures, from the service's counters.

import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { ATTR, LABELS, METRICS, PSP_ROUTES, ROUTES } from '@marketbench/contracts';
import {
  datasourceVariable,
  environmentVariable,
  gauge,
  METRIC_FILTERS,
  newDashboard,
  serviceVariable,
  spanAttr,
  stat,
  T,
  table,
  timeseries,
  UIDS,
  VARS,
  varFilter,
} from '../common.ts';
import { counterIncreaseSql, counterIncreasesSql, counterRateSql } from '../sql/counterRate.ts';

const attr = (label: string): string => `Attributes['${label}']`;

export function ordersPerMinute() {
  return timeseries(
    'Orders per minute',
    'Orders by status (created, cancelled, refunded) per minute.',
    counterRateSql({
      metric: METRICS.orders,
      label: attr('status'),
      alias: 'status',
      per: 60,
      valueAlias: 'orders_per_min',
    }),
    'short',
  );
}

export function checkoutSuccessRatio() {
  return gauge(
    'Checkout success ratio',
    'Checkouts that succeeded over all checkout attempts in the time range.',
    `SELECT sumIf(increase, outcome = 'success') / sum(increase) AS success_ratio
FROM (
  ${counterIncreasesSql({ metric: METRICS.checkouts, label: attr(LABELS.outcome), alias: 'outcome' })}
)`,
    'percentunit',
  )
    .min(0)
    .max(1);
}

export function checkoutsByOutcome() {
  return timeseries(
    'Checkouts by outcome',
    'Checkouts per minute by outcome (success, payment_failed, out_of_stock, invalid, error).',
    counterRateSql({
      metric: METRICS.checkouts,
      label: attr(LABELS.outcome),
      alias: 'outcome',
      per: 60,
      valueAlias: 'per_min',
    }),
    'short',
  );
}

export function pspLatencyByOutcome() {
  return timeseries(
    'PSP mean latency by outcome',
    'Mean duration of payment provider attempts per outcome (histogram sum over count, per interval).',
    `SELECT time, outcome, sum(dsum) / nullIf(sum(dcount), 0) * 1000 AS mean_ms
FROM (
  SELECT $__timeInterval(TimeUnix) AS time, ${attr(LABELS.outcome)} AS outcome,
    Sum - lagInFrame(Sum, 1, Sum) OVER series AS dsum,
    toInt64(Count) - lagInFrame(toInt64(Count), 1, toInt64(Count)) OVER series AS dcount
  FROM ${T.histogram}
  WHERE $__timeFilter(TimeUnix) AND MetricName = '${METRICS.pspDuration}' AND ${METRIC_FILTERS}
  WINDOW series AS (PARTITION BY ServiceName, ResourceAttributes, Attributes ORDER BY TimeUnix ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
)
WHERE dcount >= 0
GROUP BY time, outcome
ORDER BY time`,
    'ms',
  );
}

export function pspErrorRatio() {
  return table(
    'PSP requests and error ratio by outcome',
    'Payment provider calls per operation and outcome over the time range, with each outcome’s share.',
    `SELECT operation, outcome, calls, round(calls / sum(calls) OVER (PARTITION BY operation), 4) AS share
FROM (
  SELECT operation, outcome, sum(increase) AS calls
  FROM (
    ${counterIncreasesSql({ metric: METRICS.pspRequests, label: `(${attr(LABELS.operation)}, ${attr(LABELS.outcome)})`, alias: 'k' })}
  )
  GROUP BY k.1 AS operation, k.2 AS outcome
)
ORDER BY operation, calls DESC`,
    { w: 12 },
  );
}

export function pspClientLatency() {
  const op = `path(${spanAttr(ATTR.urlFull)})`;
  return timeseries(
    'PSP call p99 by operation and outcome (client spans)',
    'p99 of the service’s outbound calls to the payment provider, from its client spans (named after the HTTP method, POST for every PSP route), by PSP route and payment outcome.',
    `SELECT $__timeInterval(Timestamp) AS time, concat(${op}, ' ', ${spanAttr(ATTR.paymentOutcome)}) AS call,
  quantile(0.99)(Duration) / 1e6 AS p99_ms
FROM ${T.traces}
WHERE $__timeFilter(Timestamp) AND SpanName = 'POST' AND SpanKind = 'Client' AND ${varFilter('ServiceName', VARS.service)}
  AND ${op} IN (${Object.values(PSP_ROUTES)
    .map((r) => `'${r}'`)
    .join(', ')})
GROUP BY time, call
ORDER BY time`,
    'ms',
  );
}

export function pspRetries() {
  return timeseries(
    'PSP retries',
    'Retries of payment provider calls per minute, by operation.',
    counterRateSql({
      metric: METRICS.pspRetries,
      label: attr(LABELS.operation),
      alias: 'operation',
      per: 60,
      valueAlias: 'retries_per_min',
    }),
    'short',
  );
}

export function circuitBreakerChanges() {
  return table(
    'Circuit-breaker state changes',
    'Transitions of the payment circuit breaker in the time range.',
    counterIncreaseSql(
      {
        metric: METRICS.circuitBreakerTransitions,
        label: "concat(Attributes['from'], ' → ', Attributes['to'])",
        alias: 'transition',
      },
      'changes',
    ),
    { w: 8 },
  );
}

export function idempotentReplays() {
  return stat(
    'Idempotent replays',
    `Checkouts (${ROUTES.checkout}) answered from the idempotency store in the time range.`,
    `SELECT sum(increase) AS replays FROM (
  ${counterIncreasesSql({ metric: METRICS.idempotentReplays, label: 'ServiceName', alias: 'service' })}
)`,
    'short',
  );
}

export function ledgerCheck() {
  return stat(
    'Ledger balanced',
    'Result of the last double-entry ledger check: 1 balanced, 0 not.',
    `SELECT argMax(Value, TimeUnix) AS balanced
FROM ${T.gauge}
WHERE $__timeFilter(TimeUnix) AND MetricName = '${METRICS.ledgerBalanced}' AND ${METRIC_FILTERS}`,
    'none',
  );
}

export function reservationFailures() {
  return table(
    'Inventory reservation failures',
    'Failed inventory reservations by reason in the time range.',
    counterIncreaseSql(
      { metric: METRICS.reservationFailures, label: attr(LABELS.reason), alias: 'reason' },
      'failures',
    ),
    { w: 8 },
  );
}

export function pspCalls() {
  return stat(
    'PSP calls',
    'Payment provider calls in the time range.',
    `SELECT sum(increase) AS calls FROM (
  ${counterIncreasesSql({ metric: METRICS.pspRequests, label: 'ServiceName', alias: 'service' })}
)`,
    'short',
  );
}

export function checkoutPaymentsDashboard() {
  return newDashboard(
    UIDS.checkoutPayments,
    'marketbench / Checkout and payments',
    'Is money moving: orders, checkout success, the payment provider’s latency, errors and retries, the circuit breaker, replays, the ledger and inventory?',
  )
    .withVariable(datasourceVariable())
    .withVariable(environmentVariable())
    .withVariable(serviceVariable())
    .withRow(new RowBuilder('Checkout'))
    .withPanel(checkoutSuccessRatio())
    .withPanel(idempotentReplays())
    .withPanel(ledgerCheck())
    .withPanel(pspCalls())
    .withPanel(ordersPerMinute())
    .withPanel(checkoutsByOutcome())
    .withRow(new RowBuilder('Payment provider'))
    .withPanel(pspLatencyByOutcome())
    .withPanel(pspClientLatency())
    .withPanel(pspErrorRatio())
    .withPanel(pspRetries())
    .withRow(new RowBuilder('Resilience and inventory'))
    .withPanel(circuitBreakerChanges().span(12))
    .withPanel(reservationFailures().span(12));
}
