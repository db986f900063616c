// Just enough of ClickHouse's SQL lexer for the owner's HTTP interface to do what
// clickhouse-server does around a query without a parser: refuse a second statement, find the
// top-level FORMAT clause, see where an INSERT's inline data starts (and its table, columns and
// format, for chDB's raw insert), and place URL settings in a SETTINGS clause the engine applies
// to this query only. Strings, quoted identifiers, heredocs and comments are skipped as the
// ClickHouse lexer skips them, so a `;` or `FORMAT` inside them is never mistaken for syntax.
import { chError } from './clickhouseError.ts';

type TokenType = 'word' | 'quoted' | 'string' | 'number' | 'punct';

interface Token {
  type: TokenType;
  start: number;
  end: number;
}

/** The shape of an INSERT, as far as the owner needs it. */
export interface InsertShape {
  /** Target table as identifier parts (`[db, table]` or `[table]`); undefined for INSERT INTO FUNCTION. */
  table?: string[];
  /** The column list when it is plain (possibly dotted) names; null when it is anything else. */
  columns?: string[] | null;
  /** Keys of the INSERT's own SETTINGS clause. */
  settingKeys: string[];
  /** Offset of the FORMAT or VALUES keyword after which the data starts (absent for INSERT ... SELECT). */
  dataKeyword?: number;
  /** Offset just past the format name (or VALUES): where inline data begins. */
  dataStart?: number;
}

/** One statement as the lexer sees it. */
export interface Statement {
  /** First keyword, upper-cased (`SELECT` for a parenthesised query). Empty for an empty text. */
  kind: string;
  /** Offset just past the statement, before trailing semicolons and comments. */
  end: number;
  /** Name of the top-level `FORMAT <name>` clause: the output format, or an INSERT's input format. */
  format?: string;
  /** Present for INSERT. */
  insert?: InsertShape;
}

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_$]/;

/** Index just past the quoted run that starts at `i` (quote char `q`; `\` escapes, doubled quote). */
function skipQuoted(text: string, i: number, q: string): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') j += 2;
    else if (c === q) {
      if (text[j + 1] === q) j += 2;
      else return j + 1;
    } else j++;
  }
  return text.length;
}

/** The next token at or after `pos`, skipping whitespace and comments; undefined at the end. */
function nextToken(text: string, pos: number): Token | undefined {
  let i = pos;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) return undefined;
    const c = text[i] as string;
    const d = text[i + 1];
    if ((c === '-' && d === '-') || (c === '#' && (d === ' ' || d === '!'))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
      continue;
    }
    if (c === '/' && d === '*') {
      // Block comments nest in ClickHouse.
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    break;
  }
  const c = text[i] as string;
  if (c === "'") return { type: 'string', start: i, end: skipQuoted(text, i, "'") };
  if (c === '"' || c === '`') return { type: 'quoted', start: i, end: skipQuoted(text, i, c) };
  if (c === '$') {
    const m = /^\$([A-Za-z0-9_]*)\$/.exec(text.slice(i, i + 64));
    if (m) {
      const close = text.indexOf(m[0], i + m[0].length);
      return { type: 'string', start: i, end: close < 0 ? text.length : close + m[0].length };
    }
  }
  if (WORD_START.test(c)) {
    let j = i + 1;
    while (j < text.length && WORD_PART.test(text[j] as string)) j++;
    return { type: 'word', start: i, end: j };
  }
  if (/[0-9]/.test(c)) {
    let j = i + 1;
    while (j < text.length && /[0-9A-Za-z_.]/.test(text[j] as string)) j++;
    return { type: 'number', start: i, end: j };
  }
  return { type: 'punct', start: i, end: i + 1 };
}

function word(text: string, t: Token | undefined): string {
  return t?.type === 'word' ? text.slice(t.start, t.end).toUpperCase() : '';
}

