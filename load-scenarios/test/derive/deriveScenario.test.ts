// scenario derive on real chDB: spans of a service that is not ours (OpenAPI-style `{id}` routes,
// `url.query`, body sizes, sessions), written as the collector exporter writes them, become a
// scenario file that loads and validates, whose rates, route weights and feeder shares are the
// recorded ones.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '@marketbench/telemetry-store';
import { compareProfiles } from '../../src/derive/compareProfiles.ts';
import { deriveScenario } from '../../src/derive/deriveScenario.ts';
import { readTrafficProfile } from '../../src/derive/readTrafficProfile.ts';
import { renderScenario } from '../../src/derive/renderScenario.ts';
import { routeKey } from '../../src/derive/TrafficProfile.ts';
import { loadScenario } from '../../src/scenario/loadScenario.ts';
import type { FeederSpec, ScenarioDefinition } from '../../src/types.ts';

const T0 = Date.UTC(2026, 10, 3, 9, 0, 0);
const MINUTES = 10;
const SERVICE = 'shop-api';

interface SpanSpec {
  ms: number;
  service?: string;
  environment?: string;
  method: string;
  route: string;
  path: string;
  status: number;
  query?: string;
  bodySize?: number;
  session?: string;
}

function spanRow(s: SpanSpec, i: number) {
  const attrs: Record<string, string> = {
    'http.request.method': s.method,
    'http.route': s.route,
    'url.path': s.path,
    'http.response.status_code': String(s.status),
  };
  if (s.query !== undefined) attrs['url.query'] = s.query;
  if (s.bodySize !== undefined) attrs['http.request.body.size'] = String(s.bodySize);
  if (s.session !== undefined) attrs['session.id'] = s.session;
  const ns = BigInt(s.ms) * 1_000_000n;
  return {
    Timestamp: `${new Date(s.ms).toISOString().replace('T', ' ').replace('Z', '')}`,
    TraceId: i.toString(16).padStart(32, '0'),
    SpanId: i.toString(16).padStart(16, '0'),
    SpanName: `${s.method} ${s.route}`,
    SpanKind: 'Server',
    ServiceName: s.service ?? SERVICE,
    ResourceAttributes: {
      'service.name': s.service ?? SERVICE,
      'deployment.environment.name': s.environment ?? 'prod',
    },
    SpanAttributes: attrs,
    Duration: String(ns > 0n ? 3_000_000 : 0),
    StatusCode: s.status >= 500 ? 'Error' : 'Unset',
  };
}

/** Requests in minute i: 100 + 50 i. Route by j % 10; item ids skewed to the small ones. */
function independentTraffic(): SpanSpec[] {
  const spans: SpanSpec[] = [];
  for (let m = 0; m < MINUTES; m++) {
    const n = 100 + 50 * m;
    for (let j = 0; j < n; j++) {
      const ms = T0 + m * 60_000 + Math.floor((j * 60_000) / n);
      const k = j % 10;
      if (k < 5) {
        const id = String(1 + (((j * 7919) % 97) % (1 + (j % 13))));
        spans.push({
          ms,
          method: 'GET',
          route: '/items/{id}',
          path: `/items/${id}`,
          status: j % 20 === 0 ? 404 : 200,
        });
      } else if (k < 8) {
        const query = k === 7 ? undefined : j % 3 === 0 ? 'q=red%20dress&limit=20' : 'q=boots&limit=20';
        spans.push({
          ms,
          method: 'GET',
          route: '/search',
          path: '/search',
          status: j % 100 === 5 ? 503 : 200,
          query,
        });
      } else if (k === 8) {
        spans.push({
          ms,
          method: 'POST',
          route: '/orders',
          path: '/orders',
          status: j % 4 === 0 ? 409 : 201,
          bodySize: 512,
        });
      } else {
        spans.push({ ms, method: 'GET', route: '', path: '/favicon.ico', status: 404 });
      }
    }
  }
  return spans;
}

let home: string;
let store: Store;

async function insert(spans: SpanSpec[], offset = 0): Promise<void> {
  await store.insert(
    'otel_traces',
    spans.map((s, i) => spanRow(s, offset + i)),
  );
}

