import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSpecFile } from '../../src/pipeline/compileSpec.ts';
import { loadSpecs } from '../../src/spec/loadSpecs.ts';
import { baseSlo, baseSpecFile } from '../factories.ts';

test('a compiled SLO has an id, a float-clean budget, default windows and an alert name', () => {
  const [slo] = compileSpecFile(baseSpecFile([baseSlo({ objectives: [{ target: 0.999 }] })]), 'shop.yaml');
  assert.equal(slo.id, 'shop-checkout-success');
  assert.equal(slo.errorBudget, 0.001);
  assert.equal(slo.alertName, 'CheckoutSuccessBudgetBurn');
  assert.deepEqual(
    slo.windows.map((w) => w.burnRate),
    [14.4, 6, 3, 1],
  );
});

test('every error of a file is reported at once', () => {
  const spec = baseSpecFile([
    baseSlo({ indicator: { httpAvailability: { routeGroup: 'nope' } } }),
    baseSlo({
      name: 'other',
      alerting: { windows: [{ severity: 'page', long: '5m', short: '5m', burnRate: 1 }] },
    }),
  ]);
  assert.throws(
    () => compileSpecFile(spec, 'shop.yaml'),
    (err: Error & { errors: { code: string }[] }) =>
      err.errors.map((e) => e.code).join() === 'MB_ERR_SLO_UNKNOWN_NAME,MB_ERR_SLO_BAD_WINDOW',
  );
});

test('the shipped specs compile: the reference service and the ingest', () => {
  const slos = loadSpecs();
  assert.deepEqual(
    slos.map((s) => s.id),
    [
      'ingest-freshness',
      'reference-service-browse-availability',
      'reference-service-search-availability',
      'reference-service-item-availability',
      'reference-service-item-latency',
      'reference-service-search-latency',
      'reference-service-checkout-success',
      'reference-service-checkout-latency',
      'reference-service-psp-authorization-success',
    ],
  );
  for (const s of slos) assert.ok(s.description.length > 10, s.id);
});
