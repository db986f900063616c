// marketbench's k6 runtime (k6/lib/marketbench.js) run under Node against the real reference
// service, with the k6/http calls bound to a real HTTP client (test/k6/shim): the committed
// checkout-rush script and an exported scenario with feeders, custom metrics, __ENV and expected
// 404s. Checks templates, feeders, checks, captures, metric records, think time, stopOnFailure,
// expected_response and the trace headers, on real responses.

import './shim/register.ts';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { exportK6, k6LibSource } from '../../src/k6/exportK6.ts';
import { K6_DIR } from '../../src/k6/writeBuiltinK6.ts';
import type { ScenarioDefinition } from '../../src/types.ts';
import execution from './shim/execution.ts';
import { type RecordedRequest, recorded, resetRecorded } from './shim/recorder.ts';

const ENV = (globalThis as unknown as { __ENV: Record<string, string> }).__ENV;
let service: { url: string };
let thread: Worker;
let dir: string;

before(async () => {
  thread = new Worker(new URL('./shim/serviceThread.ts', import.meta.url), { workerData: { items: 20_000 } });
  service = await new Promise((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
  });
  ENV.TARGET = service.url;
  ENV.MARKETBENCH_RUN_ID = 'k6-lib-test';
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-k6lib-'));
});
after(async () => {
  if (thread) {
    const closed = new Promise((r) => thread.once('message', r));
    thread.postMessage('close');
    await closed;
    await thread.terminate();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `fn` as iteration `i` of VU `vu`. */
function asVu(vu: number, i: number, fn: () => void): void {
  execution.vu.idInTest = vu;
  execution.vu.iterationInScenario = i;
  execution.scenario.iterationInTest = (vu - 1) * 100 + i;
  fn();
}

const json = (r: RecordedRequest) => JSON.parse(r.responseBody) as Record<string, unknown>;

test('the committed checkout-rush script: captures, idempotent retry, checks, think time and trace context on real answers', async () => {
  resetRecorded();
  const script = await import(pathToFileURL(path.join(K6_DIR, 'checkout-rush.js')).href);
  for (let vu = 1; vu <= 6; vu++) asVu(vu, 0, () => script.run_rush());
  const reqs = recorded.requests;
  assert.ok(reqs.length >= 12, `${reqs.length} requests`);
  const traceIds = new Set<string>();
  for (const r of reqs) {
    assert.ok(r.url.startsWith(service.url), r.url);
    assert.doesNotMatch(`${r.url} ${r.body ?? ''}`, /\{\{/, 'every template rendered');
    const m = /^00-([0-9a-f]{32})-[0-9a-f]{16}-01$/.exec(r.headers.traceparent);
    assert.ok(m, r.headers.traceparent);
    traceIds.add(m[1]);
    assert.equal(r.headers.baggage, `marketbench.run_id=k6-lib-test,marketbench.step=${r.tags.name}`);
  }
  assert.equal(traceIds.size, reqs.length, 'a fresh trace per request');
  // captures: the cart created is the cart filled; the listing viewed is the listing added (a number)
  let carts = 0;
  let retries = 0;
  for (let i = 0; i < reqs.length; i++) {
    const r = reqs[i];
    if (r.tags.name === 'create_cart' && r.status === 201) {
      const add = reqs[i + 1];
      assert.equal(add.tags.name, 'add_to_cart');
      assert.equal(add.url, `${service.url}/carts/${json(r).id}/items`);
      const viewed = reqs[i - 1];
      assert.equal(viewed.tags.name, 'view_item');
      assert.deepEqual(JSON.parse(add.body ?? '{}'), { listingId: json(viewed).id, quantity: 1 });
      assert.match(JSON.parse(r.body ?? '{}').buyerId, /^buyer-\d$/);
      carts++;
    }
    if (r.tags.name === 'checkout_retry') {
      const first = reqs[i - 1];
      assert.equal(first.tags.name, 'checkout');
      assert.equal(r.headers['Idempotency-Key'], first.headers['Idempotency-Key']);
      assert.match(
        r.headers['Idempotency-Key'],
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      if (first.status === 201) assert.equal(json(r).id, json(first).id, 'the retry replays the order');
      retries++;
    }
  }
  assert.ok(carts >= 3, `${carts} carts`);
  // every check of the journeys ran against the real answer
  const viewChecks = recorded.checks.filter((c) => c.name === 'item answers 200');
  assert.equal(viewChecks.length, reqs.filter((r) => r.tags.name === 'view_item').length);
  assert.ok(viewChecks.every((c) => c.pass === true));
  assert.ok(
    recorded.sleeps.length > 0 && recorded.sleeps.every((s) => s >= 0.3 && s <= 2),
    recorded.sleeps.join(),
  );
  assert.ok(retries >= 0);
  // responses the step expects are expected_response:true
  assert.ok(reqs.filter((r) => r.tags.name === 'view_item').every((r) => r.expected === (r.status === 200)));
});

test('an exported scenario: feeders by mode, custom metrics, __ENV, expected 404s and stopOnFailure', async () => {
  resetRecorded();
  const def: ScenarioDefinition = {
    apiVersion: 'marketbench/v1',
    name: 'lib',
    description: 'the k6 runtime under Node',
    options: { scenarios: { main: { executor: 'per-vu-iterations', vus: 3, iterations: 2 } } },
    feeders: {
      users: { mode: 'unique', rows: [{ name: 'ann' }, { name: 'bob' }, { name: 'cy' }] },
      terms: { mode: 'sequential', rows: [{ q: 'dress' }, { q: 'boots' }] },
    },
    metrics: { views: 'counter', view_ok: 'rate', view_ms: 'trend', price: 'gauge' },
    journeys: {
      look: {
        weight: 1,
        steps: [
          {
            name: 'view_item',
            method: 'GET',
            path: '/listings/{{randomInt:1:50}}',
            headers: { 'x-shop': '{{__ENV.SHOP}}' },
            checks: { 'item has an id': { jsonPath: 'id' }, 'item is fast': { maxDurationMs: 60_000 } },
            capture: { itemId: 'id' },
            record: [
              { metric: 'views', value: 1 },
              { metric: 'view_ok', value: 'ok' },
              { metric: 'view_ms', value: 'duration' },
              { metric: 'price', value: 'json:priceCents' },
            ],
            think: '250ms',
          },
          {
            name: 'gone',
            method: 'GET',
            path: '/listings/99999999',
            expectedStatuses: [404],
            checks: { 'gone answers 404': { status: 404 } },
          },
          {
            name: 'search',
            method: 'GET',
            path: '/search?q={{terms.q}}&by={{users.name}}',
          },
          {
            name: 'create_cart',
            method: 'POST',
            path: '/carts',
            body: { buyerId: 'buyer-{{users.name}}' },
            capture: { cartId: 'id' },
          },
          {
            name: 'add_to_cart',
            method: 'POST',
            path: '/carts/{{cartId}}/items',
            body: { listingId: '{{itemId}}', quantity: 1 },
            expectedStatuses: [200, 409, 422],
          },
          { name: 'missing', method: 'GET', path: '/listings/88888888' },
          { name: 'never', method: 'GET', path: '/listings/1' },
        ],
      },
    },
  };
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'lib', 'marketbench.js'), k6LibSource());
  fs.writeFileSync(path.join(dir, 'lib.js'), exportK6(def, { command: 'test', source: 'inline' }));
  ENV.SHOP = 'north pole';
  const script = await import(pathToFileURL(path.join(dir, 'lib.js')).href);
  for (let vu = 1; vu <= 3; vu++) asVu(vu, 0, () => script.run_main());
  const reqs = recorded.requests;
  for (const r of reqs.filter((x) => x.tags.name === 'create_cart' && x.status !== 201))
    assert.fail(`create_cart ${r.status}: ${r.responseBody} (sent ${r.body})`);
  // six steps, the unexpected 404 stops the journey before `never`
  assert.deepEqual(
    reqs.map((r) => r.tags.name),
    Array.from({ length: 3 }, () => [
      'view_item',
      'gone',
      'search',
      'create_cart',
      'add_to_cart',
      'missing',
    ]).flat(),
  );
  const byVu = (name: string) => reqs.filter((r) => r.tags.name === name);
  // unique: VU n keeps row n in every step; sequential: one shared cursor over iterations
  assert.deepEqual(
    byVu('search').map((r) => new URL(r.url).searchParams.get('by')),
    ['ann', 'bob', 'cy'],
  );
  assert.deepEqual(
    byVu('create_cart').map((r) => JSON.parse(r.body ?? '{}').buyerId),
    ['buyer-ann', 'buyer-bob', 'buyer-cy'],
  );
  assert.equal(new URL(byVu('search')[0].url).searchParams.get('q'), 'dress');
  assert.ok(
    byVu('search').every((r) => ['dress', 'boots'].includes(new URL(r.url).searchParams.get('q') ?? '')),
  );
  // __ENV and captures: a body string that is one template keeps the value's type
  assert.ok(byVu('view_item').every((r) => r.headers['x-shop'] === 'north pole'));
  byVu('add_to_cart').forEach((r, i) => {
    assert.equal(r.url, `${service.url}/carts/${json(byVu('create_cart')[i]).id}/items`);
    assert.deepEqual(JSON.parse(r.body ?? '{}'), { listingId: json(byVu('view_item')[i]).id, quantity: 1 });
    assert.equal(r.status, 200, r.responseBody);
  });
  // expected_response: the expected 404 is not a failure, the unexpected one is
  assert.ok(byVu('gone').every((r) => r.status === 404 && r.expected));
  assert.ok(byVu('missing').every((r) => r.status === 404 && !r.expected));
  assert.ok(recorded.checks.filter((c) => c.name === 'gone answers 404').every((c) => c.pass));
  // custom metrics of every type, with the step's tags
  const samples = (metric: string) => recorded.metrics.filter((m) => m.metric === metric);
  assert.deepEqual(
    samples('views').map((m) => [m.type, m.value, m.tags.name]),
    Array.from({ length: 3 }, () => ['counter', 1, 'view_item']),
  );
  assert.ok(samples('view_ok').every((m) => m.type === 'rate' && m.value === true));
  assert.ok(
    samples('view_ms').every((m) => m.type === 'trend' && typeof m.value === 'number' && m.value > 0),
  );
  assert.deepEqual(
    samples('price').map((m) => m.value),
    byVu('view_item').map((r) => json(r).priceCents),
  );
  assert.deepEqual(recorded.sleeps, [0.25, 0.25, 0.25]);
  // a second iteration of VU 2 keeps its unique row and advances the sequential cursor
  resetRecorded();
  execution.scenario.iterationInTest = 1;
  execution.vu.idInTest = 2;
  script.run_main();
  assert.equal(new URL(byVu('search')[0].url).searchParams.get('by'), 'bob');
  assert.equal(new URL(byVu('search')[0].url).searchParams.get('q'), 'boots');
});
