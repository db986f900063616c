// The ingest's own counters: rows received, inserted, rejected and dropped per signal, requests
// by status, spool and queue sizes. One object feeds both `GET /marketbench/stats` (JSON) and the
// prom-client registry behind the ingest's own `GET /metrics`.

import { LABELS, METRICS } from '@marketbench/contracts';
import { Counter, Gauge, Registry } from 'prom-client';
import { SIGNALS, type Signal } from './mappedRows.ts';

/** Row counters of one signal. */
export interface SignalCounts {
  /** Items (spans, data points, log records) in accepted requests. */
  received: number;
  /** Rows inserted into ClickHouse. */
  inserted: number;
  /** Items refused as invalid (400 or partial success). */
  rejected: number;
  /** Rows accepted but given up on after repeated insert failures. */
  dropped: number;
}

/** What `GET /marketbench/stats` and `marketbench ingest stats` show. */
export interface IngestStatsSnapshot {
  /** Listening URL. */
  url: string;
  /** Process id of the ingest. */
  pid: number;
  /** Seconds since start. */
  uptimeSeconds: number;
  /** Row counters by signal. */
  rows: Record<Signal, SignalCounts>;
  /** Responses by HTTP status code. */
  responses: Record<string, number>;
  /** Requests answered 429 because the queue was full. */
  throttledRequests: number;
  /** Rows queued, not yet inserted. */
  queuedRows: number;
  /** Seconds since the oldest queued row was accepted (0 when the queue is empty). */
  lagSeconds: number;
  /** Rows replayed from the spool at start. */
  replayedRows: number;
  /** Insert calls made, and how many failed (each failure is retried). */
  inserts: number;
  insertFailures: number;
  /** Bytes and segment files in the spool, and fdatasync calls made. */
  spool: { bytes: number; segments: number; fsyncs: number };
}

export class IngestStats {
  readonly started = Date.now();
  readonly rows: Record<Signal, SignalCounts> = {
    traces: { received: 0, inserted: 0, rejected: 0, dropped: 0 },
    metrics: { received: 0, inserted: 0, rejected: 0, dropped: 0 },
    logs: { received: 0, inserted: 0, rejected: 0, dropped: 0 },
  };
  readonly responses: Record<string, number> = {};
  readonly lastInsertSeconds: Record<Signal, number> = { traces: 0, metrics: 0, logs: 0 };
  throttledRequests = 0;
  replayedRows = 0;
  inserts = 0;
  insertFailures = 0;
  readonly registry = new Registry();
  readonly live: () => { queuedRows: number; lagSeconds: number; spool: IngestStatsSnapshot['spool'] };

  constructor(live: () => { queuedRows: number; lagSeconds: number; spool: IngestStatsSnapshot['spool'] }) {
    const stats = this;
    new Counter({
      name: METRICS.ingestRows,
      help: 'Rows (spans, data points, log records) handled by the embedded OTLP ingest, by outcome.',
      labelNames: [LABELS.signal, LABELS.outcome],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const signal of SIGNALS)
          for (const outcome of ['received', 'inserted', 'rejected', 'dropped'] as const)
            this.labels(signal, outcome).inc(stats.rows[signal][outcome]);
      },
    });
    new Counter({
      name: METRICS.ingestRequests,
      help: 'OTLP/HTTP requests answered by the ingest, by HTTP status code.',
      labelNames: [LABELS.statusCode],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [code, n] of Object.entries(stats.responses)) this.labels(code).inc(n);
      },
    });
    new Gauge({
      name: METRICS.ingestLagSeconds,
      help: 'Seconds since the oldest row accepted but not yet inserted was accepted.',
      registers: [this.registry],
      collect() {
        this.set(live().lagSeconds);
      },
    });
    new Gauge({
      name: METRICS.ingestQueueRows,
      help: 'Rows accepted and queued, not yet inserted.',
      registers: [this.registry],
      collect() {
        this.set(live().queuedRows);
      },
    });
    new Gauge({
      name: METRICS.ingestSpoolBytes,
      help: 'Bytes in the write-ahead spool (requests acknowledged, rows not all inserted yet).',
      registers: [this.registry],
      collect() {
        this.set(live().spool.bytes);
      },
    });
    new Gauge({
      name: METRICS.ingestLastInsertTimestamp,
      help: 'Unix time of the newest insert, by signal.',
      labelNames: [LABELS.signal],
      registers: [this.registry],
      collect() {
        for (const signal of SIGNALS) this.labels(signal).set(stats.lastInsertSeconds[signal]);
      },
    });
    this.live = live;
  }

  /** Counts an HTTP answer. */
  response(status: number): void {
    this.responses[status] = (this.responses[status] ?? 0) + 1;
  }

  snapshot(url: string): IngestStatsSnapshot {
    const live = this.live();
    return {
      url,
      pid: process.pid,
      uptimeSeconds: (Date.now() - this.started) / 1000,
      rows: structuredClone(this.rows),
      responses: { ...this.responses },
      throttledRequests: this.throttledRequests,
      queuedRows: live.queuedRows,
      lagSeconds: live.lagSeconds,
      replayedRows: this.replayedRows,
      inserts: this.inserts,
      insertFailures: this.insertFailures,
      spool: live.spool,
    };
  }
}
