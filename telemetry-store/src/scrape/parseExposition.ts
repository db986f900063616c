// Parses the Prometheus text exposition format (0.0.4) and OpenMetrics 1.0 text into metric
// families, exemplars included. parse-prometheus-text-format 1.1.1 was tried first and fails on
// what our services expose: it merges the label sets of a labelled histogram into one series
// and reads an OpenMetrics exemplar as the sample's timestamp; no other parser is packaged here.

/** One exemplar attached to a sample (OpenMetrics `# {labels} value [timestamp]`). */
export interface Exemplar {
  labels: Record<string, string>;
  value: number;
  /** Seconds since the epoch, when given. */
  timestampSeconds?: number;
}

/** One series of a family: its labels (without le/quantile) and its samples. */
export interface Series {
  labels: Record<string, string>;
  /** counter, gauge, untyped: the value. */
  value?: number;
  /** histogram: cumulative count per `le` upper bound (+Inf included). */
  buckets?: { le: number; count: number }[];
  /** summary: value per quantile. */
  quantiles?: { quantile: number; value: number }[];
  count?: number;
  sum?: number;
  /** `_created` (OpenMetrics), seconds since the epoch. */
  createdSeconds?: number;
  /** Sample timestamp in ms since the epoch, when the exposition gives one. */
  timestampMs?: number;
  exemplars: Exemplar[];
}

/** A metric family. */
export interface MetricFamily {
  name: string;
  /** Name of the value samples of a counter (`x_total` in OpenMetrics, where the family is `x`). */
  sampleName?: string;
  help: string;
  unit: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  series: Series[];
}

/** A line the parser could not read, with its number. */
export class ExpositionError extends Error {}

const TYPES = new Set([
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'unknown',
  'gaugehistogram',
  'stateset',
  'info',
]);
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['_sum', '_count', '_created'],
  counter: ['_total', '_created'],
};

function parseNumber(s: string): number {
  switch (s) {
    case '+Inf':
    case 'Inf':
    case '+inf':
    case 'inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
    case '-inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
    case 'nan':
      return Number.NaN;
  }
  const n = Number(s);
  if (s === '' || Number.isNaN(n)) throw new ExpositionError(`not a number: ${JSON.stringify(s)}`);
  return n;
}

