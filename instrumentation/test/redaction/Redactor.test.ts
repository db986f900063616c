import assert from 'node:assert/strict';
import { test } from 'node:test';
import { luhnValid, REDACTED, Redactor, redactPans } from '../../src/redaction/Redactor.ts';

test('Luhn-valid 13-19 digit runs are replaced, others are kept', () => {
  assert.equal(luhnValid('4111111111111111'), true);
  assert.equal(luhnValid('4111111111111112'), false);
  assert.equal(redactPans('card 4111111111111111 ok'), `card ${REDACTED} ok`);
  assert.equal(redactPans('card 4111 1111 1111 1111'), `card ${REDACTED}`);
  assert.equal(redactPans('card 4111-1111-1111-1111!'), `card ${REDACTED}!`);
  assert.equal(redactPans('amex 378282246310005'), `amex ${REDACTED}`);
  assert.equal(redactPans('order 4111111111111112'), 'order 4111111111111112', 'Luhn-invalid stays');
  assert.equal(redactPans('id 123456789012'), 'id 123456789012', '12 digits is not a PAN');
  assert.equal(
    redactPans('trace 1700000000000'),
    'trace 1700000000000',
    'a 13-digit timestamp that fails Luhn stays',
  );
});

test('configured keys match exactly, by last segment and by prefix pattern', () => {
  const r = new Redactor(['authorization', 'cookie', 'card.*']);
  assert.equal(r.isSecretKey('authorization'), true);
  assert.equal(r.isSecretKey('http.request.header.authorization'), true);
  assert.equal(r.isSecretKey('Cookie'), true);
  assert.equal(r.isSecretKey('card.number'), true);
  assert.equal(r.isSecretKey('payment.card.cvv'), true);
  assert.equal(r.isSecretKey('cardinality'), false);
  assert.equal(r.isSecretKey('http.route'), false);
});

test('objects are redacted by key and by value, nested, without mutating the input', () => {
  const r = new Redactor(['authorization', 'card.*']);
  const input = {
    authorization: 'Bearer x',
    note: 'pan 4111111111111111',
    nested: { 'card.cvv': '123', n: 4111111111111111 },
    keep: 'fine',
  };
  const out = r.object(input);
  assert.deepEqual(out, {
    authorization: REDACTED,
    note: `pan ${REDACTED}`,
    nested: { 'card.cvv': REDACTED, n: REDACTED },
    keep: 'fine',
  });
  assert.equal(input.authorization, 'Bearer x');
  assert.equal(r.redacted, 4);
});

test('attributes are redacted in place, including arrays', () => {
  const r = new Redactor(['cookie']);
  const attrs: Record<string, unknown> = { cookie: 'a=b', list: ['x', '5555555555554444'], n: 7 };
  r.attributesInPlace(attrs as never);
  assert.deepEqual(attrs, { cookie: REDACTED, list: ['x', REDACTED], n: 7 });
});

test('a PAN must stand on its own: digits inside a UUID, a trace id or an order id are kept', () => {
  // Each of these ids holds a Luhn-valid 13-19 digit run; the old pattern redacted it.
  const ids = [
    '841cf0b3-a6b9-4f1c-8211-111111111111', // 8211-111111111111: 16 Luhn-valid digits in the last groups
    '841cf0b3-a6b9-4f4111111111111111d32',
    '4111111111111111a7c3e1d2f0b9a8c7', // a trace id starting with a Luhn-valid run
    'ord_4111111111111111',
    '4111111111111111_2',
    '12345678-4111-1111-1111-111111111111',
  ];
  for (const id of ids) {
    assert.ok(luhnValid('4111111111111111'));
    assert.equal(redactPans(id), id, id);
    assert.equal(redactPans(`order ${id} paid`), `order ${id} paid`, id);
    assert.equal(redactPans(`/orders/${id}/cancel`), `/orders/${id}/cancel`, id);
  }
  // …while a PAN bounded by punctuation, quotes or line ends still goes.
  assert.equal(redactPans('{"number":"4111111111111111"}'), `{"number":"${REDACTED}"}`);
  assert.equal(redactPans('pan=4111 1111 1111 1111;'), `pan=${REDACTED};`);
  assert.equal(redactPans('(5555-5555-5555-4444)'), `(${REDACTED})`);
  assert.equal(redactPans('4111111111111111\nnext'), `${REDACTED}\nnext`);
  assert.equal(redactPans('x/4111111111111111/y'), `x/${REDACTED}/y`);
  // a longer digit sequence is not a PAN, nor is any 13-19 digit window inside it
  assert.equal(redactPans('n 41111111111111110000'), 'n 41111111111111110000');
});

test('the attribute path keeps a UUID order id intact and redacts a PAN next to it', () => {
  const r = new Redactor([]);
  const orderId = '841cf0b3-a6b9-4f1c-8211-111111111111'; // 8211111111111111 passes Luhn
  const attrs: Record<string, unknown> = {
    'marketbench.order.id': orderId,
    'url.path': `/orders/${orderId}`,
    note: `order ${orderId} card 4111111111111111`,
  };
  r.attributesInPlace(attrs as never);
  assert.deepEqual(attrs, {
    'marketbench.order.id': orderId,
    'url.path': `/orders/${orderId}`,
    note: `order ${orderId} card ${REDACTED}`,
  });
  assert.equal(r.redacted, 1);
});
