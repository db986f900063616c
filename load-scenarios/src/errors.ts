// The load-scenarios error catalog: every failure a user can cause has a stable code, a message
// naming the field and the scenario file, and the CLI exit code it maps to. docs/LOAD.md lists
// every code; a test checks that.

import { defineCatalog, EXIT, MarketbenchError } from '@marketbench/contracts';

/** Codes, with the exit code each maps to. */
export const SCENARIO_ERRORS = defineCatalog({
  MB_ERR_SCENARIO_UNKNOWN: {
    exit: EXIT.usage,
    description: 'The named scenario is neither a built-in nor a readable file.',
  },
  MB_ERR_SCENARIO_LOAD: {
    exit: EXIT.usage,
    description: 'The scenario module could not be imported or has no default export.',
  },
  MB_ERR_SCENARIO_FIELD: {
    exit: EXIT.usage,
    description: 'A required field is missing or has the wrong type.',
  },
  MB_ERR_SCENARIO_EXECUTOR: {
    exit: EXIT.usage,
    description: 'An executor name k6 does not know.',
  },
  MB_ERR_SCENARIO_DURATION: {
    exit: EXIT.usage,
    description:
      'A duration that is not a k6 duration (`30s`, `1m30s`, `500ms`; a bare number is milliseconds).',
  },
  MB_ERR_SCENARIO_NUMBER: {
    exit: EXIT.usage,
    description: 'A negative or non-finite rate, VU count, iteration count or weight.',
  },
  MB_ERR_SCENARIO_THRESHOLD: {
    exit: EXIT.usage,
    description: 'A threshold expression that does not parse, or an aggregation the metric type lacks.',
  },
  MB_ERR_SCENARIO_METRIC: {
    exit: EXIT.usage,
    description: 'A threshold or record on a metric that is neither built-in nor declared.',
  },
  MB_ERR_SCENARIO_REFERENCE: {
    exit: EXIT.usage,
    description: 'A journey or step reference that does not resolve (unknown journey, feeder or template).',
  },
  MB_ERR_SCENARIO_FEEDER: {
    exit: EXIT.usage,
    description: 'A feeder file that cannot be read or parsed, or has fewer rows than unique mode needs.',
  },
  MB_ERR_SCENARIO_TARGET: {
    exit: EXIT.usage,
    description: 'A target that is not a loopback address: marketbench only loads this machine.',
  },
  MB_ERR_SCENARIO_DERIVE_SPANS: {
    exit: EXIT.usage,
    description: '`scenario derive`: the window holds fewer server spans than `--min-spans`.',
  },
  MB_ERR_SCENARIO_OPENAPI: {
    exit: EXIT.usage,
    description: '`scenario init --from-openapi`: the document cannot be read or is not OpenAPI 3.x.',
  },
  MB_ERR_SCENARIO_RUN: {
    exit: EXIT.runError,
    description: 'The run could not start: nothing accepts connections at the target.',
  },
});

/** One of the catalog's codes. */
export type ScenarioErrorCode = (typeof SCENARIO_ERRORS.codes)[number];

/** A scenario error: code, message naming the field (and file when known), exit code. */
export class ScenarioError extends MarketbenchError {
  declare readonly code: ScenarioErrorCode;
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
    super(code, where ? `${where}: ${message}` : message, SCENARIO_ERRORS.spec(code), {
      cause: details.cause,
    });
    this.name = 'ScenarioError';
    this.field = details.field;
    this.file = details.file;
  }
}
