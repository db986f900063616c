// Row rendering for `marketbench query`: table alignment, CSV quoting, JSON validity, and
// writeRows streaming batch by batch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRows, writeRows } from '../../src/store/formatRows.ts';

const rows = [
  { step: 'search', n: '1200', p99: 12.5, tags: { k: 'v' } },
  { step: 'checkout', n: '7', p99: null, tags: {} },
];

async function* batches<T>(...bs: T[][]): AsyncIterable<T[]> {
  for (const b of bs) yield b;
}

test('table: numbers right-aligned, text left-aligned, NULL shown, row count last', () => {
  assert.equal(
    formatRows(rows, 'table'),
    [
      'step         n   p99  tags',
      '--------  ----  ----  ---------',
      'search    1200  12.5  {"k":"v"}',
      'checkout     7  NULL  {}',
      '(2 rows)',
      '',
    ].join('\n'),
  );
  assert.equal(formatRows([], 'table'), '(0 rows)\n');
});

test('csv: RFC 4180 quoting of commas, quotes and newlines; nested values as JSON', () => {
  const out = formatRows([{ a: 'x,y', b: 'say "hi"', c: 'two\nlines', d: [1, 2], e: null }], 'csv');
  assert.equal(out, 'a,b,c,d,e\r\n"x,y","say ""hi""","two\nlines","[1,2]",\r\n');
});

test('writeRows streams JSON and CSV across batches and counts rows', async () => {
  const chunks: string[] = [];
  const n = await writeRows(batches([rows[0]], [], [rows[1]]), 'json', (c) => {
    chunks.push(c);
  });
  assert.equal(n, 2);
  assert.ok(chunks.length >= 3, 'written as it arrives, not at the end');
  assert.deepEqual(JSON.parse(chunks.join('')), rows);
  let empty = '';
  await writeRows(batches(), 'json', (c) => {
    empty += c;
  });
  assert.deepEqual(JSON.parse(empty), []);
  let csv = '';
  await writeRows(batches([{ a: 1, b: 'x' }], [{ a: 2, b: 'y,z' }]), 'csv', (c) => {
    csv += c;
  });
  assert.equal(csv, 'a,b\r\n1,x\r\n2,"y,z"\r\n');
});
