// The same repository suite against the real PostgreSQL server, in a schema of its own that
// is dropped afterwards.
import { after, before, it } from 'node:test';
import pg from 'pg';
import { missingPort, needs } from '../../../test-support/dependency.ts';
import { createPostgresStores } from '../../src/store/postgres/createPostgresStores.ts';
import { NOOP_TRACING } from '../../src/telemetry/Tracing.ts';
import { CONTRACT_ITEMS, CONTRACT_SEED, describeStoreContract } from './storeContract.ts';

export const PG_URL = process.env.MARKETBENCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `mb_test_${process.pid}_${Date.now().toString(36)}`;
let missing: string | undefined;

before(async () => {
  missing = await missingPort('127.0.0.1', 5432, 'PostgreSQL');
});

it('PostgreSQL is reachable for the contract suite', (t) => {
  needs(t, missing);
});

describeStoreContract('PostgreSQL', async () => {
  if (missing) return undefined;
  return createPostgresStores({
    url: PG_URL,
    schema,
    items: CONTRACT_ITEMS,
    seed: CONTRACT_SEED,
    ctx: { tracing: NOOP_TRACING },
  });
});

after(async () => {
  if (missing) return;
  const client = new pg.Client(PG_URL);
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});