before(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'mb-derive-'));
  store = await openStore({ home });
  await insert(independentTraffic());
  // Noise that the selection must leave out: another service, another environment, outside the window.
  await insert(
    [
      { ms: T0 + 1000, service: 'other-api', method: 'GET', route: '/x', path: '/x', status: 200 },
      {
        ms: T0 + 2000,
        environment: 'staging',
        method: 'GET',
        route: '/items/{id}',
        path: '/items/1',
        status: 200,
      },
      { ms: T0 - 1000, method: 'GET', route: '/items/{id}', path: '/items/1', status: 200 },
      { ms: T0 + MINUTES * 60_000, method: 'GET', route: '/items/{id}', path: '/items/1', status: 200 },
    ],
    1_000_000,
  );
});

after(async () => {
  await store?.close();
  rmSync(home, { recursive: true, force: true });
});

const selection = { service: SERVICE, fromMs: T0, toMs: T0 + MINUTES * 60_000, environment: 'prod' };

async function writeAndLoad(source: string, name: string): Promise<ScenarioDefinition> {
  const file = path.join(home, `${name}.ts`);
  writeFileSync(file, source);
  return (await loadScenario(file)).definition;
}

/** Share of each value of `column` among a random feeder's rows. */
function shares(feeder: FeederSpec, column: string): Map<string, number> {
  const rows = feeder.rows ?? [];
  const out = new Map<string, number>();
  for (const r of rows) out.set(String(r[column]), (out.get(String(r[column])) ?? 0) + 1 / rows.length);
  return out;
}

describe('readTrafficProfile', () => {
  test('counts the window exactly: per minute, per route, per status; other services and environments are left out', async () => {
    const p = await readTrafficProfile(store, selection);
    const expected = independentTraffic();
    assert.equal(p.spans, expected.length);
    assert.deepEqual(
      p.buckets,
      Array.from({ length: MINUTES }, (_, m) => 100 + 50 * m),
    );
    const items = p.routes.find((r) => r.route === '/items/{id}');
    assert.ok(items);
    assert.equal(items.requests, expected.filter((s) => s.route === '/items/{id}').length);
    assert.equal(
      items.statuses['404'],
      expected.filter((s) => s.route === '/items/{id}' && s.status === 404).length,
    );
    const orders = p.routes.find((r) => r.route === '/orders');
    assert.equal(orders?.bodyBytes, 512);
    const search = p.routes.find((r) => r.route === '/search');
    assert.equal(search?.withQuery, expected.filter((s) => s.route === '/search' && s.query).length);
    assert.equal(p.sessions, undefined);
  });

  test('a sample reads a bounded share of the spans and keeps the counts exact', async () => {
    const p = await readTrafficProfile(store, selection, { sampleSpans: 1000 });
    assert.ok(p.sampleFraction < 0.5, `fraction ${p.sampleFraction}`);
    assert.equal(p.spans, independentTraffic().length);
    const items = p.routes.find((r) => r.route === '/items/{id}');
    assert.ok(items && items.sampled > 0 && items.sampled < items.requests);
  });
});

