// The one error base of marketbench (like Fastify's FastifyError): a stable `MB_ERR_*` code, the
// exit code the CLI maps it to, and the HTTP status where it has one. Package errors extend it;
// `cli/src/main.ts` turns any of them into one line and an exit code.

import type { ErrorSpec, MarketbenchErrorOptions } from '../types.ts';
import type { ExitCode } from './exitCodes.ts';

/** An error with a catalog code, an exit code and, where it has one, an HTTP status. */
export class MarketbenchError extends Error {
  /** The stable code, `MB_ERR_*`. */
  readonly code: string;
  /** Exit code of the marketbench command. */
  readonly exitCode: ExitCode;
  /** HTTP status, when the code has one. */
  readonly status: number | undefined;
  constructor(code: string, message: string, spec: ErrorSpec, options: MarketbenchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MarketbenchError';
    this.code = code;
    this.exitCode = spec.exit;
    this.status = spec.status;
  }
}

/** True when `err` is a MarketbenchError, optionally with the given code. */
export function isMarketbenchError(err: unknown, code?: string): err is MarketbenchError {
  return err instanceof MarketbenchError && (code === undefined || err.code === code);
}
