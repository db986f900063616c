// Loads the real OpenTelemetry JS SDK and OTLP exporters for the round-trip tests. They are
// dependencies of @marketbench/instrumentation (the versions our services export with), so they
// are resolved from that package rather than installed a second time here.
import { createRequire } from 'node:module';

const fromInstrumentation = createRequire(import.meta.resolve('@marketbench/instrumentation'));

// biome-ignore lint/suspicious/noExplicitAny: the SDK's types live in another workspace's node_modules.
type Any = any;

/** Requires an @opentelemetry package as @marketbench/instrumentation sees it. */
export function otel(name: string): Any {
  return fromInstrumentation(`@opentelemetry/${name}`);
}
