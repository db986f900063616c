// Renders query rows for people and pipes: an aligned text table, CSV (RFC 4180) or a JSON
// array. Nested values (Map, Array, Nested columns) print as JSON in table and CSV cells.

/** Output formats of formatRows / `marketbench query --format`. */
export const ROW_FORMATS = ['table', 'json', 'csv'] as const;
export type RowFormat = (typeof ROW_FORMATS)[number];

function cell(v: unknown): string {
  if (v === null || v === undefined) return v === null ? 'NULL' : '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : cell(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Column names in first-seen order across the rows. */
export function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/** Formats rows in one of ROW_FORMATS; the result ends with a newline (empty table: "(0 rows)"). */
export function formatRows(rows: readonly Record<string, unknown>[], format: RowFormat): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const cols = columnsOf(rows);
  if (format === 'csv') {
    const lines = [cols.map(csvCell).join(',')];
    for (const r of rows) lines.push(cols.map((c) => csvCell(r[c])).join(','));
    return `${lines.join('\r\n')}\r\n`;
  }
  if (rows.length === 0) return '(0 rows)\n';
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] as string).length)));
  // Numbers right-aligned, everything else left-aligned, as psql and clickhouse-client do.
  const numeric = cols.map((c) =>
    rows.every((r) => r[c] === null || /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(cell(r[c]))),
  );
  const line = (vals: string[]): string =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const out = [line(cols), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}

/**
 * Writes batches of rows as they arrive: JSON (one array) and CSV stream with bounded memory;
 * a table needs every row for its column widths, so it is collected first. Returns the row count.
 */
export async function writeRows(
  batches: AsyncIterable<readonly Record<string, unknown>[]>,
  format: RowFormat,
  write: (chunk: string) => void | Promise<void>,
): Promise<number> {
  let count = 0;
  if (format === 'table') {
    const all: Record<string, unknown>[] = [];
    for await (const batch of batches) all.push(...batch);
    await write(formatRows(all, 'table'));
    return all.length;
  }
  let cols: string[] | undefined;
  if (format === 'json') await write('[');
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    let out = '';
    if (format === 'json') {
      for (const row of batch) out += `${count++ === 0 ? '\n' : ',\n'}  ${JSON.stringify(row)}`;
    } else {
      if (!cols) {
        cols = columnsOf(batch);
        out += `${cols.map(csvCell).join(',')}\r\n`;
      }
      for (const row of batch) {
        out += `${cols.map((c) => csvCell(row[c])).join(',')}\r\n`;
        count++;
      }
    }
    await write(out);
  }
  if (format === 'json') await write(count === 0 ? ']\n' : '\n]\n');
  return count;
}
