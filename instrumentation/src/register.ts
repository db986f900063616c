// Zero-code entry: `node --import @marketbench/instrumentation/register app.js` starts telemetry
// from OTEL_* environment variables before the app's own modules load. The app reaches the
// running instance with `currentTelemetry()` (e.g. to register `fastifyPlugin`).

import { startTelemetry } from './startTelemetry.ts';

startTelemetry();
