// `marketbench scenario derive|compare|init` spawned as the real command. The fidelity test records
// a (shortened) marketplace-day run on the embedded stack, derives a scenario from its server
// spans, replays that scenario on a fresh embedded stack, and holds the replay to its source:
// route-mix distance ≤ 0.02 and per-bucket rate error ≤ 5% of the peak. `init` scaffolds smoke
// scenarios from the reference service's own /openapi.json and from a third-party-shaped document.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { cleanup, run, serve, tempHome } from './runCli.ts';

after(cleanup);

const STACK = { MARKETBENCH_PORT: '0', MARKETBENCH_INGEST_PORT: '0', MARKETBENCH_ITEMS: '2000' };

test('derive → replay → compare: the replay of a derived marketplace-day run matches its source', {
  timeout: 240_000,
}, async () => {
  const home = tempHome();
  // 24 hours of shape in 36 s at a peak of 40 iterations/s (about 100 requests/s); buckets of 6 s,
  // wide enough that a second of CPU starvation on a busy machine does not move a bucket's rate much.
  const recorded = await run(
    ['run', 'marketplace-day', '--duration', '36s', '--rate', '40', '--seed', '7', '--json'],
    home,
    STACK,
  );
  assert.ok(recorded.code === 0 || recorded.code === 99, `exit ${recorded.code}\n${recorded.stderr}`);
  const source = JSON.parse(recorded.stdout) as { runId: string; totals: { requests: number } };

  const file = path.join(home, 'replay.ts');
  const derived = await run(
    ['scenario', 'derive', '--run', source.runId, '--bucket', '6s', '--min-spans', '500', '--out', file],
    home,
  );
  assert.equal(derived.code, 0, derived.stderr);
  const text = fs.readFileSync(file, 'utf8');
  assert.match(text, new RegExp(`load run ${source.runId}`));
  assert.match(text.replace(/\n\/\/ /g, ' '), /\d server spans, counted from the spans/);
  assert.match(text, /^export const derivedFrom = \{/m);

  const replayed = await run(['run', file, '--seed', '7', '--json'], home, STACK);
  assert.ok(replayed.code === 0 || replayed.code === 99, `exit ${replayed.code}\n${replayed.stderr}`);
  const replay = JSON.parse(replayed.stdout) as { runId: string; totals: { requests: number } };
  assert.ok(
    Math.abs(replay.totals.requests - source.totals.requests) <= 0.02 * source.totals.requests,
    `${replay.totals.requests} requests replayed for ${source.totals.requests} recorded`,
  );

  const compared = await run(
    [
      'scenario',
      'compare',
      replay.runId,
      '--source',
      file,
      '--json',
      '--max-route-distance',
      '0.02',
      '--max-rate-error',
      '0.05',
    ],
    home,
  );
  assert.equal(compared.code, 0, `${compared.stdout}\n${compared.stderr}`);
  const c = JSON.parse(compared.stdout);
  assert.ok(c.routeMixDistance <= 0.02, `route mix distance ${c.routeMixDistance}`);
  assert.ok(c.rate.maxErrorOfPeak <= 0.05, `rate error ${c.rate.maxErrorOfPeak} of the peak`);
  assert.ok(c.rate.buckets.length >= 5, `${c.rate.buckets.length} buckets compared`);
  assert.deepEqual(c.broken, []);

  // Two runs compare too, and a limit that the comparison breaks exits 99 naming it.
  const twoRuns = await run(
    ['scenario', 'compare', source.runId, replay.runId, '--bucket', '6s', '--max-status-distance', '0'],
    home,
  );
  assert.equal(twoRuns.code, 99, twoRuns.stderr);
  assert.match(twoRuns.stdout, /route mix distance \(total variation\)\s+0\.0\d+/);
  assert.match(twoRuns.stdout, /✗ status mix distance 0\.\d+ > 0/);
});

test('derive refuses a window with too few spans, and bad flags, with one line and exit 1', async () => {
  const home = tempHome();
  const empty = await run(
    ['scenario', 'derive', '--service', 'shop-api', '--window', '1h', '--out', path.join(home, 'x.ts')],
    home,
  );
  assert.equal(empty.code, 1, empty.stderr);
  assert.match(
    empty.stderr,
    /^marketbench: the window has 0 server span\(s\) of service "shop-api" between .* needs at least 1000 \(--min-spans\) \[MB_ERR_SCENARIO_DERIVE_SPANS\]\n$/,
  );
  assert.equal(fs.existsSync(path.join(home, 'x.ts')), false, 'nothing is written');
  const noWindow = await run(['scenario', 'derive', '--service', 'shop-api'], home);
  assert.equal(noWindow.code, 1);
  assert.match(noWindow.stderr, /give the source window/);
  const badIds = await run(['scenario', 'derive', '--window', '1h', '--ids', 'pareto'], home);
  assert.equal(badIds.code, 1);
  assert.match(badIds.stderr, /--ids must be empirical or zipf, got "pareto"/);
  const unknownRun = await run(['scenario', 'compare', 'no-such-run', '--source', 'x.ts'], home);
  assert.equal(unknownRun.code, 1);
});

test('init scaffolds a smoke scenario from the reference service /openapi.json that runs against it', {
  timeout: 120_000,
}, async () => {
  const home = tempHome();
  const { url, child } = await serve([
    '--port',
    '0',
    '--items',
    '500',
    '--seed',
    '3',
    '--sqlite',
    ':memory:',
  ]);
  try {
    const file = path.join(home, 'smoke.ts');
    const init = await run(
      ['scenario', 'init', '--from-openapi', `${url}/openapi.json`, '--out', file],
      home,
    );
    assert.equal(init.code, 0, init.stderr);
    const text = fs.readFileSync(file, 'utf8');
    // Writes are there for the user to check, not run: commented out.
    assert.match(text, /^ {8}\/\/ {3}method: 'POST',$/m);
    assert.doesNotMatch(text, /^ {10}method: 'POST',$/m);
    const again = await run(
      ['scenario', 'init', '--from-openapi', `${url}/openapi.json`, '--out', file],
      home,
    );
    assert.equal(again.code, 1, 'an existing file is not overwritten without --force');
    assert.match(again.stderr, /exists; pass --force/);

    const smoke = await run(['run', file, '--target', url, '--no-store', '--json'], home);
    assert.ok(smoke.code === 0 || smoke.code === 99, smoke.stderr);
    const summary = JSON.parse(smoke.stdout);
    const gets = [...text.matchAll(/^ {10}method: 'GET',$/gm)].length;
    assert.ok(gets >= 6, `${gets} GET operations`);
    assert.equal(summary.totals.requests, gets, 'every GET operation is called once');
    // Seeded listing and seller ids answer; the made-up cart and order ids are the only failures.
    assert.match(text, /path: '\/carts\/00000000-0000-4000-8000-000000000001',/);
    assert.match(text, /path: '\/orders\/00000000-0000-4000-8000-000000000001',/);
    assert.equal(summary.totals.errors, 2);
  } finally {
    child.kill('SIGTERM');
  }
});

test('init from a third-party-shaped YAML document: servers base path, $refs, examples, security', async () => {
  const home = tempHome();
  const doc = path.join(home, 'petstore.yaml');
  fs.writeFileSync(
    doc,
    `openapi: 3.0.3
info: { title: Pet Store, version: 2.1.0 }
servers: [{ url: 'https://api.example.com/v2' }]
security: []
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - { name: limit, in: query, required: true, schema: { type: integer, minimum: 5 } }
        - { name: tag, in: query, schema: { type: string } }
      responses: { '200': { description: ok } }
    post:
      operationId: createPet
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/NewPet' }
      responses: { '201': { description: created } }
  /pets/{petId}:
    parameters:
      - { $ref: '#/components/parameters/PetId' }
    get:
      operationId: showPetById
      responses: { '200': { description: ok }, '404': { description: missing } }
    delete:
      security: [{ apiKey: [] }]
      responses: { '204': { description: deleted } }
  /owners/{ownerId}/pets:
    get:
      security: [{ apiKey: [] }]
      parameters:
        - { name: ownerId, in: path, required: true, schema: { type: string, format: uuid } }
      responses: { '200': { description: ok } }
components:
  parameters:
    PetId: { name: petId, in: path, required: true, schema: { type: integer }, example: 42 }
  schemas:
    NewPet:
      type: object
      required: [name]
      properties:
        name: { type: string, example: Rex }
        tag: { type: string }
        birth: { type: string, format: date, example: '2020-02-02' }
`,
  );
  const r = await run(['scenario', 'init', '--from-openapi', doc, '--out', '-'], home);
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout;
  assert.match(text, /^\/\/ pet-store-smoke: a smoke test of "Pet Store" 2\.1\.0/);
  assert.match(text, /name: 'list_pets',\n {10}method: 'GET',\n {10}path: '\/v2\/pets\?limit=5',/);
  assert.match(text, /name: 'show_pet_by_id',\n {10}method: 'GET',\n {10}path: '\/v2\/pets\/42',/);
  assert.match(
    text,
    /expectedStatuses: \[200\],\n {10}checks: \{ 'show_pet_by_id answers 200': \{ status: \[200\] \} \}/,
  );
  // The secured GET and every write are commented out; the body comes from the $ref'd schema.
  assert.match(text, /\/\/ {3}path: '\/v2\/owners\/00000000-0000-4000-8000-000000000001\/pets',/);
  assert.match(text, /\/\/ {3}body: \{ name: 'Rex', birth: '2020-02-02' \},/);
  assert.match(text, /\/\/ {3}method: 'DELETE',/);

  const swagger = path.join(home, 'swagger.json');
  fs.writeFileSync(swagger, JSON.stringify({ swagger: '2.0', paths: {} }));
  const old = await run(['scenario', 'init', '--from-openapi', swagger, '--out', '-'], home);
  assert.equal(old.code, 1);
  assert.match(
    old.stderr,
    /Swagger 2\.0 is not supported; convert it to OpenAPI 3.*\[MB_ERR_SCENARIO_OPENAPI\]/,
  );
  const missing = await run(['scenario', 'init', '--from-openapi', path.join(home, 'nope.yaml')], home);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*nope\.yaml.*\[MB_ERR_SCENARIO_OPENAPI\]/);
});
