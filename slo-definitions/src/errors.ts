// The error catalog of slo-definitions (like Fastify's lib/errors.js): every failure a user
// can cause has a stable code, and docs/SLO.md documents each one (a test checks it).

import { defineCatalog, EXIT, MarketbenchError } from '@marketbench/contracts';

/** Codes, what each means and the exit code the CLI ends with. */
export const SLO_ERRORS = defineCatalog({
  MB_ERR_SLO_SPEC_PARSE: {
    exit: EXIT.usage,
    description: 'A spec file is not valid YAML.',
  },
  MB_ERR_SLO_SPEC_SCHEMA: {
    exit: EXIT.usage,
    description: 'A spec does not match the marketbench/v1 JSON Schema.',
  },
  MB_ERR_SLO_UNKNOWN_NAME: {
    exit: EXIT.usage,
    description: 'A spec names a service, route, route group, metric or label missing from the name table.',
  },
  MB_ERR_SLO_BAD_THRESHOLD: {
    exit: EXIT.usage,
    description: 'A latency threshold is not a bucket bound of the HTTP duration histogram.',
  },
  MB_ERR_SLO_OBJECTIVE_MISMATCH: {
    exit: EXIT.usage,
    description:
      "A reference-service SLO disagrees with the objective of the same name in contracts' OBJECTIVES (target, route group or latency bound).",
  },
  MB_ERR_SLO_DUPLICATE: {
    exit: EXIT.usage,
    description: 'Two SLOs share a name, or two alert windows the same severity and windows.',
  },
  MB_ERR_SLO_BAD_WINDOW: {
    exit: EXIT.usage,
    description:
      'An alert window is longer than the SLO period, or its short window is not shorter than its long one.',
  },
  MB_ERR_SLO_NO_SPECS: {
    exit: EXIT.usage,
    description: 'The spec directory holds no spec file.',
  },
  MB_ERR_SLO_UNKNOWN_SLO: {
    exit: EXIT.usage,
    description: 'A command named an SLO that no spec defines.',
  },
  MB_ERR_SLO_QUERY: {
    exit: EXIT.runError,
    description: 'A burn-rate query failed in ClickHouse.',
  },
  MB_ERR_SLO_GENERATED_STALE: {
    exit: EXIT.usage,
    description: 'Committed generated files differ from what the specs generate.',
  },
  MB_ERR_SLO_IMPORT: {
    exit: EXIT.usage,
    description:
      '`slo import`: a Sloth or OpenSLO file has a field marketbench cannot convert (the message names it).',
  },
  MB_ERR_SLO_PROMETHEUS: {
    exit: EXIT.runError,
    description:
      "`slo drill --prometheus`: Prometheus or Alertmanager did not start or answer (is Debian's prometheus / prometheus-alertmanager installed?).",
  },
  MB_ERR_SLO_DRILL_FAILED: {
    exit: EXIT.thresholdsFailed,
    description: 'A drill did not behave as the alert policy promises (missed or false page, no reset).',
  },
});
export type SloErrorCode = (typeof SLO_ERRORS.codes)[number];

/** An error located in a spec: the file, the JSON pointer of the field, and what is wrong. */
export class SloError extends MarketbenchError {
  declare readonly code: SloErrorCode;
  /** Spec file the error is in, when it comes from a spec. */
  readonly file: string | undefined;
  /** JSON pointer of the offending field (`/spec/slos/0/indicator/httpLatency/routeGroup`). */
  readonly path: string | undefined;
  constructor(
    code: SloErrorCode,
    message: string,
    where: { file?: string; path?: string; cause?: unknown } = {},
  ) {
    const at = [where.file, where.path].filter((x) => x !== undefined && x !== '').join(': ');
    super(code, at ? `${at}: ${message}` : message, SLO_ERRORS.spec(code), { cause: where.cause });
    this.name = 'SloError';
    this.file = where.file;
    this.path = where.path;
  }
}

/** Several spec errors at once, so one `validate` run reports every problem. */
export class SloValidationError extends MarketbenchError {
  declare readonly code: SloErrorCode;
  readonly errors: readonly SloError[];
  constructor(errors: readonly SloError[]) {
    const code = errors[0]?.code ?? 'MB_ERR_SLO_SPEC_SCHEMA';
    super(code, errors.map((e) => `${e.message} [${e.code}]`).join('\n'), SLO_ERRORS.spec(code));
    this.name = 'SloValidationError';
    this.errors = errors;
  }
}