/** Reads `{a="b",c="d"}` starting at `i` (at the `{`); returns the labels and the index after `}`. */
function readLabels(line: string, i: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  i++;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return [labels, i + 1];
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
    if (!m) throw new ExpositionError(`bad label name at column ${i + 1}`);
    i += m[0].length;
    while (line[i] === ' ') i++;
    if (line[i] !== '=' || line[i + 1] !== '"') throw new ExpositionError(`expected =" after label ${m[0]}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new ExpositionError(`unterminated value of label ${m[0]}`);
      if (c === '"') break;
      if (c === '\\') {
        const e = line[i + 1];
        value += e === 'n' ? '\n' : e === '"' ? '"' : e === '\\' ? '\\' : `\\${e ?? ''}`;
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    labels[m[0]] = value;
    i++;
  }
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
  exemplar?: Exemplar;
}

function readSample(line: string, openMetrics: boolean): Sample {
  const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!m) throw new ExpositionError('bad metric name');
  let i = m[0].length;
  let labels: Record<string, string> = {};
  if (line[i] === '{') [labels, i] = readLabels(line, i);
  const hash = line.indexOf('#', i);
  const main = (hash >= 0 ? line.slice(i, hash) : line.slice(i)).trim().split(/\s+/);
  if (main.length < 1 || main[0] === '') throw new ExpositionError(`no value for ${m[0]}`);
  const sample: Sample = { name: m[0], labels, value: parseNumber(main[0]) };
  if (main.length > 1) {
    const ts = Number(main[1]);
    if (Number.isFinite(ts)) sample.timestamp = openMetrics ? ts * 1000 : ts;
  }
  if (hash >= 0) {
    let j = hash + 1;
    while (line[j] === ' ') j++;
    if (line[j] === '{') {
      const [exLabels, after] = readLabels(line, j);
      const rest = line.slice(after).trim().split(/\s+/);
      const exemplar: Exemplar = { labels: exLabels, value: parseNumber(rest[0] ?? '') };
      if (rest.length > 1 && Number.isFinite(Number(rest[1]))) exemplar.timestampSeconds = Number(rest[1]);
      sample.exemplar = exemplar;
    }
  }
  return sample;
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(n|\\)/g, (_, c) => (c === 'n' ? '\n' : '\\'));
}

/**
 * Parses an exposition. `openMetrics` (from the response's Content-Type, or a `# EOF` line)
 * switches sample timestamps from ms to seconds. Bad lines are reported in `errors`, not thrown.
 */
export function parseExposition(
  text: string,
  openMetrics = /^# EOF\s*$/m.test(text),
): {
  families: MetricFamily[];
  errors: string[];
} {
  const families = new Map<string, MetricFamily>();
  const errors: string[] = [];
  const seriesIndex = new Map<string, Series>();
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, help: '', unit: '', type: 'untyped', series: [] };
      families.set(name, f);
    }
    return f;
  };
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].replace(/\r$/, '');
    if (line.trim() === '') continue;
    try {
      if (line.startsWith('#')) {
        const m = /^#\s+(HELP|TYPE|UNIT)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
        if (!m) continue;
        const f = family(m[2]);
        if (m[1] === 'HELP') f.help = unescapeHelp(m[3] ?? '');
        else if (m[1] === 'UNIT') f.unit = m[3] ?? '';
        else {
          const t = (m[3] ?? '').trim();
          if (!TYPES.has(t)) throw new ExpositionError(`unknown metric type ${JSON.stringify(t)}`);
          f.type = t === 'counter' || t === 'gauge' || t === 'histogram' || t === 'summary' ? t : 'untyped';
        }
        continue;
      }
      const s = readSample(line, openMetrics);
      // Which family: the declared one of that exact name, else the one its suffix belongs to.
      let f = families.get(s.name);
      let suffix = '';
      if (!f || f.type === 'untyped') {
        for (const [type, suffixes] of Object.entries(SUFFIXES)) {
          for (const sfx of suffixes) {
            if (!s.name.endsWith(sfx)) continue;
            const base = families.get(s.name.slice(0, -sfx.length));
            if (base?.type === type) {
              f = base;
              suffix = sfx;
            }
          }
        }
      }
      f ??= family(s.name);
      const key = { ...s.labels };
      if (f.type === 'histogram') delete key.le;
      if (f.type === 'summary') delete key.quantile;
      const seriesKey = `${f.name}\u0000${JSON.stringify(Object.entries(key).sort())}`;
      let series = seriesIndex.get(seriesKey);
      if (!series) {
        series = { labels: key, exemplars: [] };
        seriesIndex.set(seriesKey, series);
        f.series.push(series);
      }
      if (s.timestamp !== undefined) series.timestampMs = s.timestamp;
      if (s.exemplar) series.exemplars.push(s.exemplar);
      if (suffix === '_created') series.createdSeconds = s.value;
      else if (suffix === '_sum') series.sum = s.value;
      else if (suffix === '_count') series.count = s.value;
      else if (suffix === '_bucket') {
        series.buckets ??= [];
        series.buckets.push({ le: parseNumber(s.labels.le ?? ''), count: s.value });
      } else if (f.type === 'summary' && s.labels.quantile !== undefined) {
        series.quantiles ??= [];
        series.quantiles.push({ quantile: parseNumber(s.labels.quantile), value: s.value });
      } else {
        series.value = s.value;
        if (f.type === 'counter') f.sampleName = s.name;
      }
    } catch (err) {
      errors.push(`line ${n + 1}: ${(err as Error).message}`);
    }
  }
  return { families: [...families.values()].filter((f) => f.series.length > 0), errors };
}
