import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineCatalog } from '../../src/errors/defineCatalog.ts';
import { EXIT } from '../../src/errors/exitCodes.ts';
import { isMarketbenchError, MarketbenchError } from '../../src/errors/MarketbenchError.ts';

const CATALOG = defineCatalog({
  MB_ERR_THING_MISSING: { exit: EXIT.usage, description: 'The thing is missing.' },
  MB_ERR_THING_BUSY: { exit: EXIT.runError, status: 503, description: 'The thing is busy.' },
});

test('a catalog lists its codes in order and creates errors carrying exit code, status and cause', () => {
  assert.deepEqual(CATALOG.codes, ['MB_ERR_THING_MISSING', 'MB_ERR_THING_BUSY']);
  assert.ok(CATALOG.has('MB_ERR_THING_BUSY'));
  assert.ok(!CATALOG.has('MB_ERR_OTHER'));
  const cause = new Error('socket hang up');
  const e = CATALOG.create('MB_ERR_THING_BUSY', 'the thing at :8080 is busy', { cause });
  assert.ok(e instanceof MarketbenchError && e instanceof Error);
  assert.equal(e.code, 'MB_ERR_THING_BUSY');
  assert.equal(e.exitCode, 2);
  assert.equal(e.status, 503);
  assert.equal(e.cause, cause);
  assert.equal(e.message, 'the thing at :8080 is busy');
  assert.ok(isMarketbenchError(e, 'MB_ERR_THING_BUSY'));
  assert.ok(!isMarketbenchError(e, 'MB_ERR_THING_MISSING'));
  assert.ok(!isMarketbenchError(new Error('plain')));
  assert.equal(CATALOG.create('MB_ERR_THING_MISSING', 'x').status, undefined);
});

test('a package error class extends the base and keeps its own fields', () => {
  class ThingError extends MarketbenchError {
    readonly file: string;
    constructor(code: (typeof CATALOG.codes)[number], message: string, file: string) {
      super(code, `${file}: ${message}`, CATALOG.spec(code));
      this.name = 'ThingError';
      this.file = file;
    }
  }
  const e = new ThingError('MB_ERR_THING_MISSING', 'no thing', 'a.yaml');
  assert.ok(isMarketbenchError(e));
  assert.equal(e.exitCode, 1);
  assert.equal(e.message, 'a.yaml: no thing');
});

test('a malformed catalog fails at load', () => {
  assert.throws(() => defineCatalog({ ERR_X: { exit: 1, description: 'x' } }), /not MB_ERR_/);
  assert.throws(
    // @ts-expect-error 7 is not an exit code of the table
    () => defineCatalog({ MB_ERR_X: { exit: 7, description: 'x' } }),
    /exit 7 is not in the EXIT table/,
  );
  assert.throws(
    () => defineCatalog({ MB_ERR_X: { exit: 1, status: 200, description: 'x' } }),
    /status 200 is not an HTTP error/,
  );
  assert.throws(() => defineCatalog({ MB_ERR_X: { exit: 1, description: ' ' } }), /empty description/);
});
