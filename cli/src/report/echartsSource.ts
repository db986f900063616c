// The report inlines the echarts build shipped in node_modules, so the HTML renders with no
// network at view time. Resolved through Node's resolver (the package exports no dist path).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

let cached: string | undefined;

/** The minified echarts bundle, safe to place inside a <script> element. */
export function echartsSource(): string {
  if (cached !== undefined) return cached;
  const entry = createRequire(import.meta.url).resolve('echarts');
  let dir = path.dirname(entry);
  while (!fs.existsSync(path.join(dir, 'dist', 'echarts.min.js'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`echarts.min.js not found above ${entry}`);
    dir = up;
  }
  cached = fs
    .readFileSync(path.join(dir, 'dist', 'echarts.min.js'), 'utf8')
    .replace(/<\/script/gi, '<\\/script');
  return cached;
}
