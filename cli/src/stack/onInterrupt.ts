import { EXIT } from '@marketbench/contracts';
// Ctrl-C during a run, as k6 handles it: the first SIGINT/SIGTERM stops gracefully, the second
// stops at once; either way the command exits 105 (k6's external-abort code).

/**
 * Ctrl-C (SIGINT) or SIGTERM stops the run gracefully, as in k6: the engines stop, the partial
 * summary is printed and stored, and the command exits 105 (k6's external abort). A second
 * signal stops at once.
 */
export function onInterrupt(stop: () => void): { interrupted: () => boolean; dispose: () => void } {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      process.stderr.write(
        `\nmarketbench: ${signal}: stopping the run gracefully (the summary covers what ran); again to stop at once\n`,
      );
      stop();
    } else {
      process.stderr.write(`marketbench: ${signal} again: stopping at once\n`);
      process.exit(EXIT.externalAbort);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    interrupted: () => count > 0,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
