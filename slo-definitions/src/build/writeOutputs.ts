// Writes generated files and checks that committed ones are current (DESIGN.md, contract 5).

import fs from 'node:fs';
import path from 'node:path';

/** Writes every file of `files` under `root`, removing stale generated files in the same folders. */
export function writeOutputs(root: string, files: ReadonlyMap<string, string>): string[] {
  const folders = new Set([...files.keys()].map((f) => path.dirname(f)));
  for (const folder of folders) {
    const dir = path.join(root, folder);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const rel = path.join(folder, name);
      if (/\.(ya?ml|sql|txt)$/.test(name) && !files.has(rel) && isGenerated(path.join(dir, name))) {
        fs.rmSync(path.join(dir, name));
      }
    }
  }
  const written: string[] = [];
  for (const [rel, text] of files) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
      fs.writeFileSync(file, text);
      written.push(rel);
    }
  }
  return written;
}

/** Files of `files` whose committed copy under `root` is missing or different. */
export function staleOutputs(root: string, files: ReadonlyMap<string, string>): string[] {
  return [...files.entries()]
    .filter(([rel, text]) => {
      const file = path.join(root, rel);
      return !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text;
    })
    .map(([rel]) => rel);
}

function isGenerated(file: string): boolean {
  const first = fs.readFileSync(file, 'utf8').split('\n', 1)[0];
  return first.includes('DO NOT EDIT');
}
