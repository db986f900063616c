import type { OTEL_TABLES } from '@marketbench/contracts';
// What the OTLP mappers produce: JSONEachRow lines per collector-exporter table, plus the count
// of items refused, so a request can be answered with partial success.

/** The collector-exporter tables the ingest writes rows into. */
export type OtelTable = Exclude<
  (typeof OTEL_TABLES)[keyof typeof OTEL_TABLES],
  typeof OTEL_TABLES.tracesTraceIdTs | typeof OTEL_TABLES.tracesTraceIdTsMv
>;

/** The three OTLP signals. */
export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

/** Bounds the mappers apply to one request. */
export interface MapLimits {
  /** Attributes of one item (span, data point, log record; resource and scope too), nested values counted. */
  maxAttributes: number;
  /** Characters of row text (lines plus newlines) the request may produce; past it RowsTooLarge is thrown. */
  maxChars: number;
}

/** Rows mapped from one request, as JSONEachRow lines per table, with the count of items refused. */
export interface MappedRows {
  /** JSONEachRow lines (no trailing newline) by table. */
  rows: Map<OtelTable, string[]>;
  /** Items (spans, data points, log records) turned into rows. */
  accepted: number;
  /** Items refused, and why the first one was. */
  rejected: number;
  firstError?: string;
  /** Characters of row text so far (each line plus its newline). */
  chars: number;
  limits: MapLimits;
}

/** The rows of a request outgrow `MapLimits.maxChars`; mapping stops at once. */
export class RowsTooLarge extends Error {
  readonly chars: number;
  constructor(chars: number, max: number) {
    super(`the request's rows take more than ${max} characters`);
    this.name = 'RowsTooLarge';
    this.chars = chars;
  }
}

/** Adds one line to `out` under `table`. */
export function pushRow(out: MappedRows, table: OtelTable, line: string): void {
  out.chars += line.length + 1;
  if (out.chars > out.limits.maxChars) throw new RowsTooLarge(out.chars, out.limits.maxChars);
  let lines = out.rows.get(table);
  if (lines === undefined) {
    lines = [];
    out.rows.set(table, lines);
  }
  lines.push(line);
  out.accepted++;
}

/** Records a refused item; anything but a data error about the item itself is rethrown. */
export function rejectRow(out: MappedRows, err: unknown): void {
  if (err instanceof RowsTooLarge) throw err;
  out.rejected++;
  out.firstError ??= err instanceof Error ? err.message : String(err);
}

/** No bounds beyond what one JS string can hold per table. */
export const NO_MAP_LIMITS: MapLimits = {
  maxAttributes: Number.POSITIVE_INFINITY,
  maxChars: Number.POSITIVE_INFINITY,
};

/** An empty result. */
export function emptyRows(limits: MapLimits = NO_MAP_LIMITS): MappedRows {
  return { rows: new Map(), accepted: 0, rejected: 0, chars: 0, limits };
}
