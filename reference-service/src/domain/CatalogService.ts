// Catalog reads and writes. Hot reads (an item, a seller, a search, a browse page) are cached as
// ready-to-send JSON, so a cache hit costs one lookup and no serialisation; writes and stock
// changes invalidate the item. A failing cache degrades to the store, never to an error.
import { ATTR, FAULT_DEPENDENCIES } from '@marketbench/contracts';
import type { FaultInjector } from '../faults/FaultInjector.ts';
import type { Tracing } from '../telemetry/Tracing.ts';
import type { ListingPatch, ListingQuery, NewListing } from './model.ts';
import type { Cache, ListingStore } from './ports.ts';

const [, , CACHE, SEARCH] = FAULT_DEPENDENCIES;

export interface CatalogTtls {
  listingMs: number;
  sellerMs: number;
  searchMs: number;
  browseMs: number;
}

export const DEFAULT_TTLS: CatalogTtls = {
  listingMs: 30_000,
  sellerMs: 60_000,
  searchMs: 10_000,
  browseMs: 5_000,
};

/** Encodes a keyset position as an opaque cursor. */
export function encodeCursor(after: { key: number; id: number }): string {
  return Buffer.from(`${after.key}:${after.id}`).toString('base64url');
}

/** Decodes a cursor; undefined when it is not one of ours. */
export function decodeCursor(cursor: string): { key: number; id: number } | undefined {
  const m = /^(-?\d+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { key: Number(m[1]), id: Number(m[2]) } : undefined;
}

export class CatalogService {
  readonly #store: ListingStore;
  readonly #cache: Cache;
  readonly #tracing: Tracing;
  readonly #faults: FaultInjector | undefined;
  readonly #ttl: CatalogTtls;

  constructor(opts: {
    store: ListingStore;
    cache: Cache;
    tracing: Tracing;
    faults?: FaultInjector;
    ttls?: CatalogTtls;
  }) {
    this.#store = opts.store;
    this.#cache = opts.cache;
    this.#tracing = opts.tracing;
    this.#faults = opts.faults;
    this.#ttl = opts.ttls ?? DEFAULT_TTLS;
  }

  /** The listing as JSON, or undefined when there is none. */
  listingJson(id: number): Promise<string | undefined> {
    return this.#cached(`listing:${id}`, this.#ttl.listingMs, async () => {
      const listing = await this.#store.getListing(id);
      return listing && JSON.stringify(listing);
    });
  }

  sellerJson(id: number): Promise<string | undefined> {
    return this.#cached(`seller:${id}`, this.#ttl.sellerMs, async () => {
      const seller = await this.#store.getSeller(id);
      return seller && JSON.stringify(seller);
    });
  }

  /** One page of listings as JSON ({items, nextCursor}). */
  browseJson(query: ListingQuery): Promise<string> {
    const key = `browse:${JSON.stringify(query)}`;
    return this.#cached(key, this.#ttl.browseMs, async () => {
      const page = await this.#store.listListings(query);
      return JSON.stringify({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null });
    }) as Promise<string>;
  }

  searchJson(text: string, limit: number): Promise<string> {
    const key = `search:${limit}:${text.toLowerCase().trim()}`;
    return this.#cached(key, this.#ttl.searchMs, async () => {
      if (this.#faults?.has(SEARCH)) await this.#faults.apply(SEARCH);
      const items = await this.#store.searchListings(text, limit);
      return JSON.stringify({ query: text, items });
    }) as Promise<string>;
  }

  async createListing(listing: NewListing, now: number) {
    const created = await this.#store.createListing(listing, now);
    await this.invalidate([created.id]);
    return created;
  }

  async updateListing(id: number, patch: ListingPatch, now: number) {
    const updated = await this.#store.updateListing(id, patch, now);
    if (updated) await this.invalidate([id]);
    return updated;
  }

  /** Drops cached items (after a write or a stock change); a cache failure is ignored. */
  async invalidate(listingIds: number[]): Promise<void> {
    if (listingIds.length === 0) return;
    const keys = listingIds.map((id) => `listing:${id}`);
    try {
      await this.#tracing.cache('delete', keys[0], () => this.#cache.delete(keys));
    } catch {
      // A stale entry expires with its TTL; failing the write because the cache is down would be worse.
    }
  }

  async #cached(
    key: string,
    ttlMs: number,
    load: () => Promise<string | undefined>,
  ): Promise<string | undefined> {
    const hit = await this.#cacheGet(key);
    if (hit !== undefined) return hit;
    const value = await load();
    if (value !== undefined) {
      this.#cacheSet(key, value, ttlMs).catch(() => {});
    }
    return value;
  }

  async #cacheGet(key: string): Promise<string | undefined> {
    try {
      return await this.#tracing.cache('get', key, async () => {
        if (this.#faults?.has(CACHE)) await this.#faults.apply(CACHE);
        const value = await this.#cache.get(key);
        this.#tracing.setAttributes({ [ATTR.cacheHit]: value !== undefined });
        return value;
      });
    } catch {
      return undefined;
    }
  }

  #cacheSet(key: string, value: string, ttlMs: number): Promise<void> {
    return this.#cache.set(key, value, ttlMs);
  }
}
