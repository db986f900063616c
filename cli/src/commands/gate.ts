// `marketbench gate`: checks a stored run against a budgets file (and optionally a baseline),
// prints a table, writes JUnit XML and Markdown, and exits 0 / 99 (broken) / 98 (inconclusive).

import fs from 'node:fs';
import type { Command } from 'commander';
import { buildBaseline, readBaseline } from '../gate/baselineFile.ts';
import { evaluateSloBudgets } from '../gate/evaluateSloBudgets.ts';
import { loadBudgets } from '../gate/loadBudgets.ts';
import { renderJUnit } from '../gate/render/renderJUnit.ts';
import { renderMarkdown } from '../gate/render/renderMarkdown.ts';
import { renderTable } from '../gate/render/renderTable.ts';
import { resolveRunId } from '../gate/runData.ts';
import { gateExitCode, runGate } from '../gate/runGate.ts';
import { withStore } from '../stack/withStore.ts';

interface GateFlags {
  budgets: string;
  run?: string;
  last?: boolean;
  baseline?: string;
  junit?: string;
  markdown?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('gate')
    .description(
      'check a load run against performance budgets (k6 thresholds, SLO burn, baseline comparison)',
    )
    .requiredOption('--budgets <file>', 'budgets YAML (apiVersion: marketbench/v1, kind: Budgets)')
    .option('--run <id>', 'run to check (default: the newest run)')
    .option('--last', 'check the newest run (the default)')
    .option(
      '--baseline <file|run-id>',
      'baseline file from `marketbench baseline save`, or a run id in the store',
    )
    .option('--junit <file>', 'write JUnit XML, one testcase per budget')
    .option('--markdown <file>', 'write a Markdown summary for a pull-request comment')
    .option('--json', 'print the gate report as JSON instead of the table')
    .addHelpText(
      'after',
      '\nExit codes: 0 every budget met, 99 a budget broken (as k6), 98 inconclusive (noisy or too few samples),\n1 bad flags or files, 2 run error, 3 store unavailable. See docs/GATE.md for the statistics.',
    )
    .action(async (flags: GateFlags) => {
      const budgets = loadBudgets(flags.budgets);
      const report = await withStore(async (store) => {
        const runId = await resolveRunId(store, flags.last ? 'last' : flags.run);
        let baseline: Parameters<typeof runGate>[1]['baseline'];
        if (flags.baseline !== undefined) {
          baseline = fs.existsSync(flags.baseline)
            ? { label: flags.baseline, file: readBaseline(flags.baseline) }
            : {
                label: `run ${flags.baseline}`,
                file: await buildBaseline(store, await resolveRunId(store, flags.baseline)),
              };
        }
        return runGate(store, { budgets, runId, baseline, evaluateSlos: evaluateSloBudgets });
      });
      if (flags.junit) fs.writeFileSync(flags.junit, renderJUnit(report));
      if (flags.markdown) fs.writeFileSync(flags.markdown, renderMarkdown(report));
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report));
      process.exitCode = gateExitCode(report.verdict);
    });
}
