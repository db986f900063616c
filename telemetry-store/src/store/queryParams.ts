// Query parameters as text, the way clickhouse-client's `--param_<name>=<text>` takes them (the
// value in the "escaped" text format of its declared type): `marketbench query --param` decodes
// them into JS values every backend binds. placeholderTypes() is shared with the owner's HTTP
// interface, which reads `param_<name>` texts the same way.
import type { QueryParams } from '../types.ts';

const UNESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', '0': '\0', b: '\b', f: '\f' };

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
