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

/** Rows mapped from one request, as JSONEachRow lines per table, with the count of items refused. */
export interface MappedRows {
  /** JSONEachRow lines (no trailing newline) by table. */
  rows: Map<OtelTable, string[]>;
  /** Items (spans, data points, log records) turned into rows. */
  accepted: number;
  /** Items refused, and why the first one was. */
  rejected: number;
  firstError?: string;
}

/** Adds one line to `out` under `table`. */
export function pushRow(out: MappedRows, table: OtelTable, line: string): void {
  let lines = out.rows.get(table);
  if (lines === undefined) {
    lines = [];
    out.rows.set(table, lines);
  }
  lines.push(line);
  out.accepted++;
}

/** Records a refused item. */
export function rejectRow(out: MappedRows, err: unknown): void {
  out.rejected++;
  out.firstError ??= err instanceof Error ? err.message : String(err);
}

/** An empty result. */
export function emptyRows(): MappedRows {
  return { rows: new Map(), accepted: 0, rejected: 0 };
}
