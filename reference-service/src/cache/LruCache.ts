// The default Cache: an in-process LRU with per-entry TTL (lru-cache), bounded by entry count.
import { LRUCache } from 'lru-cache';
import type { Cache } from '../domain/ports.ts';

export class LruCache implements Cache {
  readonly kind = 'lru' as const;
  readonly #lru: LRUCache<string, string>;

  constructor(maxEntries = 50_000) {
    this.#lru = new LRUCache<string, string>({ max: maxEntries, ttlAutopurge: false });
  }

  async get(key: string): Promise<string | undefined> {
    return this.#lru.get(key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#lru.set(key, value, { ttl: ttlMs });
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.#lru.delete(key);
  }

  async close(): Promise<void> {
    this.#lru.clear();
  }
}
