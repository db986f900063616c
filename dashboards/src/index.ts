// Grafana dashboards as code over ClickHouse. This module builds every dashboard and writes
// the generated JSON and provisioning files; it also exports the Grafana ClickHouse plugin's
// query expansion (macros, template variables) so other packages can prove their SQL.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { checkoutPaymentsDashboard } from './dashboards/checkoutPayments.ts';
import { loadRunDashboard } from './dashboards/loadRun.ts';
import { serviceOverviewDashboard } from './dashboards/serviceOverview.ts';
import { slosDashboard } from './dashboards/slos.ts';
import { tracesExplorerDashboard } from './dashboards/tracesExplorer.ts';
import { dashboardProviderProvisioning, datasourceProvisioning } from './provisioning.ts';
import type { DashboardsBuildOptions, DashboardsBuildResult } from './types.ts';

/** The package root (`dashboards/`). */
const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One generated dashboard: the file it goes to and its JSON model. */
export interface GeneratedDashboard {
  /** File name under `generated/`. */
  file: string;
  /** The dashboard JSON model. */
  dashboard: Dashboard;
}

/** Builds every dashboard, with panel ids numbered in layout order (stable across builds). */
export function buildDashboards(): GeneratedDashboard[] {
  const builders = {
    'service-overview.json': serviceOverviewDashboard(),
    'load-run.json': loadRunDashboard(),
    'checkout-payments.json': checkoutPaymentsDashboard(),
    'slos.json': slosDashboard(),
    'traces-explorer.json': tracesExplorerDashboard(),
  };
  return Object.entries(builders).map(([file, builder]) => {
    const dashboard = builder.build();
    let id = 1;
    for (const panel of dashboard.panels ?? []) {
      panel.id = id++;
      for (const inner of (panel as { panels?: { id?: number }[] }).panels ?? []) inner.id = id++;
    }
    return { file, dashboard };
  });
}

/** Every generated file: path relative to the package, and its content. */
export function generatedFiles(): { file: string; content: string }[] {
  return [
    ...buildDashboards().map((d) => ({
      file: path.join('generated', d.file),
      content: `${JSON.stringify(d.dashboard, null, 2)}\n`,
    })),
    { file: path.join('provisioning', 'datasources', 'clickhouse.yaml'), content: datasourceProvisioning() },
    {
      file: path.join('provisioning', 'dashboards', 'marketbench.yaml'),
      content: dashboardProviderProvisioning(),
    },
  ];
}

/** Writes the generated dashboards and provisioning files (or, with `check`, only reports changes). */
export function writeDashboards(options: DashboardsBuildOptions = {}): DashboardsBuildResult {
  const outDir = path.resolve(options.outDir ?? path.join(PACKAGE_DIR, 'generated'));
  const provisioningDir = path.resolve(options.provisioningDir ?? path.join(PACKAGE_DIR, 'provisioning'));
  const files: DashboardsBuildResult['files'] = [];
  for (const { file, content } of generatedFiles()) {
    const target = file.startsWith('generated')
      ? path.join(outDir, path.relative('generated', file))
      : path.join(provisioningDir, path.relative('provisioning', file));
    const changed = !fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== content;
    if (changed && !options.check) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
    files.push({ path: target, changed });
  }
  return { files };
}

export { DO_NOT_EDIT, UIDS, VARS } from './common.ts';
export type { DashboardErrorCode } from './errors.ts';
export { DASHBOARD_ERRORS } from './errors.ts';
export {
  BACKEND_MACRO_NAMES,
  expandBackendMacros,
  formatInterval,
  MacroError,
} from './macros/backendMacros.ts';
export { expandQuery } from './macros/expandQuery.ts';
export type { BuiltinVariables } from './macros/templateVariables.ts';
export { ALL_VALUE, applyConditionalAll, replaceTemplateVariables } from './macros/templateVariables.ts';
export type { DashboardQuery } from './panelQueries.ts';
export { allPanels, dashboardQueries } from './panelQueries.ts';
export { dashboardProviderProvisioning, datasourceProvisioning } from './provisioning.ts';
export type { ClickHouseFormat, ClickHouseQueryType, ClickHouseSqlQuery } from './query/clickhouseQuery.ts';
export { CLICKHOUSE_PLUGIN_ID, ClickHouseQueryBuilder, FORMAT } from './query/clickhouseQuery.ts';
export type {
  DashboardsBuildOptions,
  DashboardsBuildResult,
  MacroTimeContext,
  QueryExpansionContext,
  TemplateVariableValue,
} from './types.ts';
