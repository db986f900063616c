// Cache on Redis (REDIS_URL), shared by every service instance: a stock or listing change made by
// one instance invalidates the entry for all. Keys carry a prefix so runs sharing one Redis do not
// read each other's entries.
//
// An invalidation writes a short-lived tombstone rather than deleting, and a fill only lands when no
// tombstone is there (one Lua call). A plain DEL lost to a concurrent reader: instance B read the
// listing (stock 1) just before A sold it, A deleted the key, B's fill arrived after the delete, and
// every instance served stock 1 for the entry's 30 s TTL.
import { Redis } from 'ioredis';
import type { Cache } from '../domain/ports.ts';

/** What an invalidated key holds while fills that may carry the old value are still in flight. */
export const TOMBSTONE = '\u0000marketbench:invalidated';

/** How long a tombstone bars fills, ms: longer than any read-then-fill of the service takes. */
export const TOMBSTONE_MS = 2_000;

// SET unless the key holds a tombstone (a fill that read before the invalidation).
const FILL = `if redis.call('GET', KEYS[1]) == ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1`;

export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(url: string, prefix = 'marketbench:') {
    this.#redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
    this.#prefix = prefix;
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.#redis.get(this.#prefix + key);
    return value === null || value === TOMBSTONE ? undefined : value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#redis.eval(FILL, 1, this.#prefix + key, value, Math.max(1, Math.round(ttlMs)), TOMBSTONE);
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const batch = this.#redis.multi();
    for (const k of keys) batch.set(this.#prefix + k, TOMBSTONE, 'PX', TOMBSTONE_MS);
    await batch.exec();
  }

  async ping(): Promise<boolean> {
    return (await this.#redis.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
