// Builds the `marketbench` program from the subcommand modules and maps failures to
// one-line messages and documented exit codes (stack traces only with --verbose).
import { EXIT, MarketbenchError } from '@marketbench/contracts';
import { Command, CommanderError, Help } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { versionText } from './commands/version.ts';
import { CliError } from './errors.ts';

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
    // commander's own errors are printed by main() in the one-line format, with a code.
    .configureOutput({ outputError: () => {} })
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

/**
 * Any failure as a MarketbenchError: catalogued errors as they are, commander's own (unknown
 * option, missing argument) as MB_ERR_USAGE, anything else (a bug) as MB_ERR_INTERNAL. Undefined
 * for commander's help and version exits, which have printed what they had to.
 */
export function asMarketbenchError(err: unknown): MarketbenchError | undefined {
  if (err instanceof MarketbenchError) return err;
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return undefined;
    // `marketbench` alone prints the command list to stderr and exits 1 (commander.help).
    const message =
      err.code === 'commander.help'
        ? 'a command is required (the list is above)'
        : `${err.message.replace(/^error: /, '')} (see --help)`;
    return new CliError('MB_ERR_USAGE', message, { cause: err });
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new CliError(
    'MB_ERR_INTERNAL',
    `unexpected failure: ${message} (run with --verbose for the stack)`,
    {
      cause: err,
    },
  );
}

/** Runs the CLI with the given argv and resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv);
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    // The one place where an error becomes a line and an exit code.
    const e = asMarketbenchError(err);
    if (e === undefined) return EXIT.ok;
    process.stderr.write(`marketbench: ${e.message} [${e.code}]\n`);
    if (verbose) {
      const shown = e.code === 'MB_ERR_INTERNAL' || e.cause === undefined ? (e.cause ?? e) : e.cause;
      process.stderr.write(`${(shown as Error)?.stack ?? String(shown)}\n`);
    }
    return e.exitCode;
  }
}
