// The frontend half of the Grafana ClickHouse plugin's query pipeline: `$__conditionalAll`
// (CHDatasource.applyConditionalAll), then Grafana's templateSrv.replace with the plugin's
// format function (arrays become 'a','b'; single values are inserted raw).

import type { TemplateVariableValue } from '../types.ts';
import { MacroError } from './backendMacros.ts';

/** The value Grafana stores for a variable whose "All" option is selected. */
export const ALL_VALUE = '$__all';

/** Grafana's `$__conditionalAll(condition, $var)`: the condition, or `1=1` when `$var` is All or empty. */
export function applyConditionalAll(sql: string, variables: readonly TemplateVariableValue[]): string {
  if (!sql) return sql;
  const macro = '$__conditionalAll(';
  let raw = sql;
  let index = raw.lastIndexOf(macro);
  while (index !== -1) {
    const params = macroArgs(raw, index + macro.length - 1);
    if (params.length !== 2) return raw;
    const varParam = params[1].trim();
    const found = /(?<=\$\{)[\w\d]+(?=\})|(?<=\$)[\w\d]+/.exec(varParam);
    let phrase = params[0];
    if (found) {
      const variable = variables.find((v) => v.name === found[0]);
      const value = variable === undefined ? undefined : String(variable.current);
      if (value === '' || value === ALL_VALUE) phrase = '1=1';
    }
    // String.replace with a string pattern replaces the first occurrence, as the plugin does;
    // a function replacement keeps `$&`-style sequences in the condition literal.
    raw = raw.replace(`${macro}${params[0]},${params[1]})`, () => phrase);
    index = raw.lastIndexOf(macro);
  }
  return raw;
}

// CHDatasource.getMacroArgs: top-level comma split of the bracketed list at argsIndex.
function macroArgs(query: string, argsIndex: number): string[] {
  const args: string[] = [];
  const re = /\(|\)|,/g;
  let depth = 0;
  let lastArgEnd = 1;
  const sub = query.substring(argsIndex);
  for (let m = re.exec(sub); m !== null; m = re.exec(sub)) {
    const node = m[0];
    if (node === '(') depth++;
    else if (node === ')') depth--;
    if (node === ',' && depth === 1) {
      args.push(sub.substring(lastArgEnd, re.lastIndex - 1));
      lastArgEnd = re.lastIndex;
    }
    if (depth === 0) {
      args.push(sub.substring(lastArgEnd, re.lastIndex - 1));
      return args;
    }
  }
  return [];
}

/** Grafana's built-in variables for one query: the time range and the computed interval. */
export interface BuiltinVariables {
  /** Start of the dashboard time range. */
  from: Date;
  /** End of the dashboard time range. */
  to: Date;
  /** The panel's interval in milliseconds ($__interval_ms). */
  intervalMs: number;
}

// templateSrv's variable syntax: $var, [[var]] / [[var:fmt]], ${var} / ${var.field} / ${var:fmt}.
const VARIABLE_RE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

// The plugin's format callback: multi-value arrays become a quoted list, scalars stay raw.
function pluginFormat(value: string | string[]): string {
  return Array.isArray(value) ? `'${value.join("','")}'` : value;
}

function formatValue(value: string | string[], fmt: string | undefined): string {
  if (fmt === undefined) return pluginFormat(value);
  const list = Array.isArray(value) ? value : [value];
  switch (fmt) {
    case 'raw':
      return Array.isArray(value) ? value.join(',') : value;
    case 'csv':
      return list.join(',');
    case 'pipe':
      return list.join('|');
    case 'text':
      return list.join(' + ');
    case 'json':
      return JSON.stringify(value);
    case 'singlequote':
      return list.map((v) => `'${v.replaceAll("'", "\\'")}'`).join(',');
    case 'doublequote':
      return list.map((v) => `"${v.replaceAll('"', '\\"')}"`).join(',');
    case 'sqlstring':
      return list.map((v) => `'${v.replaceAll("'", "''")}'`).join(',');
    default:
      throw new MacroError(`unsupported variable format '${fmt}'`);
  }
}

function builtinValue(name: string, b: BuiltinVariables): string | undefined {
  const rangeMs = b.to.getTime() - b.from.getTime();
  switch (name) {
    case '__from':
      return String(b.from.getTime());
    case '__to':
      return String(b.to.getTime());
    case '__interval_ms':
      return String(Math.trunc(b.intervalMs));
    case '__range_ms':
      return String(rangeMs);
    case '__range_s':
      return String(Math.round(rangeMs / 1000));
    default:
      return undefined;
  }
}

/**
 * Grafana's templateSrv.replace as the ClickHouse plugin calls it: every `$var` / `${var}` /
 * `${var:format}` / `[[var]]` of a known variable is replaced; unknown names (including the
 * backend's `$__timeFilter`-style macros) are left for the backend.
 */
export function replaceTemplateVariables(
  sql: string,
  variables: readonly TemplateVariableValue[],
  builtins: BuiltinVariables,
  intervalText: string,
): string {
  return sql.replace(VARIABLE_RE, (match, v1, v2, fmt2, v3, _field, fmt3) => {
    const name: string = v1 ?? v2 ?? v3;
    const fmt: string | undefined = fmt2 ?? fmt3;
    if (name === '__interval') return intervalText;
    const builtin = builtinValue(name, builtins);
    if (builtin !== undefined) return builtin;
    const variable = variables.find((v) => v.name === name);
    if (!variable) return match;
    let value = variable.current;
    const isAll = Array.isArray(value) ? value.length === 1 && value[0] === ALL_VALUE : value === ALL_VALUE;
    if (isAll) {
      if (variable.allValue) return variable.allValue;
      value = (variable.options ?? []).filter((o) => o !== ALL_VALUE);
    }
    return formatValue(value, fmt);
  });
}