/** The name an identifier token stands for (backticks and double quotes removed, escapes undone). */
function identName(text: string, t: Token): string | undefined {
  const s = text.slice(t.start, t.end);
  if (t.type === 'word') return s;
  if (t.type !== 'quoted') return undefined;
  const q = s[0] as string;
  return s
    .slice(1, -1)
    .replaceAll(q + q, q)
    .replace(/\\(.)/g, '$1');
}

function isPunct(text: string, t: Token | undefined, ch: string): boolean {
  return t?.type === 'punct' && text[t.start] === ch;
}

/** Reads `a`, `a.b`, `` `a`.b `` from `t`; returns the parts and the token after them. */
function readDotted(text: string, t: Token | undefined): { parts: string[]; next: Token | undefined } {
  const parts: string[] = [];
  let cur = t;
  for (;;) {
    if (!cur || (cur.type !== 'word' && cur.type !== 'quoted')) break;
    parts.push(identName(text, cur) as string);
    const after = nextToken(text, cur.end);
    if (!isPunct(text, after, '.')) return { parts, next: after };
    cur = nextToken(text, (after as Token).end);
  }
  return { parts, next: cur };
}

/** What parseInsert() found: the shape, the input format, and where generic lexing resumes (INSERT ... SELECT). */
interface ParsedInsert {
  shape: InsertShape;
  format?: string;
  resume?: Token;
}

function parseInsert(text: string, afterInsert: Token | undefined): ParsedInsert {
  const shape: InsertShape = { settingKeys: [] };
  let t = afterInsert;
  if (word(text, t) === 'INTO') t = nextToken(text, (t as Token).end);
  if (word(text, t) === 'TABLE') t = nextToken(text, (t as Token).end);
  if (word(text, t) === 'FUNCTION') return { shape, resume: t };
  const target = readDotted(text, t);
  if (target.parts.length > 0) shape.table = target.parts;
  t = target.next;
  if (isPunct(text, t, '(')) {
    const cols: string[] = [];
    let plain = true;
    t = nextToken(text, (t as Token).end);
    while (t && !isPunct(text, t, ')')) {
      const col = readDotted(text, t);
      if (col.parts.length === 0) {
        plain = false;
        // skip to the closing parenthesis (nested ones included)
        let depth = 0;
        while (t && !(depth === 0 && isPunct(text, t, ')'))) {
          if (isPunct(text, t, '(')) depth++;
          if (isPunct(text, t, ')')) depth--;
          t = nextToken(text, t.end);
        }
        break;
      }
      cols.push(col.parts.join('.'));
      t = col.next;
      if (isPunct(text, t, ',')) t = nextToken(text, (t as Token).end);
    }
    shape.columns = plain ? cols : null;
    if (t) t = nextToken(text, t.end);
  }
  if (word(text, t) === 'SETTINGS') {
    t = nextToken(text, (t as Token).end);
    let depth = 0;
    while (t) {
      const w = word(text, t);
      if (depth === 0 && (w === 'FORMAT' || w === 'VALUES' || w === 'SELECT' || w === 'WITH')) break;
      if (isPunct(text, t, '(')) depth++;
      if (isPunct(text, t, ')')) depth--;
      const after = nextToken(text, t.end);
      if (depth === 0 && t.type === 'word' && isPunct(text, after, '='))
        shape.settingKeys.push(text.slice(t.start, t.end));
      t = after;
    }
  }
  const w = word(text, t);
  if (w === 'FORMAT') {
    const name = nextToken(text, (t as Token).end);
    shape.dataKeyword = (t as Token).start;
    shape.dataStart = name ? name.end : (t as Token).end;
    return name ? { shape, format: identName(text, name) } : { shape };
  }
  if (w === 'VALUES') {
    shape.dataKeyword = (t as Token).start;
    shape.dataStart = (t as Token).end;
    return { shape };
  }
  return { shape, resume: t };
}