describe('deriveScenario + renderScenario', () => {
  test('the file loads and validates; its rates, weights and feeders are the recorded ones', async () => {
    const p = await readTrafficProfile(store, selection);
    const d = deriveScenario(p, { name: 'shop-derived', speedup: 60 });
    const def = await writeAndLoad(
      renderScenario(d, 'marketbench scenario derive --service shop-api'),
      'shop',
    );
    assert.equal(def.name, 'shop-derived');
    assert.equal(def.options.timeScale, 60);
    // One executor per journey (route and query shape); together they send each bucket's recorded rate.
    const execs = Object.values(def.options.scenarios);
    assert.equal(execs.length, Object.keys(def.journeys).length);
    const perBucket = new Array<number>(MINUTES).fill(0);
    for (const exec of execs) {
      assert.equal(exec.executor, 'ramping-arrival-rate');
      if (exec.executor !== 'ramping-arrival-rate') return;
      assert.equal(exec.journeys?.length, 1);
      const holds = exec.stages.filter((st) => st.duration !== '0s');
      assert.equal(holds.length, MINUTES);
      assert.equal(exec.startRate, holds[0].target);
      holds.forEach((st, m) => {
        assert.equal(st.duration, '1000ms');
        perBucket[m] += st.target;
      });
    }
    // Bucket m holds (100 + 50 m) requests in 60 s, compressed to 1 s each: the rate per second is unchanged.
    perBucket.forEach((rate, m) => {
      assert.ok(Math.abs(rate - (100 + 50 * m) / 60) < 0.01, `bucket ${m}: ${rate}`);
    });
    // Each route keeps its own rate: the /orders executor sends a tenth of every bucket.
    const orders = def.options.scenarios.post_orders;
    assert.ok(orders?.executor === 'ramping-arrival-rate');
    if (orders?.executor === 'ramping-arrival-rate') {
      const expected = independentTraffic();
      orders.stages
        .filter((st) => st.duration !== '0s')
        .forEach((st, m) => {
          const n = expected.filter(
            (x) => x.route === '/orders' && x.ms >= T0 + m * 60_000 && x.ms < T0 + (m + 1) * 60_000,
          ).length;
          assert.ok(Math.abs(st.target - n / 60) < 0.001, `orders bucket ${m}: ${st.target} vs ${n / 60}`);
        });
    }
    // Journey weights = requests per route (and query shape): the route mix is the recorded one.
    const weightOf = (route: string) =>
      Object.values(def.journeys)
        .filter((j) => j.steps[0].path.split('?')[0].replace(/\{\{[^}]+\}\}/, '{id}') === route)
        .reduce((s, j) => s + j.weight, 0);
    for (const r of p.routes.filter((x) => x.route !== '')) {
      assert.ok(
        Math.abs(weightOf(r.route) - r.requests) < 0.01,
        `${r.route}: ${weightOf(r.route)} vs ${r.requests}`,
      );
    }
    // Query shapes: two thirds of /search had q & limit, one third none.
    const search = Object.values(def.journeys).filter((j) => j.steps[0].path.startsWith('/search'));
    const withQuery = search.find((j) => j.steps[0].path.includes('?'));
    assert.ok(withQuery);
    assert.match(withQuery.steps[0].path, /^\/search\?q=\{\{\w+\.\w+\}\}&limit=\{\{\w+\.\w+\}\}$/);
    // The id feeder reproduces the observed popularity of ids (to the feeder's 1/2000 resolution).
    const items = p.routes.find((r) => r.route === '/items/{id}');
    assert.ok(items && def.feeders);
    const itemStep = Object.values(def.journeys).find((j) => j.steps[0].path.startsWith('/items/'))?.steps[0];
    const [, feederName, column] = /\{\{(\w+)\.(\w+)\}\}/.exec(itemStep?.path ?? '') ?? [];
    const got = shares(def.feeders[feederName], column);
    const total = items.paths.reduce((s, x) => s + x.count, 0);
    let tv = 0;
    for (const pth of items.paths)
      tv += Math.abs((got.get(pth.value.slice('/items/'.length)) ?? 0) - pth.count / total);
    assert.ok(tv / 2 < 0.005, `total variation ${tv / 2}`);
    // Write steps carry a body of the observed size; expected statuses are the non-5xx ones seen.
    const order = Object.values(def.journeys).find((j) => j.steps[0].path === '/orders')?.steps[0];
    assert.equal(JSON.stringify(order?.body).length, 512);
    assert.deepEqual(order?.expectedStatuses, [201, 409]);
    const searchStep = withQuery.steps[0];
    assert.deepEqual(searchStep.expectedStatuses, [200]);
  });

  test('--rate-scale multiplies every rate; --ids zipf writes a fitted exponent', async () => {
    const p = await readTrafficProfile(store, selection);
    const d = deriveScenario(p, { rateScale: 3, ids: 'zipf' });
    assert.ok(Math.abs(d.peakRate - (3 * (100 + 50 * (MINUTES - 1))) / 60) < 0.001);
    const source = renderScenario(d, 'test');
    assert.match(source, /zipf\(\[/);
    const def = await writeAndLoad(source, 'shop-zipf');
    assert.ok(Object.values(def.feeders ?? {}).every((f) => (f.rows?.length ?? 0) === 2000));
  });

  test('a window with too few spans is refused with MB_ERR_SCENARIO_DERIVE_SPANS naming the window', async () => {
    const p = await readTrafficProfile(store, { ...selection, service: 'nobody' });
    assert.throws(
      () => deriveScenario(p),
      (err: Error & { code?: string }) =>
        err.code === 'MB_ERR_SCENARIO_DERIVE_SPANS' &&
        /0 server span\(s\) of service "nobody"/.test(err.message),
    );
  });

  test('sessions (session.id) become journeys of their request sequences, and the route mix still adds up', async () => {
    // One chDB directory per process: the sessions are another service's spans in the same store.
    {
      const service = 'session-api';
      const spans: SpanSpec[] = [];
      // 300 sessions: 2/3 browse → item → item, 1/3 search → item → order; plus 200 anonymous health checks.
      for (let i = 0; i < 300; i++) {
        const start = T0 + i * 1000;
        const session = `s${i}`;
        const seq =
          i % 3 === 2
            ? [
                ['GET', '/search'],
                ['GET', '/items/{id}'],
                ['POST', '/orders'],
              ]
            : [
                ['GET', '/items'],
                ['GET', '/items/{id}'],
                ['GET', '/items/{id}'],
              ];
        seq.forEach(([method, route], k) => {
          spans.push({
            ms: start + k * 2000,
            service,
            method,
            route,
            path: route.replace('{id}', String(1 + (i % 5))),
            status: 200,
            session,
          });
        });
      }
      for (let i = 0; i < 200; i++)
        spans.push({
          ms: T0 + i * 1500,
          service,
          method: 'GET',
          route: '/healthz',
          path: '/healthz',
          status: 200,
        });
      await insert(spans, 2_000_000);
      const p = await readTrafficProfile(store, { service, fromMs: T0, toMs: T0 + MINUTES * 60_000 });
      assert.equal(p.sessions?.attribute, 'session.id');
      assert.equal(p.sessions?.sessions, 300);
      const d = deriveScenario(p, { minSpans: 100 });
      const sessionJourneys = d.journeys.filter((j) => j.name.startsWith('session_'));
      assert.equal(sessionJourneys.length, 2);
      assert.deepEqual(
        sessionJourneys.map((j) => [j.weight, j.steps.map((s) => s.route)]),
        [
          [200, ['GET /items', 'GET /items/{id}', 'GET /items/{id}']],
          [100, ['GET /search', 'GET /items/{id}', 'POST /orders']],
        ],
      );
      assert.equal(sessionJourneys[0].steps[0].thinkMs, 2000);
      // Expected requests per route from the journeys' weights equal the recorded mix.
      const perRoute = new Map<string, number>();
      for (const j of d.journeys)
        for (const s of j.steps) perRoute.set(s.route, (perRoute.get(s.route) ?? 0) + j.weight);
      const total = [...perRoute.values()].reduce((a, b) => a + b, 0);
      for (const r of p.routes) {
        const share = (perRoute.get(routeKey(r.method, r.route)) ?? 0) / total;
        assert.ok(
          Math.abs(share - r.requests / p.spans) < 0.001,
          `${r.route}: ${share} vs ${r.requests / p.spans}`,
        );
      }
      await writeAndLoad(renderScenario(d, 'test'), 'sessions');
    }
  });
});

describe('compareProfiles', () => {
  test('a profile against itself is at distance 0; a scaled copy has the rate error of the scale', async () => {
    const p = await readTrafficProfile(store, selection);
    const same = compareProfiles(p, p);
    assert.equal(same.routeMix.distance, 0);
    assert.equal(same.statusMix.distance, 0);
    assert.equal(same.rate.maxError, 0);
    const doubled = { ...p, buckets: p.buckets.map((b) => b * 2) };
    const c = compareProfiles(p, doubled);
    assert.ok(Math.abs(c.rate.maxErrorOfPeak - 1) < 1e-9);
    assert.equal(compareProfiles(p, doubled, { rateScale: 2 }).rate.maxError, 0);
  });
});
