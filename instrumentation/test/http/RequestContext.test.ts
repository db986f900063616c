// The per-request context behaves like the api's: the span is found by trace.getSpan, other keys
// come from the parent, and setValue/deleteValue keep both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContextKey, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { RequestContext } from '../../src/http/RequestContext.ts';

const span = trace.wrapSpanContext({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
});
const OTHER = createContextKey('other');

test('getValue: the span under the api span key, everything else from the parent', () => {
  const parent = propagation.setBaggage(
    ROOT_CONTEXT.setValue(OTHER, 42),
    propagation.createBaggage({ k: { value: 'v' } }),
  );
  const ctx = new RequestContext(parent, span);
  assert.equal(trace.getSpan(ctx), span);
  assert.equal(ctx.getValue(OTHER), 42);
  assert.equal(propagation.getBaggage(ctx)?.getEntry('k')?.value, 'v');
  assert.equal(trace.getSpan(parent), undefined);
});

test('setValue/deleteValue return contexts that keep the span and the parent values', () => {
  const ctx = new RequestContext(ROOT_CONTEXT.setValue(OTHER, 1), span);
  const KEY = createContextKey('added');
  const next = ctx.setValue(KEY, 'x');
  assert.equal(next.getValue(KEY), 'x');
  assert.equal(trace.getSpan(next), span);
  assert.equal(next.getValue(OTHER), 1);
  const without = ctx.deleteValue(OTHER);
  assert.equal(without.getValue(OTHER), undefined);
  assert.equal(trace.getSpan(without), span);
  const child = trace.setSpan(
    ctx,
    trace.wrapSpanContext({ ...span.spanContext(), spanId: '1111111111111111' }),
  );
  assert.equal(trace.getSpan(child)?.spanContext().spanId, '1111111111111111');
});
