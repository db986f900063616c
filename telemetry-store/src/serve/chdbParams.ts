// `param_<name>` values as the HTTP interface carries them, handed to chDB's binder. On a
// server the text goes to the engine as is. chDB takes JS values and TSV-escapes a string
// before the engine reads it, so the text is turned into the string whose escaping reads the
// same: for a scalar type the escaped text is unescaped (`a\tb` -> a, TAB, b); for a composite
// one (Array, Map, Tuple), whose text the engine reads as literals, escapes inside quoted
// strings are decoded and `\'` becomes `''` (the escaping would double the backslash).
import { placeholderTypes } from '../store/queryParams.ts';

const SIMPLE_ESCAPES: Record<string, string> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  '0': '\0',
  a: '\x07',
  v: '\v',
};

/** Decodes the escape at text[i] === '\\'; returns the character(s) and the index after it. */
function decodeEscape(text: string, i: number): [string, number] {
  const c = text[i + 1];
  if (c === undefined) return ['\\', i + 1];
  if (c === 'x' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 2, i + 4)))
    return [String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16)), i + 4];
  return [SIMPLE_ESCAPES[c] ?? c, i + 2];
}

/** TSV-unescapes a scalar parameter text. */
function unescapeScalar(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\\') {
      const [s, next] = decodeEscape(text, i);
      out += s;
      i = next;
    } else out += text[i++];
  }
  return out;
}

/** Rewrites a composite literal so chDB's TSV escaping of it reads back as the same literal. */
function unescapeComposite(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  let quote: string | undefined;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (quote === undefined) {
      if (c === "'" || c === '"' || c === '`') quote = c;
      out += c;
      i++;
    } else if (c === '\\') {
      const [s, next] = decodeEscape(text, i);
      out += s === quote ? quote + quote : s;
      i = next;
    } else {
      if (c === quote) {
        if (text[i + 1] === quote) {
          out += c + c;
          i += 2;
          continue;
        }
        quote = undefined;
      }
      out += c;
      i++;
    }
  }
  return out;
}

function isComposite(type: string): boolean {
  let t = type.trim();
  for (;;) {
    const m = /^(?:Nullable|LowCardinality)\((.*)\)$/s.exec(t);
    if (!m) break;
    t = (m[1] as string).trim();
  }
  return /^(Array|Map|Tuple|Nested)\s*\(/.test(t);
}

/** The values to give chDB's queryBind for the `param_<name>` texts of a request. */
export function chdbParamsFromHttp(
  sql: string,
  texts: Record<string, string>,
): Record<string, string | null> {
  const types = placeholderTypes(sql);
  const out: Record<string, string | null> = {};
  for (const [name, text] of Object.entries(texts)) {
    const type = types.get(name) ?? 'String';
    if (text === '\\N') out[name] = null;
    else out[name] = isComposite(type) ? unescapeComposite(text) : unescapeScalar(text);
  }
  return out;
}
