// `marketbench scenarios list`: the built-in scenarios with their executors, duration and what
// traffic they model.

import { formatDuration } from '@marketbench/contracts';
import { BUILTIN_SCENARIOS, scenarioDurationMs } from '@marketbench/load-scenarios';
import type { Command } from 'commander';

export function register(program: Command): void {
  const scenarios = program.command('scenarios').description('built-in load scenarios');
  scenarios
    .command('list')
    .description('list the built-in scenarios (name, executors, duration, description)')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      const rows = Object.entries(BUILTIN_SCENARIOS).map(([name, def]) => ({
        name,
        executors: [...new Set(Object.values(def.options.scenarios).map((e) => e.executor))].join(', '),
        duration: formatDuration(scenarioDurationMs(def)),
        description: def.description,
      }));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const w = (k: 'name' | 'executors' | 'duration') => Math.max(k.length, ...rows.map((r) => r[k].length));
      const line = (r: Record<string, string>) =>
        `${r.name.padEnd(w('name'))}  ${r.executors.padEnd(w('executors'))}  ${r.duration.padEnd(w('duration'))}  ${r.description}`;
      process.stdout.write(
        `${line({ name: 'NAME', executors: 'EXECUTORS', duration: 'DURATION', description: 'DESCRIPTION' })}\n`,
      );
      for (const r of rows) process.stdout.write(`${line(r)}\n`);
    });
}
