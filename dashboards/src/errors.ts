// The dashboards package's error catalog: every code it raises with when it happens.
// docs/DASHBOARDS.md documents each code (a test checks it). `dashboards build --check` finding
// stale files is the CLI's MB_ERR_DASHBOARDS_STALE (docs/CLI.md).

/** Every error code the dashboards package raises, with what it means. */
export const DASHBOARD_ERRORS = {
  MB_ERR_DASHBOARDS_MACRO:
    'a query uses a macro or template-variable format the Grafana ClickHouse plugin rejects (wrong argument count, unclosed bracket, unknown format)',
} as const;
/** A code of the dashboards package. */
export type DashboardErrorCode = keyof typeof DASHBOARD_ERRORS;
