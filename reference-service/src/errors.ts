// The reference service's error catalog for failures that end a process (the CLI's `serve` and
// the stack). HTTP answers are problem+json documents with their own types (http/problems.ts).

import { defineCatalog, EXIT } from '@marketbench/contracts';

/** Codes the service raises at start-up, with the exit code the CLI ends with. */
export const SERVICE_ERRORS = defineCatalog({
  MB_ERR_SQLITE_IN_USE: {
    exit: EXIT.runError,
    description:
      "Another process holds the service's SQLite file (give each service its own file, or share PostgreSQL).",
  },
});
