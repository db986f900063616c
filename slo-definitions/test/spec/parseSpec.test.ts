import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { SloValidationError } from '../../src/errors.ts';
import { parseSpec } from '../../src/spec/parseSpec.ts';
import { baseSlo, baseSpecFile } from '../factories.ts';

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SloValidationError);
    return err.errors.map((e) => `${e.code} ${e.path ?? ''}`);
  }
  assert.fail('expected a validation error');
}

test('a valid spec parses to the same object', () => {
  const spec = baseSpecFile();
  assert.deepEqual(parseSpec(stringify(spec), 'x.yaml'), spec);
});

test('schema errors carry the JSON pointer of the field', () => {
  const noDescription = baseSpecFile([{ ...baseSlo(), description: undefined as unknown as string }]);
  assert.deepEqual(
    errorsOf(() => parseSpec(stringify(noDescription), 'x.yaml')),
    ['MB_ERR_SLO_SPEC_SCHEMA /spec/slos/0'],
  );
  const percent = baseSpecFile([baseSlo({ objectives: [{ target: 99.9 }] })]);
  assert.deepEqual(
    errorsOf(() => parseSpec(stringify(percent), 'x.yaml')),
    ['MB_ERR_SLO_SPEC_SCHEMA /spec/slos/0/objectives/0/target'],
  );
  const extra = { ...baseSpecFile(), extra: 1 };
  assert.deepEqual(
    errorsOf(() => parseSpec(stringify(extra), 'x.yaml')),
    ['MB_ERR_SLO_SPEC_SCHEMA /'],
  );
});

test('an indicator must name routes, and only one SLI kind', () => {
  const none = baseSpecFile([baseSlo({ indicator: { httpAvailability: {} } })]);
  assert.ok(
    errorsOf(() => parseSpec(stringify(none), 'x.yaml')).includes(
      'MB_ERR_SLO_SPEC_SCHEMA /spec/slos/0/indicator/httpAvailability',
    ),
  );
  const two = baseSpecFile([
    baseSlo({
      indicator: { httpAvailability: { routeGroup: 'item' }, freshness: { metric: 'x', maxAge: '1s' } },
    }),
  ]);
  assert.deepEqual(
    errorsOf(() => parseSpec(stringify(two), 'x.yaml')),
    ['MB_ERR_SLO_SPEC_SCHEMA /spec/slos/0/indicator'],
  );
});

test('YAML syntax errors are MB_ERR_SLO_SPEC_PARSE with the file name', () => {
  assert.throws(
    () => parseSpec('kind: [x\n', 'broken.yaml'),
    (err: SloValidationError) =>
      err.errors[0].code === 'MB_ERR_SLO_SPEC_PARSE' && err.message.startsWith('broken.yaml: '),
  );
});
