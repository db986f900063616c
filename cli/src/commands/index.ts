// Every subcommand module registers itself on the program here; one line per module.
import type { Command } from 'commander';
import { register as baseline } from './baseline.ts';
import { register as dashboards } from './dashboards.ts';
import { register as exportCommand } from './export.ts';
import { register as gate } from './gate.ts';
import { register as ingest } from './ingest.ts';
import { register as query } from './query.ts';
import { register as report } from './report.ts';
import { register as run } from './run.ts';
import { register as scenarios } from './scenarios.ts';
import { register as serve } from './serve.ts';
import { register as slo } from './slo.ts';
import { register as start } from './start.ts';
import { register as store } from './store.ts';
import { register as up } from './up.ts';

export type Register = (program: Command) => void;

export const COMMANDS: Register[] = [
  baseline,
  dashboards,
  gate,
  ingest,
  query,
  report,
  start,
  store,
  up,
  exportCommand,
  run,
  scenarios,
  serve,
  slo,
];
