// Cache on Redis (REDIS_URL), for several service instances sharing hot reads. Keys carry a
// prefix so runs sharing one Redis do not read each other's entries.
import { Redis } from 'ioredis';
import type { Cache } from '../domain/ports.ts';

export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(url: string, prefix = 'marketbench:') {
    this.#redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
    this.#prefix = prefix;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#redis.set(this.#prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length) await this.#redis.del(...keys.map((k) => this.#prefix + k));
  }

  async ping(): Promise<boolean> {
    return (await this.#redis.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
