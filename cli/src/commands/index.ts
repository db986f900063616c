// The one table of subcommands: name, the one-line summary `marketbench --help` lists, the
// argument term it shows after the name, and how to load the module. `main` imports only the
// invoked command's module (chDB, the OTel SDK, Fastify... load on demand) and lists the others
// from this table; a test keeps each summary and term equal to what the real module registers.
// One entry per command module, in the order `--help` lists them.
import type { Command } from 'commander';

/** Registers a command (with its subcommands, options and action) on the program. */
export type Register = (program: Command) => void;

/** A subcommand of `marketbench`. */
export interface CommandEntry {
  /** Command name as typed (`marketbench <name>`). */
  name: string;
  /** The command's `.description()`, listed by `marketbench --help`. */
  summary: string;
  /** What `--help` shows after the name (`[options] <sql>`), empty when nothing. */
  args: string;
  /** Imports the module that registers the command. */
  load: () => Promise<{ register: Register }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'baseline',
    summary: 'save a run as the baseline a later `marketbench gate` compares with',
    args: '',
    load: () => import('./baseline.ts'),
  },
  {
    name: 'capacity',
    summary:
      'capacity model: a stepped stress run fitted with the Universal Scalability Law, and replica plans',
    args: '',
    load: () => import('./capacity.ts'),
  },
  {
    name: 'dashboards',
    summary: 'Grafana dashboards as code over ClickHouse',
    args: '',
    load: () => import('./dashboards.ts'),
  },
  {
    name: 'gate',
    summary: 'check a load run against performance budgets (k6 thresholds, SLO burn, baseline comparison)',
    args: '[options]',
    load: () => import('./gate.ts'),
  },
  {
    name: 'ingest',
    summary: 'run the OTLP/HTTP ingest into the store in the foreground until Ctrl-C (see docs/INGEST.md)',
    args: '[options]',
    load: () => import('./ingest.ts'),
  },
  {
    name: 'query',
    summary: 'run SQL on the configured store (chDB, ClickHouse server, or through the running ingest)',
    args: '[options] <sql>',
    load: () => import('./query.ts'),
  },
  {
    name: 'reconcile',
    summary: 'match the PSP settlement report with orders and ledger, per currency, to the cent',
    args: '[options]',
    load: () => import('./reconcile.ts'),
  },
  {
    name: 'report',
    summary: 'write a self-contained HTML report of a load run',
    args: '[options] [run-id]',
    load: () => import('./report.ts'),
  },
  {
    name: 'scenario',
    summary: 'derive a scenario from recorded traffic, measure its fidelity, or scaffold one from OpenAPI',
    args: '',
    load: () => import('./scenario.ts'),
  },
  {
    name: 'start',
    summary:
      'the main job: start the embedded stack, run marketplace-day, check thresholds, write the HTML report, stop',
    args: '[options]',
    load: () => import('./start.ts'),
  },
  {
    name: 'store',
    summary: 'create, inspect and migrate the ClickHouse store (see docs/STORE.md)',
    args: '',
    load: () => import('./store.ts'),
  },
  {
    name: 'up',
    summary:
      'run the embedded stack (store, OTLP ingest, /metrics scraper, reference service) in the foreground',
    args: '[options]',
    load: () => import('./up.ts'),
  },
  {
    name: 'export',
    summary: 'export scenarios to other tools',
    args: '',
    load: () => import('./export.ts'),
  },
  {
    name: 'run',
    summary: 'run a load scenario (built-in name or a scenario .ts file) and check its thresholds',
    args: '[options] <scenario>',
    load: () => import('./run.ts'),
  },
  {
    name: 'scenarios',
    summary: 'built-in load scenarios',
    args: '',
    load: () => import('./scenarios.ts'),
  },
  {
    name: 'serve',
    summary: 'run the reference marketplace service in the foreground (Ctrl-C stops it)',
    args: '[options]',
    load: () => import('./serve.ts'),
  },
  {
    name: 'slo',
    summary: 'SLOs as code: validate specs, build Prometheus/Grafana alert rules, show burn rates',
    args: '',
    load: () => import('./slo.ts'),
  },
  {
    name: 'version',
    summary: 'print the version (also --version)',
    args: '',
    load: () => import('./version.ts'),
  },
];
