import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveAdminToken } from '../../src/config/adminToken.ts';
import { inCi, readEnv } from '../../src/config/environment.ts';
import { parseBoolean, parseOneOf, parseString, resolveSetting } from '../../src/config/resolveSetting.ts';
import { isMarketbenchError } from '../../src/errors/MarketbenchError.ts';
import { parsePort } from '../../src/parse/parseNumber.ts';

const port = (environment: Record<string, string>, flag?: string, arg?: number) =>
  resolveSetting({
    arg,
    flag: { name: '--port', value: flag },
    env: ['MARKETBENCH_PORT', 'PORT'],
    parse: parsePort,
    default: 8080,
    environment,
  });

test('argument, then flag, then the first set variable, then the default', () => {
  assert.equal(port({}), 8080);
  assert.equal(port({ PORT: '3000' }), 3000);
  assert.equal(port({ PORT: '3000', MARKETBENCH_PORT: '4000' }), 4000);
  assert.equal(port({ MARKETBENCH_PORT: '4000' }, '5000'), 5000);
  assert.equal(port({ MARKETBENCH_PORT: '4000' }, '5000', 6000), 6000);
});

test('an empty variable is unset; a bad one is MB_ERR_USAGE naming the variable', () => {
  assert.equal(port({ MARKETBENCH_PORT: '', PORT: '3000' }), 3000);
  assert.throws(
    () => port({ MARKETBENCH_PORT: 'abc' }),
    (e: unknown) =>
      isMarketbenchError(e, 'MB_ERR_USAGE') &&
      e.message === 'MARKETBENCH_PORT must be a port number from 0 to 65535, got "abc"',
  );
  assert.throws(() => port({}, 'abc'), /^.*--port must be a port number/);
  // a bad variable does not matter when the flag is given
  assert.equal(port({ MARKETBENCH_PORT: 'abc' }, '5000'), 5000);
});

test('without a default, an unset setting is undefined', () => {
  assert.equal(resolveSetting({ env: 'DATABASE_URL', parse: parseString, environment: {} }), undefined);
  assert.equal(
    resolveSetting({
      env: 'DATABASE_URL',
      parse: parseString,
      environment: { DATABASE_URL: 'postgres://x' },
    }),
    'postgres://x',
  );
});

test('booleans and word lists', () => {
  assert.equal(parseBoolean('TRUE', 'X'), true);
  assert.equal(parseBoolean('0', 'X'), false);
  assert.throws(
    () => parseBoolean('maybe', 'MARKETBENCH_ADMIN_REMOTE'),
    /MARKETBENCH_ADMIN_REMOTE must be true or false/,
  );
  const fsync = parseOneOf(['always', 'never']);
  assert.equal(fsync('never', 'X'), 'never');
  assert.throws(
    () => fsync('sometimes', 'MARKETBENCH_INGEST_FSYNC'),
    /must be one of always, never, got "sometimes"/,
  );
});

test('the admin token: argument, else MARKETBENCH_ADMIN_TOKEN, else undefined', () => {
  assert.equal(resolveAdminToken(undefined, {}), undefined);
  assert.equal(resolveAdminToken(undefined, { MARKETBENCH_ADMIN_TOKEN: 'env' }), 'env');
  assert.equal(resolveAdminToken('arg', { MARKETBENCH_ADMIN_TOKEN: 'env' }), 'arg');
});

test('readEnv and inCi', () => {
  assert.equal(readEnv('MARKETBENCH_HOME', { MARKETBENCH_HOME: '' }), undefined);
  assert.equal(inCi({ CI: 'true' }), true);
  assert.equal(inCi({ CI: '1' }), true);
  assert.equal(inCi({ CI: 'false' }), false);
  assert.equal(inCi({}), false);
});
