import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_OPTIONS, parseKeyValueList, resolveOptions } from '../../src/config/resolveOptions.ts';

test('defaults apply when neither argument nor env sets a value', () => {
  const o = resolveOptions({}, {});
  assert.equal(o.serviceName, DEFAULT_OPTIONS.serviceName);
  assert.equal(o.tracesEndpoint, 'http://127.0.0.1:4318/v1/traces');
  assert.equal(o.logsEndpoint, 'http://127.0.0.1:4318/v1/logs');
  assert.equal(o.protocol, 'http/protobuf');
  assert.equal(o.sampleRatio, 1);
  assert.equal(o.maxQueueSize, DEFAULT_OPTIONS.maxQueueSize);
  assert.equal(o.disabled, false);
});

test('OTEL_* env vars override defaults', () => {
  const o = resolveOptions(
    {},
    {
      OTEL_SERVICE_NAME: 'from-env',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_RESOURCE_ATTRIBUTES: 'service.version=9.9,deployment.environment.name=staging,team=pay%20ments',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500',
      OTEL_BSP_SCHEDULE_DELAY: '250',
      OTEL_BSP_EXPORT_TIMEOUT: '1234',
      OTEL_SDK_DISABLED: 'true',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-token=abc',
    },
  );
  assert.equal(o.serviceName, 'from-env');
  assert.equal(o.tracesEndpoint, 'http://collector:4318/v1/traces');
  assert.equal(o.protocol, 'http/json');
  assert.equal(o.sampleRatio, 0.25);
  assert.equal(o.serviceVersion, '9.9');
  assert.equal(o.environment, 'staging');
  assert.equal(o.resourceAttributes.team, 'pay ments');
  assert.equal(o.maxQueueSize, 100);
  assert.equal(o.maxExportBatchSize, 100, 'batch size is capped by the queue size');
  assert.equal(o.scheduledDelayMs, 250);
  assert.equal(o.exportTimeoutMs, 1234);
  assert.equal(o.disabled, true);
  assert.deepEqual(o.otlpHeaders, { 'x-token': 'abc' });
});

test('signal-specific env endpoint beats the base env endpoint, an argument beats both', () => {
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
  };
  assert.equal(resolveOptions({}, env).tracesEndpoint, 'http://traces:9999/custom');
  assert.equal(resolveOptions({}, env).logsEndpoint, 'http://base:4318/v1/logs');
  assert.equal(
    resolveOptions({ otlpEndpoint: 'http://arg:4318' }, env).tracesEndpoint,
    'http://arg:4318/v1/traces',
  );
  assert.equal(resolveOptions({ tracesEndpoint: 'http://exact/t' }, env).tracesEndpoint, 'http://exact/t');
});

test('arguments override env vars for every setting tried', () => {
  const env = {
    OTEL_SERVICE_NAME: 'env',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_TRACES_SAMPLER: 'always_off',
    OTEL_RESOURCE_ATTRIBUTES: 'service.version=env,deployment.environment.name=env',
    OTEL_BSP_MAX_QUEUE_SIZE: '100',
    OTEL_SDK_DISABLED: 'true',
  };
  const o = resolveOptions(
    {
      serviceName: 'arg',
      protocol: 'http/protobuf',
      sampleRatio: 0.5,
      serviceVersion: '1',
      environment: 'prod',
      maxQueueSize: 50,
      disabled: false,
    },
    env,
  );
  assert.equal(o.serviceName, 'arg');
  assert.equal(o.protocol, 'http/protobuf');
  assert.equal(o.sampleRatio, 0.5);
  assert.equal(o.serviceVersion, '1');
  assert.equal(o.resourceAttributes['service.version'], '1');
  assert.equal(o.resourceAttributes['deployment.environment.name'], 'prod');
  assert.equal(o.maxQueueSize, 50);
  assert.equal(o.disabled, false);
});

test('bad env values fall back to the default instead of throwing', () => {
  const o = resolveOptions(
    {},
    {
      OTEL_TRACES_SAMPLER_ARG: 'lots',
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_BSP_MAX_QUEUE_SIZE: '-3',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    },
  );
  assert.equal(o.sampleRatio, 1);
  assert.equal(o.maxQueueSize, DEFAULT_OPTIONS.maxQueueSize);
  assert.equal(o.tracesEndpoint, 'http://127.0.0.1:4318/v1/traces');
  assert.equal(o.protocol, 'http/protobuf');
});

test('OTEL_TRACES_EXPORTER=none and OTEL_LOGS_EXPORTER=none turn export off', () => {
  const o = resolveOptions({}, { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' });
  assert.equal(o.tracesEnabled, false);
  assert.equal(o.logsEnabled, false);
});

test('parseKeyValueList skips malformed entries', () => {
  assert.deepEqual(parseKeyValueList('a=1,=x,b,c=%zz,d = 2 '), { a: '1', c: '%zz', d: '2' });
});
