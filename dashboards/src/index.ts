// Grafana dashboards as code over ClickHouse, and the Grafana ClickHouse plugin's query
// expansion (macros and template variables) so other packages can prove their SQL too.
export {
  BACKEND_MACRO_NAMES,
  expandBackendMacros,
  formatInterval,
  MacroError,
} from './macros/backendMacros.ts';
export { expandQuery } from './macros/expandQuery.ts';
export type { BuiltinVariables } from './macros/templateVariables.ts';
export { ALL_VALUE, applyConditionalAll, replaceTemplateVariables } from './macros/templateVariables.ts';
export type {
  DashboardsBuildOptions,
  DashboardsBuildResult,
  MacroTimeContext,
  QueryExpansionContext,
  TemplateVariableValue,
} from './types.ts';
