import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SERVICES } from '@marketbench/contracts';
import { DEFAULT_ENVIRONMENT, SERVICE_VERSION, serviceTelemetryOptions } from '../../src/index.ts';

test('deployment environment: MARKETBENCH_ENVIRONMENT, then OTEL_RESOURCE_ATTRIBUTES, then local', () => {
  assert.deepEqual(serviceTelemetryOptions({}), {
    serviceName: SERVICES.reference,
    serviceVersion: SERVICE_VERSION,
    environment: DEFAULT_ENVIRONMENT,
  });
  assert.equal(DEFAULT_ENVIRONMENT, 'local');
  assert.equal(serviceTelemetryOptions({ MARKETBENCH_ENVIRONMENT: 'ci' }).environment, 'ci');
  // left undefined so startTelemetry reads it from OTEL_RESOURCE_ATTRIBUTES itself
  const otel = { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging,team=payments' };
  assert.equal(serviceTelemetryOptions(otel).environment, undefined);
  assert.equal(serviceTelemetryOptions({ ...otel, MARKETBENCH_ENVIRONMENT: 'ci' }).environment, 'ci');
  assert.equal(serviceTelemetryOptions({ MARKETBENCH_ENVIRONMENT: '' }).environment, 'local');
});
