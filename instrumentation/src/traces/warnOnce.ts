// Telemetry problems are reported once per kind on stderr (never thrown, never repeated per
// request): a dead collector at 20k spans/s must not turn into 20k log lines per second.

const seen = new Set<string>();

/** Writes `message` to stderr the first time `key` is seen in this process. */
export function warnOnce(key: string, message: string): void {
  if (seen.has(key)) return;
  seen.add(key);
  try {
    process.stderr.write(`[@marketbench/instrumentation] ${message}\n`);
  } catch {
    // stderr closed: nothing else to do
  }
}
