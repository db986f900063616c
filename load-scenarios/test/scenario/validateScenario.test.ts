import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScenarioError, type ScenarioErrorCode } from '../../src/errors.ts';
import { validateScenario } from '../../src/scenario/validateScenario.ts';
import type { ScenarioDefinition } from '../../src/types.ts';
import { baseScenario } from '../support/scenarios.ts';

function valid(): ScenarioDefinition {
  return baseScenario(
    { executor: 'constant-arrival-rate', rate: 10, duration: '10s', preAllocatedVUs: 5, maxVUs: 10 },
    {
      options: {
        scenarios: {
          main: {
            executor: 'constant-arrival-rate',
            rate: 10,
            duration: '10s',
            preAllocatedVUs: 5,
            maxVUs: 10,
          },
        },
        thresholds: { 'http_req_duration{name:ping}': ['p(99)<300'], orders: ['count>0'] },
      },
      metrics: { orders: 'counter' },
    },
  );
}

function expectError(
  mutate: (d: ScenarioDefinition & Record<string, unknown>) => void,
  code: ScenarioErrorCode,
  field: string,
): void {
  const d = structuredClone(valid()) as ScenarioDefinition & Record<string, unknown>;
  mutate(d);
  assert.throws(
    () => validateScenario(d, 'scenarios/my-scenario.ts'),
    (err: unknown) => {
      assert.ok(err instanceof ScenarioError, String(err));
      assert.equal(err.code, code, err.message);
      assert.equal(err.field, field);
      assert.ok(err.message.startsWith(`scenarios/my-scenario.ts: ${field}: `), err.message);
      return true;
    },
  );
}

// biome-ignore lint/suspicious/noExplicitAny: tests poke at invalid shapes on purpose
type Any = any;

describe('validateScenario', () => {
  it('accepts a valid scenario', () => {
    assert.equal(validateScenario(valid()).name, 'test');
  });

  it('rejects an unknown executor, naming the field and the file', () => {
    expectError(
      (d) => ((d.options.scenarios.main as Any).executor = 'constant-arival-rate'),
      'MB_ERR_SCENARIO_EXECUTOR',
      'options.scenarios.main.executor',
    );
  });
  it('rejects a negative rate', () => {
    expectError(
      (d) => ((d.options.scenarios.main as Any).rate = -5),
      'MB_ERR_SCENARIO_NUMBER',
      'options.scenarios.main.rate',
    );
  });
  it('rejects maxVUs below preAllocatedVUs', () => {
    expectError(
      (d) => ((d.options.scenarios.main as Any).maxVUs = 2),
      'MB_ERR_SCENARIO_NUMBER',
      'options.scenarios.main.maxVUs',
    );
  });
  it('rejects a bad duration', () => {
    expectError(
      (d) => ((d.options.scenarios.main as Any).duration = '10 seconds'),
      'MB_ERR_SCENARIO_DURATION',
      'options.scenarios.main.duration',
    );
  });
  it('rejects a bad threshold expression', () => {
    expectError(
      (d) => ((d.options.thresholds as Any)['http_req_duration{name:ping}'] = ['p99<300']),
      'MB_ERR_SCENARIO_THRESHOLD',
      'options.thresholds["http_req_duration{name:ping}"][0]',
    );
  });
  it('rejects an aggregation the metric type lacks', () => {
    expectError(
      (d) => ((d.options.thresholds as Any).http_req_failed = ['p(99)<1']),
      'MB_ERR_SCENARIO_THRESHOLD',
      'options.thresholds["http_req_failed"][0]',
    );
  });
  it('rejects a threshold on an unknown metric', () => {
    expectError(
      (d) => ((d.options.thresholds as Any).http_req_duratoin = ['p(99)<1']),
      'MB_ERR_SCENARIO_METRIC',
      'options.thresholds["http_req_duratoin"]',
    );
  });
  it('rejects a journey reference and an unknown template', () => {
    expectError(
      (d) => ((d.options.scenarios.main as Any).journeys = ['nope']),
      'MB_ERR_SCENARIO_REFERENCE',
      'options.scenarios.main.journeys',
    );
    expectError(
      (d) => (d.journeys.only.steps[0].path = '/carts/{{cartId}}'),
      'MB_ERR_SCENARIO_REFERENCE',
      'journeys.only.steps[0]',
    );
    expectError(
      (d) => (d.journeys.only.steps[0].path = '/x/{{listings.id}}'),
      'MB_ERR_SCENARIO_REFERENCE',
      'journeys.only.steps[0]',
    );
  });
  it('accepts a template captured by an earlier step', () => {
    const d = valid();
    d.journeys.only.steps = [
      { name: 'a', method: 'POST', path: '/carts', capture: { cartId: 'id' } },
      { name: 'b', method: 'GET', path: '/carts/{{cartId}}', headers: { 'Idempotency-Key': '{{uuid:k}}' } },
    ];
    assert.doesNotThrow(() => validateScenario(d));
  });
  it('rejects a missing field and a bad method', () => {
    expectError((d) => delete (d as Any).description, 'MB_ERR_SCENARIO_FIELD', 'description');
    expectError(
      (d) => ((d.journeys.only.steps[0] as Any).method = 'FETCH'),
      'MB_ERR_SCENARIO_FIELD',
      'journeys.only.steps[0].method',
    );
  });
  it('rejects a unique feeder with fewer rows than VUs', () => {
    expectError(
      (d) => (d.feeders = { users: { rows: [{ u: 'a' }], mode: 'unique' } }),
      'MB_ERR_SCENARIO_FEEDER',
      'feeders.users',
    );
  });
  it('rejects a fault on an unknown dependency', () => {
    expectError(
      (d) => (d.faults = [{ at: '1s', dependency: 'dns' as Any, action: 'set', spec: {} }]),
      'MB_ERR_SCENARIO_FIELD',
      'faults[0].dependency',
    );
  });
});
