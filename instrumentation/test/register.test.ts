// Zero-code entry: `node --import @marketbench/instrumentation/register app.js` configured only
// through OTEL_* variables.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OtlpSink } from './support/OtlpSink.ts';

test('--import @marketbench/instrumentation/register starts telemetry from OTEL_* env', async () => {
  const sink = await new OtlpSink().start();
  try {
    const child = spawn(
      process.execPath,
      [
        '--import',
        '@marketbench/instrumentation/register',
        fileURLToPath(new URL('./support/registerChild.ts', import.meta.url)),
      ],
      {
        env: {
          ...process.env,
          OTEL_SERVICE_NAME: 'zero-code',
          OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_RESOURCE_ATTRIBUTES: 'service.version=7.0.0,deployment.environment.name=ci',
          LOG_LEVEL: 'silent',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, out);
    assert.match(out, /served /);
    const spans = sink.spans.filter((s) => s.kind === 2);
    assert.equal(spans.length, 1);
    assert.equal(spans[0].name, 'GET /zero');
    assert.equal(spans[0].resource['service.name'], 'zero-code');
    assert.equal(spans[0].resource['service.version'], '7.0.0');
    assert.equal(spans[0].resource['deployment.environment.name'], 'ci');
    assert.ok(
      sink.contentTypes.every((c) => c.includes('json')),
      'OTEL_EXPORTER_OTLP_PROTOCOL honoured',
    );
  } finally {
    await sink.close();
  }
});
