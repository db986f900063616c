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
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

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
