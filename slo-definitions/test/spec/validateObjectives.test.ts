import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { OBJECTIVES } from '@marketbench/contracts';
import YAML from 'yaml';
import { loadSpecFiles } from '../../src/spec/loadSpecs.ts';
import { validateObjectives } from '../../src/spec/validateObjectives.ts';
import { baseSlo, baseSpecFile } from '../factories.ts';

const itemLatency = (threshold: string, target = 0.99) =>
  baseSlo({
    name: 'item-latency',
    indicator: { httpLatency: { routeGroup: 'item', threshold } },
    objectives: [{ target }],
  });

test('the shipped objectives pass: checkout-success at 99%, item-latency at 250 ms', () => {
  assert.deepEqual(validateObjectives(baseSpecFile([baseSlo(), itemLatency('250ms')]), 'shop.yaml'), []);
});

test('an SLO that drifts from its objective is refused, naming the field and where to change it', () => {
  const errors = validateObjectives(baseSpecFile([baseSlo(), itemLatency('500ms')]), 'shop.yaml');
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'MB_ERR_SLO_OBJECTIVE_MISMATCH');
  assert.equal(errors[0].exitCode, 1);
  assert.match(errors[0].message, /^shop\.yaml: \/spec\/slos\/1: SLO item-latency: threshold 500 ms differs/);
  assert.match(errors[0].message, /OBJECTIVES in contracts\/src\/objectives\.ts/);
  const target = validateObjectives(baseSpecFile([baseSlo({ objectives: [{ target: 0.95 }] })]), 'a.yaml');
  assert.match(target[0].message, /target 0\.95 differs from the objective's 0\.99/);
  const group = validateObjectives(
    baseSpecFile([baseSlo({ indicator: { httpAvailability: { routeGroup: 'browse' } } })]),
    'a.yaml',
  );
  assert.match(group[0].message, /route group browse differs from the objective's checkout/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-objectives-'));
  const file = path.join(dir, 'shop.yaml');
  fs.writeFileSync(file, YAML.stringify(baseSpecFile([itemLatency('500ms')])));
  assert.throws(
    () => loadSpecFiles([file], dir),
    /shop\.yaml: \/spec\/slos\/0: SLO item-latency: .*\[MB_ERR_SLO_OBJECTIVE_MISMATCH\]/,
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test("another service's SLO of the same name is its own business", () => {
  const spec = baseSpecFile([itemLatency('500ms', 0.9)]);
  spec.spec.service = 'marketbench-ingest';
  assert.deepEqual(validateObjectives(spec, 'other.yaml'), []);
});

test('the objectives are the ones the shipped reference-service spec states', async () => {
  const { loadSpecs } = await import('../../src/index.ts');
  const slos = loadSpecs();
  for (const o of Object.values(OBJECTIVES)) {
    const slo = slos.find((s) => s.name === o.slo && s.service === 'marketbench-reference-service');
    assert.ok(slo, `${o.slo} is in specs/`);
    assert.equal(slo.target, o.target, o.slo);
  }
});
