// The CLI's error catalog and exit codes. Every code here is documented in docs/CLI.md
// (a test checks it), and the exit codes follow k6 where k6 has one (99: thresholds failed).

/** Exit codes of the marketbench command. */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** Usage or configuration error: bad flag, bad spec, bad file. */
  usage: 1,
  /** The run itself failed: a dependency crashed, a request loop could not start, a query failed. */
  runError: 2,
  /** The store is unavailable: chDB directory locked by another process, server unreachable. */
  storeUnavailable: 3,
  /** A gate could not decide: the baseline or the run is too noisy for the stated test. */
  inconclusive: 98,
  /** A threshold, budget or SLO was broken (as k6). */
  thresholdsFailed: 99,
  /** The run was stopped from outside (Ctrl-C, SIGTERM), as k6's external abort. */
  externalAbort: 105,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The codes the CLI itself raises, with their exit code. Commands also pass on the codes of the
 * packages' catalogs (STORE_ERRORS, SCENARIO_ERRORS, SLO_ERRORS); a test checks that every code
 * in cli/ is in one of the catalogs and that each code here is in docs/CLI.md with its exit code.
 */
export const CLI_ERRORS = {
  /** A flag has an invalid value, or two flags contradict each other. */
  MB_ERR_USAGE: EXIT.usage,
  /** `bin/marketbench.js` runs on a Node.js that cannot strip TypeScript types. */
  MB_ERR_NODE_TOO_OLD: EXIT.usage,
  /** A budgets file is unreadable, not YAML, or a field is invalid. */
  MB_ERR_BUDGET_INVALID: EXIT.usage,
  /** A baseline file is unreadable or not a `marketbench/v1` Baseline. */
  MB_ERR_BASELINE_INVALID: EXIT.usage,
  /** `--last` and the store holds no run. */
  MB_ERR_NO_RUNS: EXIT.usage,
  /** No run with that id. */
  MB_ERR_RUN_UNKNOWN: EXIT.usage,
  /** `gate`: the run has no stored metric series (unfinished, or stored by an older marketbench). */
  MB_ERR_RUN_NO_METRICS: EXIT.usage,
  /** `dashboards build --check` found a generated file missing or different. */
  MB_ERR_DASHBOARDS_STALE: EXIT.usage,
  /** The ingest or service port is taken. */
  MB_ERR_PORT_IN_USE: EXIT.runError,
  /** The reference service did not start. */
  MB_ERR_STACK_START: EXIT.runError,
  /** Ctrl-C before the run started. */
  MB_ERR_INTERRUPTED: EXIT.runError,
  /** `ingest stats`: no running ingest owns this MARKETBENCH_HOME, or it does not answer. */
  MB_ERR_INGEST_NOT_RUNNING: EXIT.storeUnavailable,
  /** `serve`: a flag is not a valid number. */
  MB_ERR_SERVE_OPTION: EXIT.usage,
  /** `serve`: something already listens on the address. */
  MB_ERR_SERVE_PORT_IN_USE: EXIT.runError,
  /** `serve`: the service failed to start for another reason. */
  MB_ERR_SERVE_FAILED: EXIT.runError,
  /** `serve`: a backing service named in the environment is unreachable. */
  MB_ERR_SERVE_DEPENDENCY: EXIT.storeUnavailable,
  /** `reconcile`, `start`, `slo drill`: the PSP and the books disagree (a discrepancy fails like a threshold). */
  MB_ERR_RECONCILIATION_FAILED: EXIT.thresholdsFailed,
  /** `reconcile`: the service's /admin/reconciliation could not be reached or answered an error. */
  MB_ERR_RECONCILIATION_UNAVAILABLE: EXIT.runError,
  /** `serve`: another process holds the service's SQLite file. */
  MB_ERR_SQLITE_IN_USE: EXIT.runError,
  /** `capacity plan|report`: the store holds no capacity run (or none with that id). */
  MB_ERR_CAPACITY_NO_RUN: EXIT.usage,
  /** `capacity plan`: the capacity run has no USL fit (fewer than 3 loads measured). */
  MB_ERR_CAPACITY_NO_FIT: EXIT.usage,
} as const satisfies Record<string, ExitCode>;
/** A code the CLI itself raises. */
export type CliErrorCode = keyof typeof CLI_ERRORS;

/** An error the CLI prints as one line (no stack unless --verbose) and exits with. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  constructor(code: string, message: string, exitCode: ExitCode = EXIT.usage, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}
