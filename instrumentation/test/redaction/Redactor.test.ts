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
