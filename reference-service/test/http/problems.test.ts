// The problem catalog is the public error contract: every slug is documented with its status in
// docs/REFERENCE-SERVICE.md, and every slug the code sends exists in the catalog.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PROBLEMS } from '../../src/http/problems.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

test('every problem type is documented with its status', () => {
  const doc = fs.readFileSync(path.join(ROOT, '..', 'docs', 'REFERENCE-SERVICE.md'), 'utf8');
  for (const [slug, p] of Object.entries(PROBLEMS)) {
    assert.match(
      doc,
      // Cells may be padded (tables get aligned by formatters).
      new RegExp(`\\|\\s*\`${slug}\`\\s*\\|\\s*${p.status}\\s*\\|`),
      `${slug} missing from docs/REFERENCE-SERVICE.md`,
    );
  }
});

test('every problem slug used in the code is in the catalog', () => {
  const used = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        for (const m of text.matchAll(/(?:sendProblem\(\s*reply,\s*|problem\(\s*\d{3},\s*)'([a-z-]+)'/g))
          used.add(m[1]);
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  assert.ok(used.size > 10, `found ${used.size} uses`);
  for (const slug of used) assert.ok(slug in PROBLEMS, `${slug} is not in PROBLEMS`);
});
