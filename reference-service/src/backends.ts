// Chooses the adapters from the configuration: SQLite or PostgreSQL for the store, the LRU or
// Redis for the cache, the in-process queue, NATS JetStream or RabbitMQ for the outbox bus.
import { LruCache } from './cache/LruCache.ts';
import type { Cache, EventBus, Stores } from './domain/ports.ts';
import { MemoryBus } from './outbox/MemoryBus.ts';
import { createSqliteStores } from './store/sqlite/createSqliteStores.ts';
import type { SeedReport } from './store/sqlite/openSqlite.ts';
import type { StoreContext } from './store/storeContext.ts';
import type { ResolvedServiceOptions } from './types.ts';

export interface Backends {
  stores: Stores;
  cache: Cache;
  bus: EventBus;
  seedReport: SeedReport;
  readiness: Array<{ name: string; check: () => Promise<boolean> }>;
  close(): Promise<void>;
}

export async function openBackends(opts: ResolvedServiceOptions, ctx: StoreContext): Promise<Backends> {
  const readiness: Backends['readiness'] = [];
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    let stores: Stores;
    let seedReport: SeedReport;
    if (opts.databaseUrl) {
      const { createPostgresStores } = await import('./store/postgres/createPostgresStores.ts');
      const pg = await createPostgresStores({
        url: opts.databaseUrl,
        schema: opts.pgSchema,
        items: opts.items,
        seed: opts.seed,
        ctx,
      });
      stores = pg;
      seedReport = pg.seedReport;
    } else {
      const sqlite = createSqliteStores({ file: opts.sqlitePath, items: opts.items, seed: opts.seed, ctx });
      stores = sqlite;
      seedReport = sqlite.seedReport;
    }
    opened.push(stores);
    let cache: Cache;
    if (opts.redisUrl) {
      const { RedisCache } = await import('./cache/RedisCache.ts');
      // Instances serving the same catalog share entries; other catalogs never read them.
      const redis = new RedisCache(opts.redisUrl, `marketbench:${opts.items}:${opts.seed}:`);
      readiness.push({ name: 'cache', check: () => redis.ping() });
      cache = redis;
    } else {
      cache = new LruCache();
    }
    opened.push(cache);
    let bus: EventBus;
    if (opts.natsUrl) {
      const { NatsBus } = await import('./outbox/NatsBus.ts');
      bus = await NatsBus.connect(opts.natsUrl, {
        stream: opts.busPrefix.toUpperCase().replace(/[^A-Z0-9_-]/g, '_'),
        subjectPrefix: `${opts.busPrefix}.`,
        ephemeral: opts.busEphemeral,
      });
    } else if (opts.amqpUrl) {
      const { AmqpBus } = await import('./outbox/AmqpBus.ts');
      bus = await AmqpBus.connect(opts.amqpUrl, opts.busPrefix, opts.busEphemeral);
    } else {
      bus = new MemoryBus();
    }
    opened.push(bus);
    if (bus.system !== 'memory') readiness.push({ name: 'bus', check: async () => bus.healthy() });
    return {
      stores,
      cache,
      bus,
      seedReport,
      readiness,
      close: async () => {
        await bus.close().catch(() => {});
        await cache.close().catch(() => {});
        await stores.close();
      },
    };
  } catch (err) {
    for (const o of opened.reverse()) await o.close().catch(() => {});
    throw err;
  }
}
