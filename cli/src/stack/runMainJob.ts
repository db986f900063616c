// The main job (`npm start` = `marketbench start`): start the embedded stack, run a scenario
// (marketplace-day by default) against it, flush and scrape so every number can be reconciled,
// evaluate thresholds and SLOs, write the HTML report, print the summary, stop everything.

import path from 'node:path';
import { EXIT } from '@marketbench/contracts';
import {
  formatSummary,
  loadScenario,
  type RunResult,
  runScenario,
  type ScenarioDefinition,
  type ScenarioOverrides,
} from '@marketbench/load-scenarios';
import { resolveStoreOptions } from '@marketbench/telemetry-store';
import { CliError } from '../errors.ts';
import type { ReportData } from '../report/types.ts';
import { writeRunReport } from '../report/writeRunReport.ts';
import { fetchPspReconciliation, pspReconciliationRow } from './pspReconciliation.ts';
import { startStack } from './startStack.ts';
import type { StackOptions } from './types.ts';

/** Defaults of the main job (documented in docs/CLI.md and the README). */
export const DEFAULT_MAIN_JOB = {
  /** About 60 million requests/day at real time: a diurnal day compressed into 4 minutes. */
  scenario: 'marketplace-day',
} as const;

/** Options of {@link runMainJob}. */
export interface MainJobOptions extends StackOptions {
  /** Scenario name or file (default marketplace-day). */
  scenario?: string;
  /** Rate / duration / VU overrides (`--rate`, `--duration`, `--vus`). */
  overrides?: ScenarioOverrides;
  /** Report path (default `$MARKETBENCH_HOME/reports/<run-id>.html`). */
  out?: string;
  /** Stream for the progress (a line rewritten on a TTY, a line every 10 s elsewhere); phase lines go to `log`. */
  progress?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Aborts the run (SIGINT). */
  signal?: AbortSignal;
  /** Export the generator's client span per request to the stack's ingest (default true). */
  clientSpans?: boolean;
}

/** What the main job produced. */
export interface MainJobResult {
  result: RunResult;
  /** The scenario that ran (its custom metrics' units for the summary). */
  definition: ScenarioDefinition;
  reportPath: string;
  report: ReportData;
  /** Seconds from the call to the first request being due. */
  firstRequestAfterSec: number;
  /** Spans the service dropped (queue full, export failures). */
  spansDropped: number;
  /** Exit code: 99 when a threshold failed or the PSP reconciliation found a discrepancy, else 0. */
  exitCode: number;
}

/** Runs the main job end to end; the stack is stopped whatever happens. */
export async function runMainJob(options: MainJobOptions = {}): Promise<MainJobResult> {
  const t0 = Date.now();
  const log = options.log ?? (() => undefined);
  const loaded = await loadScenario(options.scenario ?? DEFAULT_MAIN_JOB.scenario);
  const stack = await startStack(options);
  try {
    if (options.signal?.aborted) {
      throw new CliError('MB_ERR_INTERRUPTED', 'interrupted before the run started');
    }
    log(`running ${loaded.definition.name} against ${stack.serviceUrl}: ${loaded.definition.description}`);
    const firstRequestAfterSec = (Date.now() - t0) / 1000;
    const runStart = Date.now();
    // Orders created from here on are this run's: the PSP reconciliation's window starts here.
    const paymentsFrom = runStart;
    const result = await runScenario(loaded.definition, {
      target: stack.serviceUrl,
      store: stack.store,
      file: loaded.file,
      overrides: options.overrides,
      adminToken: stack.adminToken,
      // a rewritten line on a TTY, a progress line every 10 s elsewhere (CI logs)
      progress: options.progress,
      signal: options.signal,
      // the generator in a worker thread: the ingest and chDB inserts on this thread never delay its schedule
      isolate: true,
      // every trace gets its root: the generator's span of the request
      clientSpans: options.clientSpans === false ? false : { url: `${stack.ingest.url}/v1/traces` },
    });
    log(`run ${result.runId} finished (${result.totals.requests} requests); flushing telemetry`);
    const telemetry = await stack.flushTelemetry();
    // The scrape after the run is the "after" of the request-counter reconciliation.
    await stack.scrapeNow();
    await stack.ingest.flush();
    const reportPath =
      options.out ??
      path.join(resolveStoreOptions({ home: options.home }).home, 'reports', `${result.runId}.html`);
    // Every run reconciles its money: payments still in doubt get a bounded wait for the resolver.
    const payments = await fetchPspReconciliation({
      serviceUrl: stack.serviceUrl,
      adminToken: stack.adminToken,
      fromMs: paymentsFrom,
      settleTimeoutMs: 30_000,
      log,
    }).catch((err: Error) => err);
    const paymentsRow = pspReconciliationRow(payments);
    const report = await writeRunReport(stack.store, result.runId, reportPath, {
      reconciliation: [paymentsRow],
    });
    return {
      result,
      definition: loaded.definition,
      reportPath,
      report,
      firstRequestAfterSec,
      spansDropped: telemetry.stats.spansDropped,
      // A discrepancy fails the run like a broken threshold (k6's 99).
      exitCode: result.exitCode !== 0 ? result.exitCode : paymentsRow.ok ? 0 : EXIT.thresholdsFailed,
    };
  } finally {
    log('stopping the stack');
    await stack.stop();
  }
}

