// Builds the `marketbench` program from the subcommand modules and maps failures to
// one-line messages and documented exit codes (stack traces only with --verbose).
import { Command, CommanderError, Help } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { versionText } from './commands/version.ts';
import { CliError, EXIT } from './errors.ts';

/**
 * The command name `argv` invokes (`help <name>` counts as invoking it): the first argument after
 * the global options; undefined for none (top-level help).
 */
export function invokedCommand(argv: readonly string[]): string | undefined {
  const args = argv.slice(2).filter((a) => !a.startsWith('-'));
  return args[0] === 'help' ? args[1] : args[0];
}

/**
 * Builds the program: the real module of the command `argv` invokes (imported on demand), and a
 * placeholder (name, summary, argument term) for every other command, so `--help` lists them
 * all without loading them. With `loadAll`, every command is real.
 */
export async function buildProgram(argv: readonly string[] = [], loadAll = false): Promise<Command> {
  const program = new Command('marketbench')
    .description('Observability and load-testing harness for marketplace APIs')
    .option('--verbose', 'print stack traces and debug output')
    .version(versionText(), '--version', 'print the version, as `k6 --version`')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const invoked = invokedCommand(argv);
  const placeholders = new Map<Command, string>();
  for (const entry of COMMANDS) {
    if (loadAll || entry.name === invoked) (await entry.load()).register(program);
    else placeholders.set(program.command(entry.name).description(entry.summary), entry.args);
  }
  program.configureHelp({
    subcommandTerm: (cmd) => {
      const args = placeholders.get(cmd);
      if (args === undefined) return new Help().subcommandTerm(cmd);
      return args ? `${cmd.name()} ${args}` : cmd.name();
    },
  });
  return program;
}

/** Runs the CLI with the given argv and resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv);
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
