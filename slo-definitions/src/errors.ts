// The error catalog of slo-definitions (like Fastify's lib/errors.js): every failure a user
// can cause has a stable code, and docs/SLO.md documents each one (a test checks it).

/** Codes and what each means; the CLI maps them to exit codes. */
export const SLO_ERRORS = {
  MB_ERR_SLO_SPEC_PARSE: 'a spec file is not valid YAML',
  MB_ERR_SLO_SPEC_SCHEMA: 'a spec does not match the marketbench/v1 JSON Schema',
  MB_ERR_SLO_UNKNOWN_NAME:
    'a spec names a service, route, route group, metric or label missing from the name table',
  MB_ERR_SLO_BAD_THRESHOLD: 'a latency threshold is not a bucket bound of the HTTP duration histogram',
  MB_ERR_SLO_DUPLICATE: 'two SLOs share a name, or two alert windows the same severity and windows',
  MB_ERR_SLO_BAD_WINDOW:
    'an alert window is longer than the SLO period, or its short window is not shorter than its long one',
  MB_ERR_SLO_NO_SPECS: 'the spec directory holds no spec file',
  MB_ERR_SLO_UNKNOWN_SLO: 'a command named an SLO that no spec defines',
  MB_ERR_SLO_QUERY: 'a burn-rate query failed in ClickHouse',
  MB_ERR_SLO_GENERATED_STALE: 'committed generated files differ from what the specs generate',
  MB_ERR_SLO_DRILL_FAILED:
    'a drill did not behave as the alert policy promises (missed or false page, no reset)',
} as const;
export type SloErrorCode = keyof typeof SLO_ERRORS;

/** An error located in a spec: the file, the JSON pointer of the field, and what is wrong. */
export class SloError extends Error {
  readonly code: SloErrorCode;
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
    super(at ? `${at}: ${message}` : message, { cause: where.cause });
    this.name = 'SloError';
    this.code = code;
    this.file = where.file;
    this.path = where.path;
  }
}

/** Several spec errors at once, so one `validate` run reports every problem. */
export class SloValidationError extends Error {
  readonly code: SloErrorCode;
  readonly errors: readonly SloError[];
  constructor(errors: readonly SloError[]) {
    super(errors.map((e) => `${e.message} [${e.code}]`).join('\n'));
    this.name = 'SloValidationError';
    this.errors = errors;
    this.code = errors[0]?.code ?? 'MB_ERR_SLO_SPEC_SCHEMA';
  }
}
