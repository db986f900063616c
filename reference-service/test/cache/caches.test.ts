// The Cache port on the in-process LRU and on the real Redis server: values, TTLs, deletes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { missingPort, needs } from '../../../test-support/dependency.ts';
import { LruCache } from '../../src/cache/LruCache.ts';
import { RedisCache, TOMBSTONE_MS } from '../../src/cache/RedisCache.ts';
import type { Cache } from '../../src/domain/ports.ts';

async function exercise(cache: Cache, prefix: string) {
  assert.equal(await cache.get(`${prefix}:a`), undefined);
  await cache.set(`${prefix}:a`, '{"id":1}', 10_000);
  await cache.set(`${prefix}:b`, 'short', 40);
  assert.equal(await cache.get(`${prefix}:a`), '{"id":1}');
  assert.equal(await cache.get(`${prefix}:b`), 'short');
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.equal(await cache.get(`${prefix}:b`), undefined, 'expired');
  await cache.delete([`${prefix}:a`]);
  assert.equal(await cache.get(`${prefix}:a`), undefined);
}

describe('Cache adapters', () => {
  it('LRU: get/set/ttl/delete, bounded by entries', async () => {
    const lru = new LruCache(2);
    await exercise(lru, 'lru');
    await lru.set('x', '1', 1_000);
    await lru.set('y', '2', 1_000);
    await lru.set('z', '3', 1_000);
    assert.equal(await lru.get('x'), undefined, 'least recently used evicted');
    await lru.close();
  });

  it('Redis (REDIS_URL) against the real server', async (t) => {
    if (!needs(t, await missingPort('127.0.0.1', 6379, 'Redis'))) return;
    const redis = new RedisCache(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `mbtest:${process.pid}:`);
    try {
      assert.equal(await redis.ping(), true);
      await exercise(redis, 'r');
      // A fill that read before an invalidation and lands after it must not bring the old value back.
      const other = new RedisCache(
        process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        `mbtest:${process.pid}:`,
      );
      try {
        await redis.set('listing:7', '{"quantity":1}', 30_000);
        assert.equal(await other.get('listing:7'), '{"quantity":1}', 'instances share entries');
        await other.delete(['listing:7']); // another instance sold it
        await redis.set('listing:7', '{"quantity":1}', 30_000); // a stale fill still in flight
        assert.equal(await redis.get('listing:7'), undefined, 'the stale fill is refused');
        assert.equal(await other.get('listing:7'), undefined);
        await new Promise((resolve) => setTimeout(resolve, TOMBSTONE_MS + 100));
        await redis.set('listing:7', '{"quantity":0}', 30_000);
        assert.equal(
          await other.get('listing:7'),
          '{"quantity":0}',
          'fills resume once the tombstone expired',
        );
      } finally {
        await other.close();
      }
    } finally {
      await redis.close();
    }
  });
});
