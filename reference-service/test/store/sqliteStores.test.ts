import { createSqliteStores } from '../../src/store/sqlite/createSqliteStores.ts';
import { NOOP_TRACING } from '../../src/telemetry/Tracing.ts';
import { CONTRACT_ITEMS, CONTRACT_SEED, describeStoreContract } from './storeContract.ts';

describeStoreContract('SQLite', async () =>
  createSqliteStores({
    file: ':memory:',
    items: CONTRACT_ITEMS,
    seed: CONTRACT_SEED,
    ctx: { tracing: NOOP_TRACING },
  }),
);
