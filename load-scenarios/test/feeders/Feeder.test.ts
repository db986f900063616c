import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ScenarioError } from '../../src/errors.ts';
import { Feeder, parseCsv } from '../../src/feeders/Feeder.ts';
import { runScenario } from '../../src/runner/runScenario.ts';
import { baseScenario } from '../support/scenarios.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

describe('parseCsv', () => {
  it('reads a header line, quoted fields, embedded commas, quotes and CRLF', () => {
    assert.deepEqual(parseCsv('id,title\r\n1,"red, large"\r\n2,"say ""hi"""\r\n\r\n3,plain'), [
      { id: '1', title: 'red, large' },
      { id: '2', title: 'say "hi"' },
      { id: '3', title: 'plain' },
    ]);
  });
});

describe('Feeder modes', () => {
  const rows = [{ n: 1 }, { n: 2 }, { n: 3 }];
  it('sequential walks one shared cursor and wraps', () => {
    const f = new Feeder('f', 'sequential', rows);
    assert.deepEqual(
      [1, 2, 1, 2, 1].map((vu) => f.next(vu, Math.random).n),
      [1, 2, 3, 1, 2],
    );
  });
  it('random draws from the rows', () => {
    const f = new Feeder('f', 'random', rows);
    let x = 0;
    const seq = [0.1, 0.5, 0.9];
    assert.deepEqual(
      seq.map(() => f.next(1, () => seq[x++]).n),
      [1, 2, 3],
    );
  });
  it('unique gives VU n row n, and refuses a VU beyond the rows', () => {
    const f = new Feeder('f', 'unique', rows);
    assert.equal(f.next(2, Math.random).n, 2);
    assert.equal(f.next(2, Math.random).n, 2);
    assert.throws(() => f.next(4, Math.random), /VU 4 has no unique row/);
  });
});

describe('feeders in a run', () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    server = await startTestServer();
    dir = mkdtempSync(path.join(tmpdir(), 'mb-feeder-'));
    writeFileSync(path.join(dir, 'listings.csv'), 'listingId,qty\nL-1,1\nL-2,2\nL-3,3\n');
    writeFileSync(path.join(dir, 'users.json'), JSON.stringify([{ user: 'ann' }, { user: 'bob' }]));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('substitutes CSV rows sequentially and JSON rows uniquely per VU into paths and bodies', async () => {
    server.seen.length = 0;
    const def = baseScenario(
      { executor: 'per-vu-iterations', vus: 2, iterations: 3 },
      {
        feeders: {
          listings: { file: 'listings.csv', mode: 'sequential' },
          users: { file: 'users.json', mode: 'unique' },
        },
      },
      [
        {
          name: 'add',
          method: 'POST',
          path: '/items/{{listings.listingId}}',
          body: { qty: '{{listings.qty}}', user: '{{users.user}}', vu: '{{vu}}' },
        },
      ],
    );
    const r = await runScenario(def, { target: server.url, file: path.join(dir, 'scenario.ts') });
    assert.equal(r.totals.requests, 6);
    const paths = server.seen.map((s) => s.path).sort();
    assert.deepEqual(paths, [
      '/items/L-1',
      '/items/L-1',
      '/items/L-2',
      '/items/L-2',
      '/items/L-3',
      '/items/L-3',
    ]);
    for (const s of server.seen) {
      const body = JSON.parse(s.body);
      // Each VU keeps its own user row; the body's qty matches the path's listing row.
      assert.equal(body.user, body.vu === 1 ? 'ann' : 'bob');
      assert.equal(s.path, `/items/L-${body.qty}`);
    }
  });

  it('fails before any request when a unique feeder file has fewer rows than VUs', async () => {
    server.seen.length = 0;
    const def = baseScenario(
      { executor: 'constant-vus', vus: 3, duration: '1s' },
      { feeders: { users: { file: 'users.json', mode: 'unique' } } },
    );
    await assert.rejects(
      runScenario(def, { target: server.url, file: path.join(dir, 'scenario.ts') }),
      (err: unknown) =>
        err instanceof ScenarioError &&
        err.code === 'MB_ERR_SCENARIO_FEEDER' &&
        /2 rows for up to 3 VUs/.test(err.message),
    );
    assert.equal(server.seen.length, 0);
  });

  it('fails before any request when a feeder file is missing', async () => {
    server.seen.length = 0;
    const def = baseScenario(
      { executor: 'shared-iterations', vus: 1, iterations: 1 },
      { feeders: { x: { file: 'nope.csv', mode: 'random' } } },
    );
    await assert.rejects(
      runScenario(def, { target: server.url, file: path.join(dir, 'scenario.ts') }),
      (err: unknown) =>
        err instanceof ScenarioError &&
        err.code === 'MB_ERR_SCENARIO_FEEDER' &&
        err.message.includes('feeders.x.file'),
    );
    assert.equal(server.seen.length, 0);
  });
});
