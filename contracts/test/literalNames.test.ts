// One truth at the seams: a table or a load sample is named through the name table, never by a
// string literal outside contracts/ (STYLE.md). A table renamed in contracts then renames every
// query, and a sample the writer adds is one the report and the CSV header know.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LOAD_SAMPLES, OTEL_TABLES, TABLES } from '../src/names.ts';
import { packageSourceDirs, REPO, sourceFiles, stripComments } from './support/sourceFiles.ts';

const TABLE_NAMES = [...Object.values(TABLES), ...Object.values(OTEL_TABLES)];
// Two sample names are also ordinary words elsewhere: `errors` (a table header, a summary label)
// and `dropped_iterations` (k6's built-in metric of that name, written `'dropped_iterations'
// satisfies BuiltinMetric` where it means the metric). They count only in a file that touches the
// samples table; every other sample name counts anywhere, even inside a longer string.
const SHARED_WORDS = new Set<string>([LOAD_SAMPLES.errors, LOAD_SAMPLES.droppedIterations]);
const SAMPLES_TABLE = new RegExp(`TABLES\\.loadSamples|LOAD_SAMPLES|${TABLES.loadSamples}`);

/** Every literal spelling of a table or sample name in `code`, as `name` strings. */
export function literalNames(code: string): string[] {
  const text = stripComments(code);
  const found: string[] = [];
  for (const t of TABLE_NAMES) if (new RegExp(`(?<![\\w.$])${t}(?![\\w])`).test(text)) found.push(t);
  for (const s of Object.values(LOAD_SAMPLES)) {
    if (SHARED_WORDS.has(s)) {
      if (SAMPLES_TABLE.test(text) && new RegExp(`(['"\`])${s}\\1(?!\\s*satisfies)`).test(text))
        found.push(s);
    } else if (new RegExp(`['"\`][^'"\`\\n]*(?<![\\w])${s}(?![\\w])[^'"\`\\n]*['"\`]`).test(text))
      found.push(s);
  }
  return found;
}

test('the detector finds a table or sample name spelled out, and not one named through the table', () => {
  assert.deepEqual(literalNames("store.query('SELECT count() FROM otel_traces')"), ['otel_traces']);
  assert.deepEqual(literalNames('`INSERT INTO marketbench_load_runs FORMAT JSONEachRow`'), [
    'marketbench_load_runs',
  ]);
  assert.deepEqual(literalNames("const header = 'elapsed_s,target_rate,p99_ms';"), ['target_rate', 'p99_ms']);
  assert.deepEqual(literalNames("add('errors', n); // into TABLES.loadSamples"), []);
  assert.deepEqual(literalNames("insert(TABLES.loadSamples, rows); add('errors', n);"), ['errors']);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
  assert.deepEqual(literalNames('`SELECT count() FROM ${OTEL_TABLES.traces}`'), []);
  assert.deepEqual(literalNames('// reads otel_traces\nconst a = 1;'), []);
  assert.deepEqual(literalNames("['errors', fmt(n)]"), []);
  assert.deepEqual(literalNames('otel_traces_local'), []);
  assert.deepEqual(
    literalNames("insert(TABLES.loadSamples, r); total('dropped_iterations' satisfies BuiltinMetric);"),
    [],
  );
});

test('no table or sample name is a string literal outside contracts/ (sources, the CLI entry, benchmarks)', () => {
  const files = sourceFiles([...packageSourceDirs(), 'cli/bin', 'bench']);
  assert.ok(files.length > 100, `scanned ${files.length} files`);
  const offences: string[] = [];
  for (const file of files) {
    for (const name of literalNames(fs.readFileSync(file, 'utf8')))
      offences.push(`${path.relative(REPO, file)}: "${name}" (use TABLES, OTEL_TABLES or LOAD_SAMPLES)`);
  }
  assert.deepEqual(offences, []);
});
