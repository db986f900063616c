// Query parameters as ClickHouse's HTTP interface carries them (`param_<name>=<text>`): the
// value in the "escaped" text format of its declared type. The remote backend encodes JS
// values this way; the owner's handler decodes them back to values chDB binds itself.
import type { QueryParams } from '../types.ts';

type Scalar = string | number | boolean | null;

function escapeText(s: string): string {
  return s.replace(/[\\\t\n\r\0']/g, (c) => ESCAPES[c] ?? c);
}
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\\0',
  "'": "\\'",
};
const UNESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', '0': '\0', b: '\b', f: '\f' };

function literal(v: Scalar): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${escapeText(v)}'`;
  return String(v);
}

/** A JS parameter value in ClickHouse's escaped text form (what `param_<name>` carries). */
export function encodeParamValue(value: QueryParams[string]): string {
  if (value === null) return '\\N';
  if (Array.isArray(value)) return `[${value.map((v) => literal(v as Scalar)).join(',')}]`;
  if (typeof value === 'string') return escapeText(value);
  return String(value);
}

/** Undoes the escaped text format of a scalar (`\\t` to a tab, `\\'` to a quote, ...). */
export function unescapeText(s: string): string {
  return s.replace(/\\(.)/gs, (_, c: string) => UNESCAPES[c] ?? c);
}

/** Parses a ClickHouse array literal of strings/numbers/NULL (`['a','b\\'c']`, `[1,2.5]`). */
export function parseArrayLiteral(text: string): (string | number | null)[] {
  const out: (string | number | null)[] = [];
  let i = 0;
  const s = text.trim();
  if (s[i] !== '[') throw new SyntaxError(`expected an array literal, got ${JSON.stringify(text)}`);
  i++;
  const skipWs = (): void => {
    while (i < s.length && /\s/.test(s[i] as string)) i++;
  };
  skipWs();
  if (s[i] === ']') return out;
  for (;;) {
    skipWs();
    if (s[i] === "'") {
      let v = '';
      i++;
      while (i < s.length && s[i] !== "'") {
        if (s[i] === '\\') {
          const c = s[i + 1] as string;
          v += UNESCAPES[c] ?? c;
          i += 2;
        } else v += s[i++];
      }
      if (s[i] !== "'") throw new SyntaxError(`unterminated string in ${JSON.stringify(text)}`);
      i++;
      out.push(v);
    } else {
      const m = /^[^,\]\s]+/.exec(s.slice(i));
      if (!m) throw new SyntaxError(`bad array element in ${JSON.stringify(text)}`);
      i += m[0].length;
      out.push(m[0] === 'NULL' ? null : Number(m[0]));
    }
    skipWs();
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (s[i] === ']' && i === s.length - 1) return out;
    throw new SyntaxError(`bad array literal ${JSON.stringify(text)}`);
  }
}

/** Declared type of each `{name:Type}` placeholder in a SQL text. */
export function placeholderTypes(sql: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of sql.matchAll(/\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^}]+?)\s*\}/g)) {
    types.set(m[1] as string, m[2] as string);
  }
  return types;
}

/** Decodes `param_<name>` texts back into values chDB binds (arrays as arrays, NULL as null). */
export function decodeParams(sql: string, texts: Record<string, string>): QueryParams {
  const types = placeholderTypes(sql);
  const params: QueryParams = {};
  for (const [name, text] of Object.entries(texts)) {
    const type = types.get(name) ?? 'String';
    if (/^Array\(/.test(type)) params[name] = parseArrayLiteral(text) as readonly (string | number)[];
    else if (text === '\\N') params[name] = null;
    else params[name] = unescapeText(text);
  }
  return params;
}
