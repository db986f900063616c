// Builds the `marketbench` program from the subcommand modules and maps failures to
// one-line messages and documented exit codes (stack traces only with --verbose).
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { CliError, EXIT } from './errors.ts';

export function buildProgram(): Command {
  const program = new Command('marketbench')
    .description('Observability and load-testing harness for marketplace APIs')
    .option('--verbose', 'print stack traces and debug output')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

/** Runs the CLI with the given argv and resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version "errors" are successes; everything else commander reports is usage.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`marketbench: ${err.message} [${err.code}]\n`);
      if (verbose && err.cause) process.stderr.write(`${(err.cause as Error).stack ?? String(err.cause)}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(`marketbench: ${e?.message ?? String(err)}\n`);
    if (verbose) process.stderr.write(`${e?.stack ?? ''}\n`);
    return EXIT.runError;
  }
}
