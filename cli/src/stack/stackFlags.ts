// The flags `start` and `up` share: where the embedded stack listens and how big its catalog is,
// with one parser for their values (argument > env > DEFAULT_STACK_OPTIONS, resolved in startStack).

import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.ts';
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

/** A flag's non-negative integer value, undefined when absent; MB_ERR_USAGE otherwise. */
export function nonNegativeInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new CliError('MB_ERR_USAGE', `${flag} must be a non-negative integer, got "${v}"`, EXIT.usage);
  return n;
}

/** The stack options the flags name. */
export function stackOptionsFromFlags(flags: StackFlags): {
  servicePort: number | undefined;
  ingestPort: number | undefined;
  items: number | undefined;
} {
  return {
    servicePort: nonNegativeInt('--port', flags.port),
    ingestPort: nonNegativeInt('--ingest-port', flags.ingestPort),
    items: nonNegativeInt('--items', flags.items),
  };
}
