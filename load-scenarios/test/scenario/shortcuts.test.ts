// k6's execution shortcuts and `exec`: options.vus/duration/iterations/stages become one
// `default` scenario as k6 maps them; exec names the journey a scenario runs; -i replaces the
// executors with one shared-iterations; {{__ENV.NAME}} reads -e values.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runScenario } from '../../src/runner/runScenario.ts';
import { applyOverrides } from '../../src/scenario/applyOverrides.ts';
import { validateScenario } from '../../src/scenario/validateScenario.ts';
import type { ScenarioInput } from '../../src/types.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

function input(options: ScenarioInput['options'], journeys?: ScenarioInput['journeys']): ScenarioInput {
  return {
    apiVersion: 'marketbench/v1',
    name: 'shortcuts',
    description: 'test',
    options,
    journeys: journeys ?? { only: { weight: 1, steps: [{ name: 'ping', method: 'GET', path: '/ping' }] } },
  };
}

const executors = (i: ScenarioInput) => validateScenario(i).options.scenarios;

test('vus + duration is constant-vus, iterations is shared-iterations, stages is ramping-vus, as in k6', () => {
  assert.deepEqual(executors(input({ vus: 5, duration: '30s' })), {
    default: { executor: 'constant-vus', vus: 5, duration: '30s' },
  });
  assert.deepEqual(executors(input({ vus: 3, iterations: 12 })), {
    default: { executor: 'shared-iterations', vus: 3, iterations: 12 },
  });
  assert.deepEqual(executors(input({ iterations: 12, duration: '1m' })), {
    default: { executor: 'shared-iterations', vus: 1, iterations: 12, maxDuration: '1m' },
  });
  const stages = [
    { duration: '10s', target: 5 },
    { duration: '5s', target: 0 },
  ];
  assert.deepEqual(executors(input({ vus: 2, stages })), {
    default: { executor: 'ramping-vus', startVUs: 2, stages },
  });
  assert.deepEqual(executors(input({ duration: '10s' })), {
    default: { executor: 'constant-vus', vus: 1, duration: '10s' },
  });
  // no execution option at all: one iteration
  assert.deepEqual(executors(input({})), {
    default: { executor: 'per-vu-iterations', vus: 1, iterations: 1 },
  });
  // the shortcut keys do not survive into the options
  assert.deepEqual(
    Object.keys(validateScenario(input({ vus: 5, duration: '30s', tags: { a: 'b' } })).options),
    ['tags', 'scenarios'],
  );
});

test('shortcuts that k6 refuses together are refused, naming the field', () => {
  const refuses = (options: ScenarioInput['options'], pattern: RegExp) =>
    assert.throws(() => validateScenario(input(options), 's.ts'), pattern);
  refuses(
    { vus: 2, scenarios: { main: { executor: 'constant-vus', vus: 1, duration: '1s' } } },
    /s\.ts: options\.vus: using an execution shortcut \(vus\) and scenarios simultaneously is not allowed/,
  );
  refuses(
    { iterations: 2, stages: [{ duration: '1s', target: 1 }] },
    /options\.stages: iterations and stages/,
  );
  refuses(
    { duration: '1s', stages: [{ duration: '1s', target: 1 }] },
    /options\.duration: duration and stages/,
  );
  refuses({ vus: -1, duration: '1s' }, /options\.vus: must be >= 0/);
  refuses(
    { vus: 1, duration: '1s', thresholds: { 'http_reqs{url:/x}': ['count>1'] } },
    /options\.thresholds\["http_reqs\{url:\/x\}"\]: samples carry no url tag/,
  );
  refuses({ vus: 2, duration: 'soon' }, /options\.scenarios\.default\.duration: "soon" is not a duration/);
});

test('exec names the journey a scenario runs; an unknown or contradicting exec is refused', () => {
  const journeys = {
    a: { weight: 1, steps: [{ name: 'a', method: 'GET' as const, path: '/a' }] },
    b: { weight: 1, steps: [{ name: 'b', method: 'GET' as const, path: '/b' }] },
  };
  const def = validateScenario(
    input(
      { scenarios: { only_b: { executor: 'shared-iterations', vus: 1, iterations: 1, exec: 'b' } } },
      journeys,
    ),
  );
  assert.deepEqual(def.options.scenarios.only_b.journeys, ['b']);
  assert.throws(
    () =>
      validateScenario(
        input(
          { scenarios: { x: { executor: 'shared-iterations', vus: 1, iterations: 1, exec: 'c' } } },
          journeys,
        ),
      ),
    /options\.scenarios\.x\.exec: journey "c" is not defined/,
  );
  assert.throws(
    () =>
      validateScenario(
        input(
          {
            scenarios: {
              x: { executor: 'shared-iterations', vus: 1, iterations: 1, exec: 'a', journeys: ['b'] },
            },
          },
          journeys,
        ),
      ),
    /exec and journeys name different journeys/,
  );
});

test('-i replaces the executors with one shared-iterations over every journey (with -u VUs and -d as maxDuration)', () => {
  const def = validateScenario(
    input({
      scenarios: {
        open: { executor: 'constant-arrival-rate', rate: 10, duration: '1m', preAllocatedVUs: 5 },
      },
    }),
  );
  assert.deepEqual(applyOverrides(def, { iterations: 7, vus: 2, duration: '5s' }).options.scenarios, {
    default: { executor: 'shared-iterations', vus: 2, iterations: 7, maxDuration: '5s' },
  });
});

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

test('a shortcut scenario runs as k6 would: iterations shared by the VUs; exec picks the journey; __ENV templates', async () => {
  process.env.MB_TEST_SHOP = 'shop 7';
  try {
    const r = await runScenario(
      input(
        { vus: 2, iterations: 9 },
        {
          a: { weight: 1, steps: [{ name: 'a', method: 'GET', path: '/a/{{__ENV.MB_TEST_SHOP}}' }] },
        },
      ),
      { target: server.url },
    );
    assert.equal(r.totals.iterations, 9);
    assert.equal(server.seen.length, 9);
    assert.ok(
      server.seen.every((s) => s.path === '/a/shop%207'),
      server.seen[0]?.path,
    );
  } finally {
    delete process.env.MB_TEST_SHOP;
  }
  await assert.rejects(
    runScenario(
      input(
        { iterations: 1 },
        { a: { weight: 1, steps: [{ name: 'a', method: 'GET', path: '/{{__ENV.MB_TEST_UNSET}}' }] } },
      ),
      {
        target: server.url,
      },
    ),
    /template \{\{__ENV\.MB_TEST_UNSET\}\}: MB_TEST_UNSET is not set \(marketbench run -e MB_TEST_UNSET=\.\.\. or the environment\)/,
  );
});
