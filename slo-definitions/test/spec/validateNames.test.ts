import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateNames } from '../../src/spec/validateNames.ts';
import { baseSlo, baseSpecFile } from '../factories.ts';

test('a spec naming only table names is clean', () => {
  assert.deepEqual(validateNames(baseSpecFile(), 'x.yaml'), []);
});

test('an unknown route fails with the file, the field path and the name', () => {
  const spec = baseSpecFile([
    baseSlo({ indicator: { httpAvailability: { routes: ['/checkout', '/wishlist'] } } }),
  ]);
  const [err, ...rest] = validateNames(spec, 'specs/shop.yaml');
  assert.equal(rest.length, 0);
  assert.equal(err.code, 'MB_ERR_SLO_UNKNOWN_NAME');
  assert.equal(err.file, 'specs/shop.yaml');
  assert.equal(err.path, '/spec/slos/0/indicator/httpAvailability/routes/1');
  assert.match(
    err.message,
    /^specs\/shop\.yaml: \/spec\/slos\/0\/indicator\/httpAvailability\/routes\/1: unknown route "\/wishlist"/,
  );
});

test("unknown route group, metric and label of marketbench's own service are each reported", () => {
  const spec = baseSpecFile([
    baseSlo({ indicator: { httpLatency: { routeGroup: 'itemz', threshold: '300ms' } } }),
    baseSlo({
      name: 'psp',
      indicator: {
        counterRatio: { metric: 'psp_total', selector: { op: 'x' }, badWhen: { outcome: ['error'] } },
      },
    }),
  ]);
  assert.deepEqual(
    validateNames(spec, 'x.yaml').map((e) => e.path),
    [
      '/spec/slos/0/indicator/httpLatency/routeGroup',
      '/spec/slos/1/indicator/counterRatio/metric',
      '/spec/slos/1/indicator/counterRatio/selector/op',
    ],
  );
});

test("another service's spec is open: its own routes, metrics and labels pass, route groups do not", () => {
  const spec = baseSpecFile([
    baseSlo({ indicator: { httpAvailability: { routes: ['/widgets/:id'] } } }),
    baseSlo({
      name: 'jobs',
      indicator: {
        counterRatio: { metric: 'my_jobs_total', selector: { queue: 'x' }, badWhen: { outcome: ['failed'] } },
      },
    }),
    baseSlo({ name: 'browse', indicator: { httpAvailability: { routeGroup: 'browse' } } }),
  ]);
  spec.spec.service = 'shop';
  const errors = validateNames(spec, 'x.yaml');
  assert.deepEqual(
    errors.map((e) => e.path),
    ['/spec/slos/2/indicator/httpAvailability/routeGroup'],
  );
  assert.match(errors[0].message, /route groups are marketbench's own \(service shop is not\)/);
});

test('two SLOs with one name are MB_ERR_SLO_DUPLICATE', () => {
  const errs = validateNames(baseSpecFile([baseSlo(), baseSlo()]), 'x.yaml');
  assert.deepEqual(
    errs.map((e) => [e.code, e.path]),
    [['MB_ERR_SLO_DUPLICATE', '/spec/slos/1/name']],
  );
});
