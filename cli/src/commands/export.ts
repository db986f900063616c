// `marketbench export k6 <scenario>`: writes the k6 script of a scenario (same executors,
// journeys, thresholds and W3C trace propagation) to stdout or a file; with a file, the k6
// runtime it imports (lib/marketbench.js, and a built-in's shared lib/journeys.js) goes beside it.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  builtinJourneysModule,
  builtinK6Script,
  exportK6,
  K6_LIB_IMPORT,
  k6LibSource,
  loadScenario,
} from '@marketbench/load-scenarios';
import type { Command } from 'commander';

export function register(program: Command): void {
  const exp = program.command('export').description('export scenarios to other tools');
  exp
    .command('k6')
    .description(
      'write a k6 script equivalent to a scenario (run it with `k6 run -e TARGET=http://127.0.0.1:8080 <file>`)',
    )
    .argument('<scenario>', 'built-in scenario name or scenario module path')
    .option(
      '-o, --out <file>',
      `write the script to this file instead of stdout, and the runtime it imports beside it (${K6_LIB_IMPORT})`,
    )
    .action(async (scenario: string, flags: { out?: string }) => {
      const loaded = await loadScenario(scenario);
      const builtin = loaded.builtin;
      const script = loaded.builtin
        ? builtinK6Script(scenario)
        : exportK6(loaded.definition, {
            command: `marketbench export k6 ${scenario}`,
            source: path.relative(process.cwd(), loaded.file).split(path.sep).join('/'),
          });
      if (!flags.out) {
        process.stdout.write(script);
        return;
      }
      const lib = path.join(path.dirname(path.resolve(flags.out)), 'lib');
      mkdirSync(lib, { recursive: true });
      writeFileSync(path.join(lib, 'marketbench.js'), k6LibSource());
      if (builtin) writeFileSync(path.join(lib, 'journeys.js'), builtinJourneysModule());
      writeFileSync(flags.out, script);
      process.stderr.write(
        `wrote ${flags.out} and ${path.relative(process.cwd(), lib)}/ (the k6 runtime it imports)\n`,
      );
    });
}
