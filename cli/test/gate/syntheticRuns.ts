// Synthetic load runs written straight into the store's load tables, so gate and report tests
// exercise the real SQL on chDB with latency distributions whose answer is known.

import { TABLES } from '@marketbench/contracts';
import { MetricRegistry, seededRandom, seriesRows } from '@marketbench/load-scenarios';
import type { Row, Store } from '@marketbench/telemetry-store';

/** One step of a synthetic run. */
export interface SyntheticStep {
  /** Requests. */
  n: number;
  /** Median latency, ms (log-normal). */
  medianMs: number;
  /** Log-normal sigma. */
  sigma?: number;
  /** Fraction of requests that get `injectMs` added (an injected slowdown). */
  injectFraction?: number;
  /** Milliseconds added to the injected requests. */
  injectMs?: number;
  /** Fraction answered 500. */
  errorRate?: number;
  /** Fraction that got no HTTP answer (status 0, a connection reset). */
  resetRate?: number;
  /** Fraction answered 404 that the step expects (its expectedStatuses include 404): not failed. */
  expectedNotFoundRate?: number;
}

/** A synthetic run. */
export interface SyntheticRun {
  runId: string;
  seed: number;
  steps: Record<string, SyntheticStep>;
  /** Run length, seconds. */
  durationSec?: number;
  droppedIterations?: number;
  /** Start time (UTC ms). */
  startMs?: number;
}

function ts(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * Inserts the run row, one request row per request, and the run's metric series as the runner
 * would have recorded them (the gate evaluates thresholds on the series).
 */
export async function insertRun(store: Store, run: SyntheticRun): Promise<void> {
  const rnd = seededRandom(run.seed);
  const start = run.startMs ?? Date.UTC(2026, 10, 21, 12, 0, 0);
  const dur = (run.durationSec ?? 60) * 1000;
  const rows: Row[] = [];
  const registry = new MetricRegistry();
  let errors = 0;
  for (const [step, s] of Object.entries(run.steps)) {
    for (let i = 0; i < s.n; i++) {
      const u1 = rnd() || 1e-12;
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rnd());
      let latency = s.medianMs * Math.exp((s.sigma ?? 0.3) * z);
      if (s.injectFraction && rnd() < s.injectFraction) latency += s.injectMs ?? 0;
      const failed = s.errorRate !== undefined && rnd() < s.errorRate;
      const reset = !failed && s.resetRate !== undefined && rnd() < s.resetRate;
      if (failed || reset) errors++;
      const intended = start + Math.floor((i / s.n) * dur);
      const notFound =
        !failed && !reset && s.expectedNotFoundRate !== undefined && rnd() < s.expectedNotFoundRate;
      const status = reset ? 0 : failed ? 500 : notFound ? 404 : 200;
      const lag = rnd() * 0.2;
      rows.push({
        run_id: run.runId,
        scenario: 'synthetic',
        journey: 'j',
        step,
        method: 'GET',
        url: `/x/${step}`,
        vu: i % 50,
        iteration: i,
        intended_start: ts(intended),
        actual_start: ts(intended + lag),
        latency_corrected_ms: latency,
        latency_uncorrected_ms: Math.max(0, latency - lag),
        scheduling_lag_ms: lag,
        status,
        expected_response: !(failed || reset),
        bytes_sent: 100,
        bytes_received: 1000,
        trace_id: (run.seed * 1e6 + rows.length).toString(16).padStart(32, '0'),
        span_id: rows.length.toString(16).padStart(16, '0'),
        error: reset ? 'read ECONNRESET' : '',
        check_failures: 0,
        tags: { env: 'test' },
      });
      const tags = {
        env: 'test',
        scenario: 'synthetic',
        journey: 'j',
        name: step,
        method: 'GET',
        status: String(status),
        expected_response: String(!(failed || reset)),
      };
      registry.add('http_reqs', 'counter', tags, 1);
      registry.add('http_req_duration', 'trend', tags, latency);
      registry.add('http_req_duration_uncorrected', 'trend', tags, Math.max(0, latency - lag));
      registry.add('http_req_scheduling_lag', 'trend', tags, lag);
      registry.add('http_req_failed', 'rate', tags, failed || reset);
      registry.add('data_sent', 'counter', tags, 100);
      registry.add('data_received', 'counter', tags, 1000);
    }
  }
  registry.add('dropped_iterations', 'counter', { scenario: 'synthetic' }, run.droppedIterations ?? 0);
  await store.insert(TABLES.loadMetrics, seriesRows(run.runId, registry.snapshot()) as unknown as Row[]);
  for (let i = 0; i < rows.length; i += 10_000)
    await store.insert(TABLES.loadRequests, rows.slice(i, i + 10_000));
  await store.insert(TABLES.loadRuns, [
    {
      run_id: run.runId,
      scenario: 'synthetic',
      status: 'finished',
      started_at: ts(start),
      ended_at: ts(start + dur),
      git_commit: 'abc1234',
      target: 'http://127.0.0.1:8080',
      config: '{}',
      requests_total: rows.length,
      errors_total: errors,
      dropped_iterations: run.droppedIterations ?? 0,
      thresholds: '[]',
      summary: '{}',
      time_scale: 1,
      duration_sec: dur / 1000,
      updated_at: ts(start + dur),
    },
  ]);
}