/**
 * Lexes one statement. Throws ClickHouse's SYNTAX_ERROR for a second statement after a `;`
 * (clickhouse-server refuses multi-statements over HTTP; chDB would run them all).
 */
export function analyzeStatement(text: string): Statement {
  const first = nextToken(text, 0);
  if (!first) return { kind: '', end: 0 };
  const kind = isPunct(text, first, '(') ? 'SELECT' : word(text, first);
  const st: Statement = { kind, end: first.end };
  let t: Token | undefined = first;
  if (kind === 'INSERT') {
    const parsed = parseInsert(text, nextToken(text, first.end));
    st.insert = parsed.shape;
    if (parsed.shape.dataStart !== undefined) {
      if (parsed.format) st.format = parsed.format;
      st.end = parsed.shape.dataStart;
      return st;
    }
    t = parsed.resume;
    if (!t) {
      st.end = text.trimEnd().length;
      return st;
    }
  }
  let depth = 0;
  while (t) {
    if (isPunct(text, t, ';') && depth === 0) {
      const rest = nextToken(text, t.end);
      if (rest && !isPunct(text, rest, ';')) {
        throw chError(
          'SYNTAX_ERROR',
          `Syntax error (Multi-statements are not allowed): failed at position ${t.start + 1}: ${text
            .slice(t.start, t.start + 40)
            .replace(/\s+/g, ' ')}`,
        );
      }
      t = rest;
      continue;
    }
    if (t.type === 'punct') {
      const c = text[t.start];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
    }
    if (depth === 0 && word(text, t) === 'FORMAT') {
      const name = nextToken(text, t.end);
      const after = name ? nextToken(text, name.end) : undefined;
      if (
        name &&
        (name.type === 'word' || name.type === 'quoted') &&
        (!after || isPunct(text, after, ';') || word(text, after) === 'SETTINGS')
      )
        st.format = identName(text, name);
    }
    st.end = t.end;
    t = nextToken(text, t.end);
  }
  return st;
}

/** Statements a trailing query-level SETTINGS clause is valid for (checked on chDB 26.7). */
const SETTINGS_AT_END = new Set([
  'SELECT',
  'WITH',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'EXISTS',
  'EXPLAIN',
  'INSERT',
  'ALTER',
  'OPTIMIZE',
  'TRUNCATE',
  'DROP',
  'RENAME',
  'DELETE',
  'UPDATE',
  'CHECK',
]);

function settingLiteral(value: string): string {
  if (/^-?\d+(\.\d+)?$/.test(value)) return value;
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * Returns `text` with `settings` applied to this statement only: before an INSERT's FORMAT or
 * VALUES (merged into its own SETTINGS clause, whose values win, as the query's own settings win
 * over the URL's on a server), or as a trailing SETTINGS clause. Undefined when the statement
 * takes none (CREATE, SYSTEM, ...): the owner then runs it without them.
 */
export function withSettings(
  text: string,
  st: Statement,
  settings: ReadonlyArray<[string, string]>,
): string | undefined {
  for (const [k] of settings) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw chError('UNKNOWN_SETTING', `Unknown setting '${k}'`);
  }
  if (st.insert?.dataKeyword !== undefined) {
    const own = new Set(st.insert.settingKeys.map((k) => k.toLowerCase()));
    const extra = settings.filter(([k]) => !own.has(k.toLowerCase()));
    if (extra.length === 0) return text;
    const list = extra.map(([k, v]) => `${k}=${settingLiteral(v)}`).join(', ');
    const at = st.insert.dataKeyword;
    const clause = own.size > 0 ? `, ${list} ` : `SETTINGS ${list} `;
    return text.slice(0, at) + clause + text.slice(at);
  }
  if (!SETTINGS_AT_END.has(st.kind)) return undefined;
  const list = settings.map(([k, v]) => `${k}=${settingLiteral(v)}`).join(', ');
  return `${text.slice(0, st.end)}\nSETTINGS ${list}`;
}
