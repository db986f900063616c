// The whole path a panel's SQL takes in Grafana before it reaches ClickHouse: the plugin's
// frontend (conditionalAll, template variables) and then its backend macros.

import type { QueryExpansionContext } from '../types.ts';
import { expandBackendMacros, formatInterval } from './backendMacros.ts';
import { applyConditionalAll, replaceTemplateVariables } from './templateVariables.ts';

/** Expands a panel's raw SQL exactly as Grafana with the ClickHouse plugin would for the given context. */
export function expandQuery(rawSql: string, ctx: QueryExpansionContext): string {
  const variables = ctx.variables ?? [];
  const builtins = { from: ctx.from, to: ctx.to, intervalMs: ctx.intervalMs };
  let sql = applyConditionalAll(rawSql, variables);
  sql = replaceTemplateVariables(sql, variables, builtins, formatInterval(ctx.intervalMs));
  return expandBackendMacros(sql, { from: ctx.from, to: ctx.to, intervalMs: ctx.intervalMs });
}
