// The per-request context behaves like the api's: the W3C propagators extract into it, the span
// and baggage are found by the api helpers, other keys are kept, nothing leaks between contexts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContextKey, defaultTextMapGetter, propagation, trace } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { EMPTY_REQUEST_CONTEXT, RequestContext } from '../../src/http/RequestContext.ts';

const OTHER = createContextKey('other');

test('the W3C propagators extract traceparent, tracestate and baggage into it', () => {
  const headers = {
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tracestate: 'vendor=x',
    baggage: 'marketbench.run_id=run%2042,other=1',
  };
  let ctx = new W3CTraceContextPropagator().extract(EMPTY_REQUEST_CONTEXT, headers, defaultTextMapGetter);
  ctx = new W3CBaggagePropagator().extract(ctx, headers, defaultTextMapGetter);
  assert.ok(ctx instanceof RequestContext);
  const sc = trace.getSpanContext(ctx);
  assert.equal(sc?.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(sc?.spanId, 'b7ad6b7169203331');
  assert.equal(sc?.isRemote, true);
  assert.equal(sc?.traceState?.get('vendor'), 'x');
  assert.equal(propagation.getBaggage(ctx)?.getEntry('marketbench.run_id')?.value, 'run 42');
  assert.equal(trace.getSpan(EMPTY_REQUEST_CONTEXT), undefined, 'the shared empty context is untouched');
});

test('setValue/deleteValue keep the other slots and keys', () => {
  const span = trace.wrapSpanContext({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
  });
  const base = propagation
    .setBaggage(EMPTY_REQUEST_CONTEXT, propagation.createBaggage({ k: { value: 'v' } }))
    .setValue(OTHER, 1);
  const ctx = trace.setSpan(base, span);
  assert.equal(trace.getSpan(ctx), span);
  assert.equal(ctx.getValue(OTHER), 1);
  assert.equal(propagation.getBaggage(ctx)?.getEntry('k')?.value, 'v');
  assert.equal(trace.getSpan(base), undefined);
  const noSpan = trace.deleteSpan(ctx);
  assert.equal(trace.getSpan(noSpan), undefined);
  assert.equal(noSpan.getValue(OTHER), 1);
  const noOther = ctx.deleteValue(OTHER);
  assert.equal(noOther.getValue(OTHER), undefined);
  assert.equal(trace.getSpan(noOther), span);
});
