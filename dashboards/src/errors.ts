// The dashboards package's error catalog: every code it raises with when it happens.
// docs/DASHBOARDS.md documents each code (a test checks it). `dashboards build --check` finding
// stale files is the CLI's MB_ERR_DASHBOARDS_STALE (docs/CLI.md).

import { defineCatalog, EXIT } from '@marketbench/contracts';

/** Every error code the dashboards package raises, with what it means. */
export const DASHBOARD_ERRORS = defineCatalog({
  MB_ERR_DASHBOARDS_MACRO: {
    exit: EXIT.usage,
    description:
      'A query uses a macro or template-variable format the Grafana ClickHouse plugin rejects (wrong argument count, unclosed bracket, unknown format).',
  },
});
/** A code of the dashboards package. */
export type DashboardErrorCode = (typeof DASHBOARD_ERRORS.codes)[number];
