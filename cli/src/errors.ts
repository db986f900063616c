// The CLI's error catalog. Every code here is documented in docs/CLI.md (a test checks it); the
// exit codes are contracts' EXIT table, which follows k6 where k6 has one (99: thresholds failed).

import {
  CONTRACT_ERRORS,
  type ContractErrorCode,
  defineCatalog,
  EXIT,
  MarketbenchError,
  type MarketbenchErrorOptions,
} from '@marketbench/contracts';

/**
 * The codes the CLI itself raises, with their exit code. Commands also pass on the errors of the
 * packages' catalogs (CONTRACT_ERRORS, STORE_ERRORS, SCENARIO_ERRORS, SLO_ERRORS, …) as they are:
 * every one is a MarketbenchError, which main.ts turns into one line and its exit code.
 */
export const CLI_ERRORS = defineCatalog({
  MB_ERR_INTERNAL: {
    exit: EXIT.runError,
    description:
      'An unexpected failure that no catalog names (a bug): the message says what failed; --verbose prints the stack.',
  },
  MB_ERR_NODE_TOO_OLD: {
    exit: EXIT.usage,
    description: '`bin/marketbench.js` runs on a Node.js that cannot strip TypeScript types.',
  },
  MB_ERR_BUDGET_INVALID: {
    exit: EXIT.usage,
    description: 'A budgets file is unreadable, not YAML, or a field is invalid.',
  },
  MB_ERR_BASELINE_INVALID: {
    exit: EXIT.usage,
    description: 'A baseline file is unreadable or not a `marketbench/v1` Baseline.',
  },
  MB_ERR_NO_RUNS: {
    exit: EXIT.usage,
    description: '`--last` and the store holds no run.',
  },
  MB_ERR_RUN_UNKNOWN: {
    exit: EXIT.usage,
    description: 'No run with that id.',
  },
  MB_ERR_RUN_NO_METRICS: {
    exit: EXIT.usage,
    description:
      '`gate`: the run has no stored metric series (unfinished, or stored by an older marketbench).',
  },
  MB_ERR_DASHBOARDS_STALE: {
    exit: EXIT.usage,
    description: '`dashboards build --check` found a generated file missing or different.',
  },
  MB_ERR_PORT_IN_USE: {
    exit: EXIT.runError,
    description:
      'A port marketbench must listen on is taken (the ingest or the service: start, up, serve, ingest).',
  },
  MB_ERR_STACK_START: {
    exit: EXIT.runError,
    description: 'The reference service did not start.',
  },
  MB_ERR_INTERRUPTED: {
    exit: EXIT.runError,
    description: 'Ctrl-C before the run started.',
  },
  MB_ERR_SLO_DRILL_NO_DATA: {
    exit: EXIT.runError,
    description:
      "`slo drill`: no fault was applied, or the runs' spans never reached the store, so the drill cannot judge the alert.",
  },
  MB_ERR_INGEST_NOT_RUNNING: {
    exit: EXIT.storeUnavailable,
    description: '`ingest stats`: no running ingest owns this MARKETBENCH_HOME, or it does not answer.',
  },
  MB_ERR_SERVE_FAILED: {
    exit: EXIT.runError,
    description: '`serve`: the service failed to start for another reason.',
  },
  MB_ERR_SERVE_DEPENDENCY: {
    exit: EXIT.storeUnavailable,
    description: '`serve`: a backing service named in the environment is unreachable.',
  },
  MB_ERR_RECONCILIATION_FAILED: {
    exit: EXIT.thresholdsFailed,
    description:
      '`reconcile`, `start`, `slo drill`: the PSP and the books disagree (a discrepancy fails like a threshold).',
  },
  MB_ERR_RECONCILIATION_UNAVAILABLE: {
    exit: EXIT.runError,
    description:
      "`reconcile`: the service's /admin/reconciliation could not be reached or answered an error.",
  },
  MB_ERR_CAPACITY_NO_RUN: {
    exit: EXIT.usage,
    description: '`capacity plan|report`: the store holds no capacity run (or none with that id).',
  },
  MB_ERR_CAPACITY_NO_FIT: {
    exit: EXIT.usage,
    description: '`capacity plan`: the capacity run has no USL fit (fewer than 3 loads measured).',
  },
});
/** A code the CLI itself raises. */
export type CliErrorCode = (typeof CLI_ERRORS.codes)[number];

/** A code of CLI_ERRORS or of contracts' CONTRACT_ERRORS (MB_ERR_USAGE). */
export type CliRaisedCode = CliErrorCode | ContractErrorCode;

/** An error the CLI raises; its exit code comes from the catalog, never from the call site. */
export class CliError extends MarketbenchError {
  declare readonly code: CliRaisedCode;
  constructor(code: CliRaisedCode, message: string, options?: MarketbenchErrorOptions) {
    super(code, message, CLI_ERRORS.has(code) ? CLI_ERRORS.spec(code) : CONTRACT_ERRORS.spec(code), options);
    this.name = 'CliError';
  }
}
