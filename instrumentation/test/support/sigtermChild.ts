// Child process for the SIGTERM test: starts telemetry from OTEL_* env, ends 10 spans (queued,
// the schedule delay is long), keeps running until SIGTERM.
import { startTelemetry } from '../../src/index.ts';

const telemetry = startTelemetry({ logLevel: 'silent' });
for (let i = 0; i < 10; i++) telemetry.tracer.startSpan(`queued-${i}`).end();
setInterval(() => {}, 1_000);
process.stdout.write('ready\n');
