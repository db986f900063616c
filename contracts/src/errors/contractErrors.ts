// The codes this package's parsers raise. Every caller that reads a flag, an environment
// variable or a config value through them gets the same code and the same sentence for the
// same mistake (`--port abc` and `MARKETBENCH_PORT=abc` alike).

import { defineCatalog } from './defineCatalog.ts';
import { EXIT } from './exitCodes.ts';

/** Codes raised by the contracts parsers. */
export const CONTRACT_ERRORS = defineCatalog({
  MB_ERR_USAGE: {
    exit: EXIT.usage,
    description:
      'A flag or environment variable has an invalid value (not a number, port, duration or one of the allowed words), or two flags contradict each other.',
  },
});

/** A code of CONTRACT_ERRORS. */
export type ContractErrorCode = (typeof CONTRACT_ERRORS.codes)[number];
