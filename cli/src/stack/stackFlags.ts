// The flags `start` and `up` share: where the embedded stack listens and how big its catalog is,
// with one parser for their values (argument > env > DEFAULT_STACK_OPTIONS, resolved in startStack).

import { parseNumber, parsePort } from '@marketbench/contracts';
import type { Command } from 'commander';
import { DEFAULT_STACK_OPTIONS } from './startStack.ts';

/** The stack flags as commander hands them over. */
export interface StackFlags {
  port?: string;
  ingestPort?: string;
  items?: string;
}

/** Adds --port, --ingest-port and --items (no commander defaults, so the env variables apply). */
export function addStackOptions(command: Command): Command {
  return command
    .option(
      '--port <n>',
      `reference service port (env MARKETBENCH_PORT, default ${DEFAULT_STACK_OPTIONS.servicePort})`,
    )
    .option(
      '--ingest-port <n>',
      `OTLP ingest port (env MARKETBENCH_INGEST_PORT, default ${DEFAULT_STACK_OPTIONS.ingestPort})`,
    )
    .option('--items <n>', 'listings in the seeded catalog (env MARKETBENCH_ITEMS)');
}

/** The stack options the flags name. */
export function stackOptionsFromFlags(flags: StackFlags): {
  servicePort: number | undefined;
  ingestPort: number | undefined;
  items: number | undefined;
} {
  return {
    servicePort: flags.port === undefined ? undefined : parsePort(flags.port, '--port'),
    ingestPort: flags.ingestPort === undefined ? undefined : parsePort(flags.ingestPort, '--ingest-port'),
    items:
      flags.items === undefined ? undefined : parseNumber(flags.items, '--items', { integer: true, min: 1 }),
  };
}
