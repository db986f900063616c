// App for the zero-code test, started with `node --import @marketbench/instrumentation/register`:
// it never calls startTelemetry itself, only picks up the running instance.
import http from 'node:http';
import { currentTelemetry } from '@marketbench/instrumentation';

const telemetry = currentTelemetry();
if (!telemetry) throw new Error('register did not start telemetry');
const server = http.createServer((_req, res) => res.end('ok'));
telemetry.instrumentHttpServer(server, { route: () => '/zero' });
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  void fetch(`http://127.0.0.1:${port}/zero`)
    .then((r) => r.text())
    .then(async () => {
      server.close();
      await telemetry.shutdown();
      process.stdout.write(`served ${JSON.stringify(telemetry.stats())}\n`);
    });
});
