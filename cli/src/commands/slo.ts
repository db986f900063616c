// `marketbench slo`: validate the SLO specs, build the Prometheus rules, Grafana alert rules and
// promtool tests from them, and show burn rates from ClickHouse. Flags and printing only; the
// work is in @marketbench/slo-definitions.

import fs from 'node:fs';
import path from 'node:path';
import { parseNumber, parsePort, SERVICES } from '@marketbench/contracts';
import {
  assertDrill,
  buildOutputs,
  DEFAULT_SPECS_DIR,
  evaluateSlos,
  formatDrill,
  formatStatus,
  gen,
  importSpec,
  loadSpecs,
  PACKAGE_DIR,
  type Slo,
  SloError,
  SloValidationError,
  staleOutputs,
  unmatchedInExposition,
  unmatchedInStore,
  writeOutputs,
} from '@marketbench/slo-definitions';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { assertPrometheusDrill, formatPrometheusDrill, runPrometheusDrill } from '../slo/prometheusDrill.ts';
import { runDrill } from '../slo/runDrill.ts';
import { fetchPspReconciliation, pspReconciliationRow } from '../stack/pspReconciliation.ts';
import { startStack } from '../stack/startStack.ts';
import { withStore } from '../stack/withStore.ts';

function load(specs: string | undefined): Slo[] {
  try {
    return loadSpecs(specs ? path.resolve(specs) : DEFAULT_SPECS_DIR);
  } catch (err) {
    // Every spec problem on its own line, under a one-line heading carrying the first code.
    if (err instanceof SloValidationError) err.message = `invalid SLO specs:\n${err.message}`;
    throw err;
  }
}

const ENV_HELP = `
Environment: CLICKHOUSE_URL (server backend), MARKETBENCH_HOME (default .marketbench), MARKETBENCH_DATABASE (default otel).`;

