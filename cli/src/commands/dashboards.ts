// `marketbench dashboards build`: regenerates the Grafana dashboards JSON and provisioning
// files from dashboards/src; `--check` fails (exit 1) when the committed files are stale.

import { writeDashboards } from '@marketbench/dashboards';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';

export function register(program: Command): void {
  const dashboards = program.command('dashboards').description('Grafana dashboards as code over ClickHouse');
  dashboards
    .command('build')
    .description(
      'write dashboards/generated/*.json and dashboards/provisioning/ from the TypeScript definitions',
    )
    .option('--out <dir>', 'directory for the dashboard JSON files (default: dashboards/generated)')
    .option(
      '--provisioning <dir>',
      'directory for Grafana provisioning files (default: dashboards/provisioning)',
    )
    .option('--check', 'write nothing; exit 1 when a generated file is missing or differs')
    .action((flags: { out?: string; provisioning?: string; check?: boolean }) => {
      const result = writeDashboards({
        outDir: flags.out,
        provisioningDir: flags.provisioning,
        check: flags.check,
      });
      const changed = result.files.filter((f) => f.changed);
      if (flags.check) {
        if (changed.length > 0) {
          throw new CliError(
            'MB_ERR_DASHBOARDS_STALE',
            `generated dashboards are stale, run \`marketbench dashboards build\`: ${changed.map((f) => f.path).join(', ')}`,
          );
        }
        process.stdout.write(`${result.files.length} generated files up to date\n`);
        return;
      }
      for (const f of result.files)
        process.stdout.write(`${f.changed ? 'wrote    ' : 'unchanged'} ${f.path}\n`);
    });
}
