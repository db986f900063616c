// The per-request context behaves like the api's: the W3C propagators extract into it, the span
// and baggage are found by the api helpers, other keys are kept, nothing leaks between contexts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContextKey, defaultTextMapGetter, propagation, trace } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { baggageValue, EMPTY_REQUEST_CONTEXT, RequestContext } from '../../src/http/RequestContext.ts';

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

test('a raw baggage header is parsed only when read, and survives setSpan', () => {
  const ctx = (EMPTY_REQUEST_CONTEXT as RequestContext).withBaggageHeader(
    'marketbench.run_id=run%201;prop=x, other = 2',
  );
  const span = trace.wrapSpanContext({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
  });
  const withSpan = trace.setSpan(ctx, span);
  assert.equal(propagation.getBaggage(withSpan)?.getEntry('marketbench.run_id')?.value, 'run 1');
  assert.equal(propagation.getBaggage(ctx)?.getEntry('other')?.value, '2');
  const carrier: Record<string, string> = {};
  new W3CBaggagePropagator().inject(withSpan, carrier, {
    set: (c, k, v) => {
      (c as Record<string, string>)[k] = v;
    },
  });
  assert.match(carrier.baggage, /marketbench\.run_id=run%201/);
});

test('baggageValue finds an entry without building a Baggage', () => {
  assert.equal(baggageValue('a=1,marketbench.run_id=r%2042;p=1,b=2', 'marketbench.run_id'), 'r 42');
  assert.equal(baggageValue(' marketbench.run_id = r1 ', 'marketbench.run_id'), 'r1');
  assert.equal(baggageValue(['x=1', 'marketbench.run_id=r2'], 'marketbench.run_id'), 'r2');
  assert.equal(baggageValue('xmarketbench.run_id=r3', 'marketbench.run_id'), undefined);
  assert.equal(baggageValue('marketbench.run_idx=r4', 'marketbench.run_id'), undefined);
  assert.equal(baggageValue('a=marketbench.run_id', 'marketbench.run_id'), undefined);
  assert.equal(baggageValue('', 'marketbench.run_id'), undefined);
});