/** The end-of-job summary: k6-style summary, reconciliation, where the report is. */
export function formatMainJobSummary(job: MainJobResult): string {
  const lines = [formatSummary(job.result, job.definition), '', 'reconciliation (every number must agree):'];
  for (const r of job.report.reconciliation) {
    lines.push(
      `  ${r.ok ? '✓' : r.unanswered ? '✗' : '✗ MISMATCH'} ${r.what.padEnd(26)} ${r.value === null ? 'no data' : String(r.value).padStart(10)}  ${r.source}`,
    );
  }
  if (job.report.slos && job.report.slos.length > 0) {
    lines.push('', 'SLOs over the run (windows time-scaled like the scenario; highest burn seen):');
    for (const s of job.report.slos) {
      const worst = Object.entries(s.burn)
        .filter(([, v]) => v !== null)
        .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))[0];
      const budget =
        s.budgetRemaining === null ? 'no events' : `${(s.budgetRemaining * 100).toFixed(1)}% budget left`;
      const burn = worst ? `, max burn ${(worst[1] ?? 0).toFixed(2)}× (${worst[0]})` : '';
      const alerts = s.alerts.length > 0 ? `, FIRED: ${s.alerts.join('; ')}` : '';
      lines.push(`  ${s.alerts.length > 0 ? '✗' : '✓'} ${s.slo}: ${budget}${burn}${alerts}`);
    }
  } else if (job.report.slosNote) {
    lines.push('', `SLOs: ${job.report.slosNote}`);
  }
  if (job.spansDropped > 0) lines.push(`  ✗ the service dropped ${job.spansDropped} spans before export`);
  const unanswered = job.report.reconciliation.find((r) => r.unanswered && !r.ok);
  if (unanswered) {
    lines.push(
      '',
      `WARNING: ${unanswered.value} requests got no HTTP answer (transport errors): the load failed there, not the telemetry.`,
    );
  }
  const payments = job.report.reconciliation.find((r) => r.payments && !r.ok);
  if (payments) {
    lines.push(
      '',
      `FAILED: the PSP and the books disagree (${payments.value ?? 'no'} discrepancies): ${payments.source}`,
    );
  }
  if (job.report.reconciliation.some((r) => !r.ok && !r.unanswered && !r.payments)) {
    lines.push(
      '',
      'WARNING: telemetry was lost or double-counted in this run; see the reconciliation table in the report.',
    );
  }
  lines.push('', `report: ${path.resolve(job.reportPath)}`, '');
  return lines.join('\n');
}
