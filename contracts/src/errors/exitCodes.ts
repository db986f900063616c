// The exit codes of the marketbench command, in one table (docs/CLI.md prints it). They follow
// k6 where k6 has one: 99 for failed thresholds, 105 for an external abort (Ctrl-C).

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

/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
