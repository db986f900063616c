// The repository's source files the seam tests scan, and a comment stripper: the tests look at
// code, not at the prose around it.

import fs from 'node:fs';
import path from 'node:path';

/** The repository root (contracts/..). */
export const REPO = path.resolve(import.meta.dirname, '..', '..', '..');

const SKIP = new Set([
  'node_modules',
  'generated',
  'testdata',
  'test',
  'k6',
  '.marketbench',
  '.node24',
  '.git',
]);

/** Every .ts/.js/.mjs file under `dirs` (relative to the repo), skipping tests, fixtures and generated files. */
export function sourceFiles(dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) walk(p);
      } else if (/\.(ts|js|mjs|cjs)$/.test(e.name)) out.push(p);
    }
  };
  for (const d of dirs) if (fs.existsSync(path.join(REPO, d))) walk(path.join(REPO, d));
  return out;
}

/** The top-level folders that hold packages' sources (`<pkg>/src`), besides contracts. */
export function packageSourceDirs(): string[] {
  return fs
    .readdirSync(REPO, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'contracts' && fs.existsSync(path.join(REPO, e.name, 'src')))
    .map((e) => `${e.name}/src`);
}

/** `code` without its comments (line and block); string contents are kept. */
export function stripComments(code: string): string {
  let out = '';
  let i = 0;
  let quote: string | undefined;
  while (i < code.length) {
    const c = code[i];
    if (quote) {
      out += c;
      if (c === '\\') {
        out += code[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === quote) quote = undefined;
      i++;
    } else if (c === '/' && code[i + 1] === '/') {
      while (i < code.length && code[i] !== '\n') i++;
    } else if (c === '/' && code[i + 1] === '*') {
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? code.length : end + 2;
    } else {
      if (c === "'" || c === '"' || c === '`') quote = c;
      out += c;
      i++;
    }
  }
  return out;
}
