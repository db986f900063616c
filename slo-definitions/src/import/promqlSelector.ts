// The PromQL an imported SLO may hold, understood just enough to become a marketbench SLI: a
// counter's rate summed over all series, `sum(rate(metric{matchers}[{{.window}}]))` as Sloth and
// OpenSLO files write it (the range may be any duration or template), or a bare selector. Any
// other expression is refused: marketbench compiles every SLI to PromQL and ClickHouse SQL alike,
// so it must know what the query counts.

/** One label matcher. */
export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** A counter selector: metric and matchers. */
export interface CounterSelector {
  metric: string;
  matchers: Matcher[];
}

const SUM_RATE = /^\s*sum\s*\(\s*(?:rate|increase)\s*\(\s*(.+?)\s*\[[^\]]+\]\s*\)\s*\)\s*$/s;
const SELECTOR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s;
const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** Parses `sum(rate(m{…}[w]))` or `m{…}`; undefined when the query is anything else. */
export function parseCounterQuery(query: string): CounterSelector | undefined {
  const inner = SUM_RATE.exec(query)?.[1] ?? query;
  const m = SELECTOR.exec(inner);
  if (!m) return undefined;
  const matchers: Matcher[] = [];
  const body = (m[2] ?? '').trim();
  if (body !== '') {
    for (const part of splitMatchers(body)) {
      const mm = MATCHER.exec(part);
      if (!mm) return undefined;
      matchers.push({ label: mm[1], op: mm[2] as Matcher['op'], value: mm[3].replace(/\\(.)/g, '$1') });
    }
  }
  return { metric: m[1], matchers };
}

/** Splits `a="x",b=~"y|z"` on the commas outside quotes. */
function splitMatchers(body: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\' && quoted) {
      cur += c + (body[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      if (cur.trim()) parts.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) parts.push(cur);
  return parts;
}

/**
 * The literal values a regex matcher accepts when it is an alternation of plain values
 * (`failed|timeout`; `5..` is not); undefined otherwise.
 */
export function literalAlternatives(regex: string): string[] | undefined {
  const parts = regex.replace(/^\((.*)\)$/, '$1').split('|');
  return parts.every((p) => /^[A-Za-z0-9_\-:/ ]+$/.test(p)) ? parts : undefined;
}

/** `a` has every matcher of `b`; returns a's other matchers, or undefined when it lacks one. */
export function extraMatchers(a: CounterSelector, b: CounterSelector): Matcher[] | undefined {
  const key = (x: Matcher) => `${x.label}${x.op}${x.value}`;
  const mine = new Set(a.matchers.map(key));
  if (a.metric !== b.metric || !b.matchers.every((x) => mine.has(key(x)))) return undefined;
  const theirs = new Set(b.matchers.map(key));
  return a.matchers.filter((x) => !theirs.has(key(x)));
}
