// `marketbench version` and `marketbench --version` (as `k6 version` / `k6 --version`): the
// package version and the runtime it runs on.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';

/** `marketbench 0.1.0 (node v24.11.0, linux/x64)`. */
export function versionText(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `marketbench ${pkg.version} (node ${process.version}, ${process.platform}/${process.arch})`;
}

export function register(program: Command): void {
  program
    .command('version')
    .description('print the version (also --version)')
    .action(() => {
      process.stdout.write(`${versionText()}\n`);
    });
}
