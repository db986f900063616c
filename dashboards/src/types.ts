// Public types of the dashboards package: what the macro expander takes and what the
// build writes.

/** Time range and interval the plugin's backend macros read. */
export interface MacroTimeContext {
  /** Start of the dashboard time range. */
  from: Date;
  /** End of the dashboard time range. */
  to: Date;
  /** The query interval in milliseconds (Grafana's $__interval_ms). */
  intervalMs: number;
  /** Value of the SDK's `$__table` macro (empty when unset). */
  table?: string;
  /** Value of the SDK's `$__column` macro (empty when unset). */
  column?: string;
}

/** A dashboard variable's current selection, as Grafana's templateSrv sees it. */
export interface TemplateVariableValue {
  /** Variable name without the `$`. */
  name: string;
  /** Selected value; an array for multi-value variables; `$__all` when All is selected. */
  current: string | string[];
  /** Every option value (used to expand All when no custom all value is set). */
  options?: string[];
  /** Custom value that stands for All, when the variable defines one. */
  allValue?: string;
}

/** Everything `expandQuery` needs: time range, interval and variable selections. */
export interface QueryExpansionContext {
  /** Start of the dashboard time range. */
  from: Date;
  /** End of the dashboard time range. */
  to: Date;
  /** The query interval in milliseconds. */
  intervalMs: number;
  /** Current values of the dashboard variables. */
  variables?: readonly TemplateVariableValue[];
}

/** Where `marketbench dashboards build` writes. */
export interface DashboardsBuildOptions {
  /** Directory for the dashboard JSON files (default `dashboards/generated`). */
  outDir?: string;
  /** Directory for Grafana provisioning files (default `dashboards/provisioning`). */
  provisioningDir?: string;
  /** Only report which files would change; write nothing. */
  check?: boolean;
}

/** Result of a build: every file and whether its content changed. */
export interface DashboardsBuildResult {
  /** Absolute paths of the files written (or that would be written with `check`). */
  files: { path: string; changed: boolean }[];
}
