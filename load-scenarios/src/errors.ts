// The load-scenarios error catalog: every failure a user can cause has a stable code, a message
// naming the field and the scenario file, and the CLI exit code it maps to. docs/LOAD.md lists
// every code; a test checks that.

/** Exit code a scenario error maps to (the CLI's table: 1 usage/config, 2 run error). */
export type ScenarioErrorExit = 1 | 2;

/** Codes, with the exit code each maps to. */
export const SCENARIO_ERRORS = {
  /** The named scenario is neither a built-in nor a readable file. */
  MB_ERR_SCENARIO_UNKNOWN: 1,
  /** The scenario module could not be imported or has no default export. */
  MB_ERR_SCENARIO_LOAD: 1,
  /** A required field is missing or has the wrong type. */
  MB_ERR_SCENARIO_FIELD: 1,
  /** An executor name k6 does not know. */
  MB_ERR_SCENARIO_EXECUTOR: 1,
  /** A duration that is not a k6 duration string (`30s`, `1m30s`, `500ms`). */
  MB_ERR_SCENARIO_DURATION: 1,
  /** A negative or non-finite rate, VU count, iteration count or weight. */
  MB_ERR_SCENARIO_NUMBER: 1,
  /** A threshold expression that does not parse, or an aggregation the metric type lacks. */
  MB_ERR_SCENARIO_THRESHOLD: 1,
  /** A threshold or record on a metric that is neither built-in nor declared. */
  MB_ERR_SCENARIO_METRIC: 1,
  /** A journey or step reference that does not resolve (unknown journey, feeder or template). */
  MB_ERR_SCENARIO_REFERENCE: 1,
  /** A feeder file that cannot be read or parsed, or has fewer rows than unique mode needs. */
  MB_ERR_SCENARIO_FEEDER: 1,
  /** A target that is not a loopback address: marketbench only loads this machine. */
  MB_ERR_SCENARIO_TARGET: 1,
  /** `scenario derive`: the window holds fewer server spans than `--min-spans`. */
  MB_ERR_SCENARIO_DERIVE_SPANS: 1,
  /** `scenario init --from-openapi`: the document cannot be read or is not OpenAPI 3.x. */
  MB_ERR_SCENARIO_OPENAPI: 1,
  /** The run could not start: nothing accepts connections at the target. */
  MB_ERR_SCENARIO_RUN: 2,
} as const satisfies Record<string, ScenarioErrorExit>;

/** One of the catalog's codes. */
export type ScenarioErrorCode = keyof typeof SCENARIO_ERRORS;

/** A scenario error: code, message naming the field (and file when known), exit code. */
export class ScenarioError extends Error {
  readonly code: ScenarioErrorCode;
  readonly exitCode: ScenarioErrorExit;
  /** The dotted path of the offending field, e.g. `options.scenarios.main.rate`. */
  readonly field: string | undefined;
  /** The scenario file, when the scenario came from one. */
  readonly file: string | undefined;
  constructor(
    code: ScenarioErrorCode,
    message: string,
    details: { field?: string; file?: string; cause?: unknown } = {},
  ) {
    const where = [details.file, details.field].filter(Boolean).join(': ');
    super(where ? `${where}: ${message}` : message, { cause: details.cause });
    this.name = 'ScenarioError';
    this.code = code;
    this.exitCode = SCENARIO_ERRORS[code];
    this.field = details.field;
    this.file = details.file;
  }
}
