import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MarketApp } from '../../src/index.ts';
import { json, testApp } from '../helpers.ts';

interface Page {
  items: Array<{
    id: number;
    category: string;
    brand: string;
    priceCents: number;
    createdAt: string;
    status: string;
    title: string;
  }>;
  nextCursor: string | null;
}

describe('catalog routes (app.inject)', () => {
  let m: MarketApp;
  before(async () => {
    m = await testApp();
  });
  after(() => m.app.close());

  it('GET /listings/:id answers the seeded listing, deterministically', async () => {
    const r = await json(m.app, 'GET', '/listings/1');
    assert.equal(r.status, 200);
    assert.equal(r.body.id, 1);
    const again = await testApp();
    try {
      assert.deepEqual((await json(again.app, 'GET', '/listings/1')).body, r.body, 'same seed, same catalog');
    } finally {
      await again.app.close();
    }
  });

  it('GET /listings/:id answers 404 problem+json for an unknown id and 400 naming the field for a bad one', async () => {
    const missing = await m.app.inject({ method: 'GET', url: '/listings/999999' });
    assert.equal(missing.statusCode, 404);
    assert.match(String(missing.headers['content-type']), /^application\/problem\+json/);
    assert.equal(missing.json().type, 'https://marketbench.dev/problems/listing-not-found');
    const bad = await json(m.app, 'GET', '/listings/abc');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.type, 'https://marketbench.dev/problems/validation-failed');
    assert.equal(bad.body.field, 'id');
    assert.ok(!JSON.stringify(bad.body).includes('at '), 'no stack trace');
  });

  it('GET /listings filters, sorts and pages with a cursor without gaps or repeats', async () => {
    const first = await json<Page>(m.app, 'GET', '/listings?category=shoes&sort=price_asc&limit=25');
    assert.equal(first.status, 200);
    assert.equal(first.body.items.length, 25);
    assert.ok(first.body.items.every((l) => l.category === 'shoes' && l.status === 'active'));
    const prices = first.body.items.map((l) => l.priceCents);
    assert.deepEqual(
      prices,
      [...prices].sort((a, b) => a - b),
    );
    const seen = new Set(first.body.items.map((l) => l.id));
    let cursor = first.body.nextCursor;
    let pages = 1;
    let last = prices.at(-1)!;
    while (cursor) {
      const next = await json<Page>(
        m.app,
        'GET',
        `/listings?category=shoes&sort=price_asc&limit=25&cursor=${cursor}`,
      );
      for (const l of next.body.items) {
        assert.ok(!seen.has(l.id), `listing ${l.id} repeated`);
        assert.ok(l.priceCents >= last);
        last = l.priceCents;
        seen.add(l.id);
      }
      cursor = next.body.nextCursor;
      pages++;
    }
    const all = await m.services.stores.listings.listListings({
      category: 'shoes',
      sort: 'price_asc',
      limit: 100_000,
    });
    assert.equal(seen.size, all.items.length, 'pages cover every shoe exactly once');
    assert.ok(pages > 2);
  });

  it('GET /listings applies brand and price range and answers newest first by default', async () => {
    const r = await json<Page>(
      m.app,
      'GET',
      '/listings?brand=Nike&minPriceCents=1000&maxPriceCents=5000&limit=50',
    );
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length > 0);
    for (const l of r.body.items) {
      assert.equal(l.brand, 'Nike');
      assert.ok(l.priceCents >= 1000 && l.priceCents <= 5000);
    }
    const dates = r.body.items.map((l) => l.createdAt);
    assert.deepEqual(dates, [...dates].sort().reverse());
    const bad = await json(m.app, 'GET', '/listings?sort=cheapest');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'sort');
    const badCursor = await json(m.app, 'GET', '/listings?cursor=bm9wZQ');
    assert.equal(badCursor.status, 400);
    assert.equal(badCursor.body.field, 'cursor');
  });

  it('GET /search returns only matching listings, best bm25 match first', async () => {
    const r = await json<{ items: Array<{ title: string; brand: string; score: number }> }>(
      m.app,
      'GET',
      '/search?q=nike&limit=50',
    );
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length > 10);
    assert.ok(r.body.items.every((l) => l.brand === 'Nike'));
    const scores = r.body.items.map((l) => l.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
      'best match first',
    );
    const two = await json<{ items: Array<{ title: string }> }>(
      m.app,
      'GET',
      '/search?q=black%20boots&limit=5',
    );
    assert.ok(two.body.items.length > 0);
    for (const l of two.body.items) assert.match(l.title.toLowerCase(), /black boots/);
    assert.equal((await json(m.app, 'GET', '/search')).body.field, 'q');
  });

  it('POST /listings creates a searchable listing; PATCH drops its price and the item read sees it', async () => {
    const created = await json(m.app, 'POST', '/listings', {
      sellerId: 3,
      title: 'Zyxwv vintage trench coat',
      brand: 'Burberry',
      category: 'womenswear',
      size: 'M',
      condition: 'very_good',
      priceCents: 12_000,
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.location, `/listings/${created.body.id}`);
    assert.equal((await json(m.app, 'GET', `/listings/${created.body.id}`)).body.priceCents, 12_000);
    const found = await json<{ items: Array<{ id: number }> }>(m.app, 'GET', '/search?q=zyxwv');
    assert.deepEqual(
      found.body.items.map((l) => l.id),
      [created.body.id],
    );
    const patched = await json(m.app, 'PATCH', `/listings/${created.body.id}`, { priceCents: 9_900 });
    assert.equal(patched.status, 200);
    assert.equal(
      (await json(m.app, 'GET', `/listings/${created.body.id}`)).body.priceCents,
      9_900,
      'cache invalidated',
    );
    const unknown = await json(m.app, 'PATCH', `/listings/${created.body.id}`, { colour: 'red' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.field, 'colour');
    assert.equal((await json(m.app, 'POST', '/listings', { ...created.body, id: undefined })).status, 400);
    // Load scenarios render numbers from templates as strings: they are coerced, not refused.
    const templated = await json(m.app, 'POST', '/listings', {
      sellerId: '4',
      title: 'Vintage denim jacket',
      brand: 'Levis',
      category: 'menswear',
      size: 'M',
      condition: 'very_good',
      priceCents: '2500',
    });
    assert.equal(templated.status, 201);
    assert.equal(templated.body.priceCents, 2500);
    assert.equal((await json(m.app, 'PATCH', '/listings/999999', { priceCents: 100 })).status, 404);
  });

  it('GET /sellers/:id answers ratings; 404 for an unknown seller', async () => {
    const r = await json<{ rating: { average: number; count: number } }>(m.app, 'GET', '/sellers/2');
    assert.equal(r.status, 200);
    assert.ok(r.body.rating.count >= 0);
    if (r.body.rating.count) assert.ok(r.body.rating.average >= 4 && r.body.rating.average <= 5);
    assert.equal((await json(m.app, 'GET', '/sellers/99999999')).status, 404);
  });

  it('GET /openapi.json is OpenAPI 3.1 describing every route with its schemas', async () => {
    const r = await json<{
      openapi: string;
      paths: Record<string, Record<string, { parameters?: Array<{ name: string }>; requestBody?: unknown }>>;
    }>(m.app, 'GET', '/openapi.json');
    assert.equal(r.body.openapi, '3.1.0');
    for (const path of [
      '/listings',
      '/listings/{id}',
      '/search',
      '/sellers/{id}',
      '/carts',
      '/carts/{id}/items',
      '/carts/{id}',
      '/checkout',
      '/orders/{id}',
      '/orders/{id}/cancel',
      '/healthz',
      '/readyz',
      '/admin/faults',
      '/admin/ledger/check',
    ]) {
      assert.ok(r.body.paths[path], `missing ${path}`);
    }
    assert.ok(r.body.paths['/listings'].get.parameters?.some((p) => p.name === 'cursor'));
    assert.ok(r.body.paths['/checkout'].post.parameters?.some((p) => p.name === 'idempotency-key'));
    assert.ok(r.body.paths['/checkout'].post.requestBody);
    assert.ok(r.body.paths['/admin/faults'].put);
  });

  it('an unexpected error answers 500 problem+json with the trace id field and no stack or message', async () => {
    const store = m.services.stores.listings;
    const original = store.getSeller;
    store.getSeller = async () => {
      throw new Error('secret internals at /srv/app.ts:42');
    };
    try {
      const r = await m.app.inject({ method: 'GET', url: '/sellers/424242' });
      assert.equal(r.statusCode, 500);
      assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
      assert.equal(r.json().type, 'https://marketbench.dev/problems/internal');
      assert.ok('traceId' in r.json());
      assert.doesNotMatch(r.body, /secret internals|app\.ts|\bat\b/);
    } finally {
      store.getSeller = original;
    }
  });

  it('/healthz and /readyz answer', async () => {
    assert.deepEqual((await json(m.app, 'GET', '/healthz')).body, { status: 'ok' });
    const ready = await json(m.app, 'GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready', checks: { store: true } });
  });
});
