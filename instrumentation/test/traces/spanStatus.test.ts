// Span status as a trace viewer reads it off the wire: every helper and the server span follow
// the HTTP semantic conventions (client Error at >= 400 or on a transport failure, server Error
// at >= 500), carry error.type and a short status message.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ATTR } from '@marketbench/contracts';
import Fastify from 'fastify';
import {
  describeError,
  isHttpFailure,
  withCacheSpan,
  withClientSpan,
  withConsumeSpan,
  withDbSpan,
  withPublishSpan,
} from '../../src/index.ts';
import { type SinkSpan, waitFor } from '../support/OtlpSink.ts';
import { sinkTelemetry } from '../support/sinkTelemetry.ts';

const ERROR = 2;
const UNSET = 0;

const t = sinkTelemetry('status');

async function spanNamed(name: string, where: (s: SinkSpan) => boolean = () => true): Promise<SinkSpan> {
  await t.telemetry.forceFlush();
  assert.ok(await waitFor(() => t.sink.spans.some((s) => s.name === name && where(s))), `span ${name}`);
  return t.sink.spans.find((s) => s.name === name && where(s)) as SinkSpan;
}

const byUrl = (path: string) => (s: SinkSpan) => String(s.attributes[ATTR.urlFull]).endsWith(path);

test('the HTTP failure rule: client >= 400, server >= 500, a code outside 100-599 fails both', () => {
  assert.equal(isHttpFailure(399, 2), false);
  assert.equal(isHttpFailure(402, 2), true); // CLIENT
  assert.equal(isHttpFailure(404, 1), false); // SERVER
  assert.equal(isHttpFailure(503, 1), true);
  assert.equal(isHttpFailure(0, 2), true);
  assert.equal(isHttpFailure(0, 1), true);
});

test('error classes are low-cardinality: timeout, system codes, the class name', () => {
  assert.deepEqual(
    describeError(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    {
      type: 'timeout',
      message: 'The operation was aborted due to timeout',
    },
  );
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  assert.equal(describeError(refused).type, 'ECONNREFUSED');
  assert.equal(describeError(new TypeError('x is not a function')).type, 'TypeError');
  assert.equal(describeError('plain string').type, '_OTHER');
  assert.ok(describeError(new Error(`line one\n${'x'.repeat(500)}`)).message === 'line one');
  assert.ok(describeError(new Error('y'.repeat(500))).message.length <= 120);
});

test('client span: a returned status >= 400 is Error with error.type and "HTTP <code>"; < 400 stays Unset', async () => {
  await withClientSpan({ method: 'POST', url: 'http://127.0.0.1:9/a503' }, async () => ({ statusCode: 503 }));
  await withClientSpan({ method: 'POST', url: 'http://127.0.0.1:9/a402' }, async () => ({ status: 402 }));
  await withClientSpan({ method: 'POST', url: 'http://127.0.0.1:9/a201' }, async () => ({ statusCode: 201 }));
  const s503 = await spanNamed('POST', byUrl('/a503'));
  assert.deepEqual(s503.status, { code: ERROR, message: 'HTTP 503' });
  assert.equal(s503.attributes[ATTR.errorType], '503');
  assert.equal(s503.attributes[ATTR.httpStatusCode], 503);
  const s402 = await spanNamed('POST', byUrl('/a402'));
  assert.deepEqual(s402.status, { code: ERROR, message: 'HTTP 402' });
  const s201 = await spanNamed('POST', byUrl('/a201'));
  assert.equal(s201.status.code, UNSET);
  assert.equal(s201.attributes[ATTR.errorType], undefined);
});

test('client span: a failure the callback caught and reported is Error with its own type and message', async () => {
  const result = await withClientSpan(
    { method: 'POST', url: 'http://127.0.0.1:9/timeout' },
    async (_h, call) => {
      call.fail(new DOMException('aborted', 'TimeoutError'), { message: 'timeout after 1000 ms' });
      return { outcome: 'timeout' };
    },
  );
  assert.deepEqual(result, { outcome: 'timeout' });
  const s = await spanNamed('POST', byUrl('/timeout'));
  assert.deepEqual(s.status, { code: ERROR, message: 'timeout after 1000 ms' });
  assert.equal(s.attributes[ATTR.errorType], 'timeout');
  const om = await t.telemetry.registry.metrics();
  assert.match(
    om,
    /http_client_request_duration_seconds_count\{http_request_method="POST",server_address="127.0.0.1:9",http_response_status_code="error"\} 1/,
  );
});

test('client span: a reported response wins over the returned value; a thrown transport error is Error', async () => {
  await withClientSpan({ method: 'GET', url: 'http://127.0.0.1:9/reported' }, async (_h, call) => {
    call.response(500);
    return { statusCode: 200 };
  });
  const reported = await spanNamed('GET', byUrl('/reported'));
  assert.deepEqual(reported.status, { code: ERROR, message: 'HTTP 500' });
  await assert.rejects(
    withClientSpan({ method: 'GET', url: 'http://127.0.0.1:1/refused' }, () =>
      fetch('http://127.0.0.1:1/refused'),
    ),
  );
  const refused = await spanNamed('GET', byUrl('/refused'));
  assert.equal(refused.status.code, ERROR);
  assert.ok(refused.status.message.length > 0 && refused.status.message.length <= 120);
  assert.equal(refused.attributes[ATTR.errorType], 'TypeError'); // fetch wraps the refusal in a TypeError
});

test('db, cache, producer and consumer spans that throw are Error with the error class and message', async () => {
  const boom = () => {
    throw Object.assign(new Error('no responders available for request\nstack-ish detail'), { code: '503' });
  };
  assert.throws(() => withDbSpan({ system: 'sqlite', operation: 'INSERT', collection: 'orders_x' }, boom));
  await assert.rejects(withCacheSpan('get', 'k', async () => boom()));
  assert.throws(() => withPublishSpan('orders.failed', {}, boom, { system: 'nats' }));
  assert.throws(() => withConsumeSpan('orders.failed', {}, boom, { system: 'rabbitmq' }));
  for (const name of ['INSERT orders_x', 'cache get', 'publish orders.failed', 'process orders.failed']) {
    const s = await spanNamed(name);
    assert.deepEqual(s.status, { code: ERROR, message: 'no responders available for request' }, name);
    assert.equal(s.attributes[ATTR.errorType], 'Error', name);
  }
});

test('server span: 404 stays Unset without error.type, 500 is Error "HTTP 500" with error.type 500', async () => {
  const app = Fastify();
  await app.register(t.telemetry.fastifyPlugin);
  app.get('/missing-thing', async (_req, reply) => reply.code(404).send({ error: 'not found' }));
  app.get('/broken-thing', async () => {
    throw new RangeError('bad range');
  });
  await app.ready();
  assert.equal((await app.inject({ url: '/missing-thing' })).statusCode, 404);
  assert.equal((await app.inject({ url: '/broken-thing' })).statusCode, 500);
  await app.close();
  const notFound = await spanNamed('GET /missing-thing');
  assert.equal(notFound.status.code, UNSET);
  assert.equal(notFound.attributes[ATTR.errorType], undefined);
  const broken = await spanNamed('GET /broken-thing');
  assert.deepEqual(broken.status, { code: ERROR, message: 'HTTP 500' });
  assert.equal(broken.attributes[ATTR.errorType], '500');
});
