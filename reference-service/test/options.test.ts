import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { isMarketbenchError } from '@marketbench/contracts';
import { DEFAULT_OPTIONS, resolveServiceOptions } from '../src/options.ts';

test("a variable that is not a plain number is contracts' MB_ERR_USAGE naming it", () => {
  for (const [name, value] of [
    ['MARKETBENCH_ITEMS', '5_000_000'],
    ['MARKETBENCH_PORT', '8_080'],
    ['PORT', 'http'],
    ['MARKETBENCH_FEE_BPS', '10%'],
    ['MARKETBENCH_RESERVATION_TTL_MS', 'soon'],
    ['MARKETBENCH_ADMIN_REMOTE', 'maybe'],
  ]) {
    assert.throws(
      () => resolveServiceOptions({}, { [name]: value }),
      (err: unknown) =>
        isMarketbenchError(err, 'MB_ERR_USAGE') &&
        err.message.startsWith(`${name} must be`) &&
        err.message.endsWith(`got "${value}"`),
      `${name}=${value}`,
    );
  }
  assert.equal(resolveServiceOptions({}, { MARKETBENCH_RESERVATION_TTL_MS: '2m' }).reservationTtlMs, 120_000);
  assert.equal(resolveServiceOptions({}, { MARKETBENCH_ADMIN_REMOTE: 'true' }).adminRemote, true);
});

test('argument beats environment beats default', () => {
  const env = {
    MARKETBENCH_PORT: '9090',
    MARKETBENCH_ITEMS: '5000000',
    DATABASE_URL: 'postgres://x/y',
    MARKETBENCH_PSP_HEDGE_MS: '150',
  };
  const fromEnv = resolveServiceOptions({}, env);
  assert.equal(fromEnv.port, 9090);
  assert.equal(fromEnv.items, 5_000_000);
  assert.equal(fromEnv.databaseUrl, 'postgres://x/y');
  assert.equal(fromEnv.payment.hedgeAfterMs, 150);
  assert.equal(fromEnv.payment.maxAttempts, DEFAULT_OPTIONS.payment.maxAttempts);
  const fromArgs = resolveServiceOptions(
    { port: 1234, items: 10, payment: { breaker: { failureThreshold: 2 } } as never },
    env,
  );
  assert.equal(fromArgs.port, 1234);
  assert.equal(fromArgs.items, 10);
  assert.equal(fromArgs.payment.breaker.failureThreshold, 2);
  assert.equal(fromArgs.payment.breaker.openMs, DEFAULT_OPTIONS.payment.breaker.openMs);
  const defaults = resolveServiceOptions({}, {});
  assert.equal(defaults.port, DEFAULT_OPTIONS.port);
  assert.equal(defaults.items, 100_000);
  assert.equal(defaults.sqlitePath, path.join('.marketbench', 'reference-service.sqlite'));
  assert.equal(
    resolveServiceOptions({}, { MARKETBENCH_HOME: '/tmp/mbh' }).sqlitePath,
    '/tmp/mbh/reference-service.sqlite',
  );
  assert.match(defaults.adminToken, /^[A-Za-z0-9_-]{24}$/, 'a random token when none is configured');
  assert.notEqual(resolveServiceOptions({}, {}).adminToken, defaults.adminToken);
  assert.equal(resolveServiceOptions({}, { PORT: '3000' }).port, 3000);
  assert.equal(resolveServiceOptions({}, { PORT: '3000', MARKETBENCH_PORT: '4000' }).port, 4000);
  assert.equal(
    resolveServiceOptions({}, { HOST: 'my-laptop' }).host,
    '127.0.0.1',
    'a shell HOST never widens the bind',
  );
  assert.throws(
    () => resolveServiceOptions({}, { MARKETBENCH_PORT: 'eighty' }),
    /MARKETBENCH_PORT must be a port number from 0 to 65535, got "eighty"/,
  );
  assert.throws(() => resolveServiceOptions({ items: 0 }, {}), /items must be a positive integer/);
});
