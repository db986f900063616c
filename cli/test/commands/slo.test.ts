// `marketbench slo` spawned as the real command: help, validation exit codes with located
// errors, the generated-files check, and status from a fresh embedded store.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { cleanup, run, tempHome } from './runCli.ts';

after(cleanup);
const testdata = path.resolve(import.meta.dirname, '../../../slo-definitions/testdata');

test('slo --help lists validate, build and status', async () => {
  const r = await run(['slo', '--help'], tempHome());
  assert.equal(r.code, 0);
  for (const sub of ['validate', 'build', 'status']) assert.match(r.stdout, new RegExp(`\\b${sub}\\b`));
});

test('slo validate: the shipped specs are valid (exit 0)', async () => {
  const r = await run(['slo', 'validate'], tempHome());
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /9 SLOs in 2 spec files: valid/);
});

test('slo validate on bad specs exits 1 naming file, field and unknown name', async () => {
  const r = await run(['slo', 'validate', '--specs', testdata], tempHome());
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /in-bad-unknown-names\.yaml: \/spec\/slos\/1\/indicator\/httpAvailability\/routes\/1: unknown route "\/wishlist"/,
  );
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('slo build --check: the committed files are current (exit 0)', async () => {
  const r = await run(['slo', 'build', '--check'], tempHome());
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /generated files up to date/);
});

test('slo status on an empty store: every SLO without data, nothing firing', async () => {
  const r = await run(
    ['slo', 'status', '--slo', 'reference-service-checkout-success', '--time-scale', '60'],
    tempHome(),
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /time scale 60 \(time-compressed/);
  assert.match(r.stdout, /reference-service-checkout-success .* budget remaining no data {2}ok/);
  const bad = await run(['slo', 'status', '--slo', 'nope'], tempHome());
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /MB_ERR_SLO_UNKNOWN_SLO/);
});
