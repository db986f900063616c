// The package entry exposes the programmatic API by name (scripts import `marketbench`
// rather than deep paths), with the documented exit codes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXIT } from '@marketbench/contracts';
import * as cli from 'marketbench';

test('the package entry exports the entry points', () => {
  for (const name of [
    'main',
    'buildProgram',
    'runGate',
    'writeRunReport',
    'startStack',
    'runMainJob',
    'withStore',
  ])
    assert.equal(typeof (cli as Record<string, unknown>)[name], 'function', name);
  assert.deepEqual(EXIT, {
    ok: 0,
    usage: 1,
    runError: 2,
    storeUnavailable: 3,
    inconclusive: 98,
    thresholdsFailed: 99,
    externalAbort: 105,
  });
  const err = new cli.CliError('MB_ERR_USAGE', 'bad flag');
  assert.equal(err.exitCode, 1, 'the exit code comes from the catalog');
  assert.equal(err.code, 'MB_ERR_USAGE');
  assert.equal(new cli.CliError('MB_ERR_PORT_IN_USE', 'taken').exitCode, 2);
});

test('main() returns exit code 1 for an unknown command instead of exiting the process', async () => {
  const write = process.stdout.write;
  const ewrite = process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    assert.equal(await cli.main(['node', 'marketbench', 'no-such-command']), 1);
  } finally {
    process.stdout.write = write;
    process.stderr.write = ewrite;
  }
});
