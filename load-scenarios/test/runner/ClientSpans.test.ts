// The generator's client span names and error classes: a low-cardinality url.template from a
// step's path template, and an error.type from a transport failure's message.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { urlTemplate } from '../../src/journey/compileJourneys.ts';
import { transportErrorType } from '../../src/runner/ClientSpans.ts';

test('url.template keeps the path shape, names each template expression, drops the query', () => {
  assert.equal(urlTemplate('/listings/{{randomInt:1:20000}}'), '/listings/{randomInt}');
  assert.equal(urlTemplate('/carts/{{cartId}}/items?x={{vu}}'), '/carts/{cartId}/items');
  assert.equal(urlTemplate('/sellers/{{ row.id }}'), '/sellers/{row.id}');
  assert.equal(urlTemplate('/search?q={{row.term}}'), '/search');
  assert.equal(urlTemplate('/healthz'), '/healthz');
});

test('transport failures get a low-cardinality error.type', () => {
  assert.equal(transportErrorType('connect ECONNREFUSED 127.0.0.1:9'), 'ECONNREFUSED');
  assert.equal(transportErrorType('read ECONNRESET'), 'ECONNRESET');
  assert.equal(transportErrorType('response headers timed out after 60000 ms'), 'timeout');
  assert.equal(transportErrorType('request aborted'), 'aborted');
  assert.equal(transportErrorType('socket hang up'), 'transport_error');
});
