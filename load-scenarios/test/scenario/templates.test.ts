import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileBody,
  compileString,
  readPath,
  type TemplateContext,
  templateReferences,
} from '../../src/scenario/templates.ts';

function ctx(): TemplateContext {
  return {
    vu: 3,
    iteration: 7,
    vars: { cartId: 'c-1', n: 5 },
    uuids: new Map(),
    row: (f) => ({ terms: { q: 'Zara coat & more' } })[f] ?? {},
    random: () => 0.5,
  };
}

describe('templates', () => {
  it('encodes substituted values in paths, not in headers', () => {
    const c = ctx();
    assert.equal(
      compileString('/search?q={{terms.q}}&vu={{vu}}', true)(c),
      '/search?q=Zara%20coat%20%26%20more&vu=3',
    );
    assert.equal(compileString('{{terms.q}}')(c), 'Zara coat & more');
  });
  it('gives one UUID per label per iteration, so a retry reuses its key', () => {
    const c = ctx();
    const t = compileString('{{uuid:checkout}}');
    const first = t(c);
    assert.match(first, /^[0-9a-f-]{36}$/);
    assert.equal(t(c), first);
    assert.notEqual(compileString('{{uuid:other}}')(c), first);
    assert.notEqual(t(ctx()), first, 'a new iteration gets a new key');
  });
  it('keeps the type of a body value that is exactly one template', () => {
    const body = compileBody({
      cartId: '{{cartId}}',
      qty: '{{n}}',
      note: 'n={{n}}',
      r: '{{randomInt:10:20}}',
      iter: '{{iteration}}',
    });
    assert.deepEqual(JSON.parse(body?.(ctx()) ?? ''), { cartId: 'c-1', qty: 5, note: 'n=5', r: 15, iter: 7 });
  });
  it('lists the references validation must resolve, and reads dotted paths', () => {
    assert.deepEqual(templateReferences(['/x/{{cartId}}/{{vu}}', { a: '{{uuid:k}}', b: ['{{terms.q}}'] }]), [
      'cartId',
      'terms.q',
    ]);
    assert.equal(readPath({ items: [{ id: 9 }] }, 'items.0.id'), 9);
    assert.equal(readPath({ items: [] }, 'items.0.id'), undefined);
  });
});
