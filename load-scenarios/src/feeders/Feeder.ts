// Test data for iterations: rows from a CSV or JSON file (or inline), handed out sequentially
// (one shared cursor), at random, or uniquely per VU (VU n keeps row n for its whole life).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ScenarioError } from '../errors.ts';
import type { FeederSpec } from '../types.ts';

/** One row of test data. */
export type FeederRow = Record<string, unknown>;

/** Parses CSV text with a header line (RFC 4180 quoting); values stay strings. */
export function parseCsv(text: string): FeederRow[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      field = '';
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rows] = records;
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), r[i] ?? ''])));
}

export class Feeder {
  readonly name: string;
  readonly mode: FeederSpec['mode'];
  readonly rows: readonly FeederRow[];
  private cursor = 0;

  constructor(name: string, mode: FeederSpec['mode'], rows: readonly FeederRow[]) {
    this.name = name;
    this.mode = mode;
    this.rows = rows;
  }

  /** Reads a feeder's rows from its file (relative to `baseDir`) or inline rows. */
  static load(name: string, spec: FeederSpec, baseDir: string, scenarioFile?: string): Feeder {
    if (spec.rows) return new Feeder(name, spec.mode, spec.rows);
    const file = path.resolve(baseDir, spec.file ?? '');
    let rows: FeederRow[];
    try {
      const text = readFileSync(file, 'utf8');
      if (file.endsWith('.csv')) rows = parseCsv(text);
      else {
        const parsed = JSON.parse(text);
        if (!Array.isArray(parsed)) throw new Error('the JSON file must hold an array of objects');
        rows = parsed;
      }
    } catch (err) {
      throw new ScenarioError('MB_ERR_SCENARIO_FEEDER', `cannot read ${file}: ${(err as Error).message}`, {
        field: `feeders.${name}.file`,
        file: scenarioFile,
        cause: err,
      });
    }
    if (rows.length === 0) {
      throw new ScenarioError('MB_ERR_SCENARIO_FEEDER', `${file} has no rows`, {
        field: `feeders.${name}.file`,
        file: scenarioFile,
      });
    }
    return new Feeder(name, spec.mode, rows);
  }

  /** The row for one iteration of VU `vu` (from 1). */
  next(vu: number, random: () => number): FeederRow {
    switch (this.mode) {
      case 'sequential': {
        const row = this.rows[this.cursor];
        this.cursor = (this.cursor + 1) % this.rows.length;
        return row;
      }
      case 'random':
        return this.rows[Math.floor(random() * this.rows.length)];
      case 'unique': {
        const row = this.rows[vu - 1];
        if (!row)
          throw new Error(`feeder ${this.name}: VU ${vu} has no unique row (${this.rows.length} rows)`);
        return row;
      }
    }
  }
}