export function register(program: Command): void {
  const slo = program
    .command('slo')
    .description('SLOs as code: validate specs, build Prometheus/Grafana alert rules, show burn rates');

  slo
    .command('validate')
    .description(
      'check the SLO specs against the schema and the name table (or, for your own service, an open schema)',
    )
    .option('--specs <dir>', 'directory of *.yaml specs (default: the shipped slo-definitions/specs)')
    .option('--against-metrics <url>', 'warn about SLO selectors that match no series of this /metrics page')
    .option('--against-store', 'warn about SLOs with no events in the store (last 30 days)')
    .addHelpText(
      'after',
      `
--against-metrics and --against-store print one "warning:" line per SLO selector that matches
nothing (a typo in a route, a metric the service does not expose): an SLO without data alerts on
nothing. Warnings do not change the exit code.
${ENV_HELP}
Exit codes: 0 valid, 1 invalid (MB_ERR_SLO_SPEC_PARSE, MB_ERR_SLO_SPEC_SCHEMA, MB_ERR_SLO_UNKNOWN_NAME, ...).`,
    )
    .action(async (flags: { specs?: string; againstMetrics?: string; againstStore?: boolean }) => {
      const slos = load(flags.specs);
      const files = new Set(slos.map((s) => s.file));
      for (const s of slos) {
        const windows = s.windows.map((w) => `${w.severity} ${w.burnRate}× ${w.long}/${w.short}`).join(', ');
        process.stdout.write(`${s.id}  ${s.sli.kind}  ${s.target * 100}% over ${s.period}  [${windows}]\n`);
      }
      process.stdout.write(`${slos.length} SLOs in ${files.size} spec files: valid\n`);
      if (flags.againstMetrics) {
        let text: string;
        try {
          const res = await fetch(flags.againstMetrics, { signal: AbortSignal.timeout(10_000) });
          text = await res.text();
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
        } catch (err) {
          throw new CliError(
            'MB_ERR_USAGE',
            `cannot read ${flags.againstMetrics}: ${(err as Error).message}`,
            {
              cause: err,
            },
          );
        }
        const missing = unmatchedInExposition(slos, text);
        for (const m of missing)
          process.stderr.write(
            `warning: ${m.slo}: ${m.selector} matches no series at ${flags.againstMetrics}\n`,
          );
        process.stdout.write(
          `${slos.length - new Set(missing.map((m) => m.slo)).size}/${slos.length} SLOs select series at ${flags.againstMetrics}\n`,
        );
      }
      if (flags.againstStore) {
        const missing = await withStore((store) => unmatchedInStore(store, slos));
        for (const m of missing)
          process.stderr.write(`warning: ${m.slo}: no ${m.selector} in the last 30 days\n`);
        process.stdout.write(
          `${slos.length - missing.length}/${slos.length} SLOs have events in the store\n`,
        );
      }
    });

  slo
    .command('import')
    .description('convert a Sloth prometheus/v1 or OpenSLO v1 file to a marketbench/v1 spec')
    .argument('<format>', 'sloth or openslo')
    .argument('<file>', 'the file to convert')
    .option('--out <file>', 'write the spec here instead of stdout')
    .addHelpText(
      'after',
      `
The spec compiles through the same pipeline as any other (\`slo build --specs DIR\` turns it into
Prometheus rules, Grafana alerts and ClickHouse SQL). Event queries must count a counter:
sum(rate(<metric>{<matchers>}[<window>])); OTel's http_server_request_duration_seconds_count with
http_response_status_code=~"5.." becomes httpAvailability, anything else counterRatio.
Exit codes: 0 converted, 1 a field that does not convert (MB_ERR_SLO_IMPORT names it) or a bad file.`,
    )
    .action((format: string, file: string, flags: { out?: string }) => {
      if (format !== 'sloth' && format !== 'openslo')
        throw new CliError('MB_ERR_USAGE', `format must be sloth or openslo, got "${format}"`);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new CliError('MB_ERR_USAGE', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
      }
      const spec = importSpec(format, text, file);
      if (flags.out) {
        fs.writeFileSync(flags.out, spec);
        process.stdout.write(`wrote ${flags.out}\n`);
      } else process.stdout.write(spec);
    });

  slo
    .command('build')
    .description('generate Prometheus rules, Grafana alert rules and promtool tests from the specs')
    .option(
      '--specs <dir>',
      'directory of *.yaml specs (default: the shipped specs; then writes the committed files)',
    )
    .option('--out <dir>', 'output directory (default: slo-definitions/generated)')
    .option('--check', 'write nothing; exit 1 if a generated file is missing or differs (CI)')
    .addHelpText(
      'after',
      `
Without --specs/--out this is \`npm run gen\` for slo-definitions: generated/, test/promtool/ and the
testdata golden outputs. Exit codes: 0 ok, 1 invalid specs or --check found stale files (MB_ERR_SLO_GENERATED_STALE).`,
    )
    .action((flags: { specs?: string; out?: string; check?: boolean }) => {
      const slos = load(flags.specs);
      const out = flags.out ? path.resolve(flags.out) : path.join(PACKAGE_DIR, 'generated');
      const files = buildOutputs(slos);
      if (flags.check) {
        const stale = staleOutputs(out, files);
        if (stale.length > 0) {
          throw new SloError(
            'MB_ERR_SLO_GENERATED_STALE',
            `stale generated files in ${out}: ${stale.join(', ')} (run marketbench slo build)`,
          );
        }
        process.stdout.write(`${files.size} generated files up to date in ${out}\n`);
        return;
      }
      const written = !flags.specs && !flags.out ? gen() : writeOutputs(out, files);
      process.stdout.write(
        written.length ? `wrote ${written.join(', ')}\n` : `up to date (${files.size} files in ${out})\n`,
      );
    });

  slo
    .command('status')
    .description(
      "every SLO's error ratio and burn rate per window, budget remaining and firing alerts, from ClickHouse",
    )
    .option('--run <id>', 'only spans of this load run; --at defaults to the run end')
    .option('--at <time>', 'evaluate at this instant (ISO 8601), default now or the run end')
    .option('--time-scale <n>', 'divide every window by n (drills: 60 turns 1h into 1m)', '1')
    .option(
      '--slo <id>',
      'only this SLO id (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--specs <dir>', 'directory of *.yaml specs (default: the shipped specs)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Examples:
  marketbench slo status
  marketbench slo status --run 01JD... --time-scale 60
${ENV_HELP}
Exit codes: 0 ok (firing alerts are reported, not failed), 1 bad flags or specs (MB_ERR_SLO_UNKNOWN_SLO),
2 query failed (MB_ERR_SLO_QUERY), 3 store unavailable.`,
    )
    .action(
      async (flags: {
        run?: string;
        at?: string;
        timeScale: string;
        slo: string[];
        specs?: string;
        json?: boolean;
      }) => {
        const timeScale = parseNumber(flags.timeScale, '--time-scale', { min: Number.MIN_VALUE });
        let at: Date | undefined;
        if (flags.at !== undefined) {
          at = new Date(flags.at);
          if (Number.isNaN(at.getTime()))
            throw new CliError('MB_ERR_USAGE', `--at must be an ISO 8601 time, got "${flags.at}"`);
        }
        let slos = load(flags.specs);
        if (flags.slo.length > 0) {
          const unknown = flags.slo.filter((id) => !slos.some((s) => s.id === id));
          if (unknown.length > 0) {
            throw new SloError(
              'MB_ERR_SLO_UNKNOWN_SLO',
              `unknown SLO ${unknown.join(', ')} (known: ${slos.map((s) => s.id).join(', ')})`,
            );
          }
          slos = slos.filter((s) => flags.slo.includes(s.id));
        }
        const report = await withStore(async (store) => {
          return await evaluateSlos(store, { at, runId: flags.run, timeScale, slos });
        });
        process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
      },
    );

  slo
    .command('drill')
    .description(
      'prove the checkout page alert: psp-incident traffic without faults (no page) and with them (page, then reset)',
    )
    .option('--scale <f>', 'fraction of the 3-minute scenario to run (0.1 runs 18 s twice)', '1')
    .option('--rate <n>', 'override the arrival rate (iterations/s)')
    .option('--time-scale <n>', 'divide every alert window by n (default 120 / scale)')
    .option('--port <n>', 'reference service port (0: any free port)', '0')
    .option('--ingest-port <n>', 'OTLP ingest port (0: any free port)', '0')
    .option('--items <n>', 'listings in the seeded catalog (the journeys view ids 1-20000)', '20000')
    .option(
      '--prometheus',
      'run the generated rules unchanged in a real Prometheus (5 s scrape and evaluation) with a real Alertmanager instead',
    )
    .option('--healthy <s>', 'with --prometheus: seconds of healthy traffic before the fault', '30')
    .option('--fault <s>', 'with --prometheus: seconds the PSP is down', '10')
    .addHelpText(
      'after',
      `
Starts the embedded stack (store, ingest, reference service), runs both drills, prints per drill the
detection time (against the bound the policy allows at the time scale), the reset time and
precision/recall of the page over the evaluation steps, then stops the stack.
Then it reconciles the PSP's settlement report with the orders and ledger (see \`marketbench reconcile\`).

With --prometheus: starts Prometheus (\`prometheus\`, or PROMETHEUS_BIN) with the committed rule
files and Alertmanager (\`prometheus-alertmanager\`, or ALERTMANAGER_BIN) on free loopback ports,
sends healthy traffic (every SLI recording rule must get data, no alert may fire), takes the PSP
down, and prints when the checkout page reached Alertmanager and when it resolved, each against
the bound the windows, factor and for: imply (about 3 minutes in all).
Environment: MARKETBENCH_HOME (default .marketbench), PROMETHEUS_BIN, ALERTMANAGER_BIN.
Exit codes: 0 both drills behaved and the money reconciles, 99 a drill failed (MB_ERR_SLO_DRILL_FAILED) or
a reconciliation discrepancy (MB_ERR_RECONCILIATION_FAILED), 2 run error, 3 store unavailable.`,
    )
    .action(
      async (flags: {
        scale: string;
        rate?: string;
        timeScale?: string;
        port: string;
        ingestPort: string;
        items: string;
        prometheus?: boolean;
        healthy: string;
        fault: string;
      }) => {
        const port = (flag: string, v: string | undefined) =>
          v === undefined ? undefined : parsePort(v, flag);
        const scale =
          flags.scale === undefined ? 1 : parseNumber(flags.scale, '--scale', { min: Number.MIN_VALUE });
        const log = (line: string) => process.stderr.write(`[slo drill] ${line}\n`);
        const stack = await startStack({
          servicePort: port('--port', flags.port),
          ingestPort: port('--ingest-port', flags.ingestPort),
          items:
            flags.items === undefined
              ? undefined
              : parseNumber(flags.items, '--items', { integer: true, min: 1 }),
          log,
        });
        if (flags.prometheus) {
          const seconds = (v: string, flag: string) => parseNumber(v, flag, { min: 1 });
          try {
            const report = await runPrometheusDrill({
              target: stack.serviceUrl,
              adminToken: stack.adminToken,
              scrapeTargets: [
                { url: `${stack.serviceUrl}/metrics`, job: SERVICES.reference },
                { url: `${stack.ingest.url}/metrics`, job: SERVICES.ingest },
              ],
              healthySeconds: seconds(flags.healthy, '--healthy'),
              faultSeconds: seconds(flags.fault, '--fault'),
              rate:
                flags.rate === undefined
                  ? undefined
                  : parseNumber(flags.rate, '--rate', { min: Number.MIN_VALUE }),
              log,
            });
            process.stdout.write(`${formatPrometheusDrill(report)}\n`);
            assertPrometheusDrill(report);
            process.stdout.write(
              'drill passed: every SLI had data, nothing fired when healthy, the page reached Alertmanager in time and resolved\n',
            );
          } finally {
            await stack.stop();
          }
          return;
        }
        try {
          const report = await runDrill({
            store: stack.store,
            target: stack.serviceUrl,
            adminToken: stack.adminToken,
            flush: async () => {
              await stack.flushTelemetry();
            },
            scale,
            rate:
              flags.rate === undefined
                ? undefined
                : parseNumber(flags.rate, '--rate', { min: Number.MIN_VALUE }),
            timeScale:
              flags.timeScale === undefined
                ? undefined
                : parseNumber(flags.timeScale, '--time-scale', { min: Number.MIN_VALUE }),
            log,
          });
          process.stdout.write(
            `time scale ${report.timeScale} (every alert window ${report.timeScale}× shorter than its name)\n` +
              `healthy  run ${report.healthy.runId}: ${formatDrill(report.healthy)}\n` +
              `incident run ${report.incident.runId}: ${formatDrill(report.incident)} ` +
              `(fault error ratio ${(report.incident.faultErrorRatio * 100).toFixed(1)}%)\n`,
          );
          // The PSP incident must not cost money: the PSP's record and the books reconcile after both runs.
          const payments = pspReconciliationRow(
            await fetchPspReconciliation({
              serviceUrl: stack.serviceUrl,
              adminToken: stack.adminToken,
              settleTimeoutMs: 60_000,
              log,
            }).catch((err: Error) => err),
          );
          process.stdout.write(
            `reconciliation: ${payments.ok ? '✓' : '✗'} ${payments.what}: ${payments.value ?? 'no data'} discrepancies (${payments.source})\n`,
          );
          assertDrill(report.healthy, { expectPage: false });
          // Allow two evaluation steps and the PSP's own latency before a failed checkout is recorded.
          assertDrill(report.incident, { expectPage: true, slackMs: 2000 });
          if (!payments.ok) {
            throw new CliError(
              'MB_ERR_RECONCILIATION_FAILED',
              `the PSP and the books disagree after the drill: ${payments.source}`,
            );
          }
          process.stdout.write(
            'drill passed: no page when healthy; paged in time and reset after the PSP recovered; the money reconciles\n',
          );
        } finally {
          await stack.stop();
        }
      },
    );
}
