// The marketplace's journeys, shared by the built-in scenarios: browse → view item, search →
// view, a seller listing an item (and dropping a price), add to cart → checkout with a fresh
// Idempotency-Key, and a checkout retried with the same key. Listing and seller ids come from
// the reference service's deterministic seed (ids 1..items, sellers 1..items/20).

import { ROUTES, STEPS } from '@marketbench/contracts';
import type { FeederSpec, Journey, Step } from '../types.ts';

/** A route template with its `:id` replaced (by a `{{template}}` or a literal). */
export function routePath(route: string, id: string, query = ''): string {
  return route.replace(':id', id) + query;
}

/** Highest seeded listing id the scenarios address (the service seeds 100,000 by default). */
export const LISTING_ID_RANGE = '1:20000';
/** Highest seeded seller id the scenarios address. */
export const SELLER_ID_RANGE = '1:1000';

/** Search words the seeded catalog contains (brands and item types). */
export const SEARCH_TERMS: FeederSpec = {
  mode: 'random',
  rows: [
    'dress',
    'sneakers',
    'jeans',
    'Nike',
    'Patagonia jacket',
    'boots',
    'Levis',
    'hoodie',
    'camera',
    'tote',
    'Zara coat',
    'headphones',
  ].map((q) => ({ q })),
};

/** A test card the simulated PSP approves. */
export const CARD = { number: '4242 4242 4242 4242', expMonth: 12, expYear: 2030, cvc: '123' };

/** Statuses that are the buyer's answer (declined, out of stock, cart gone), not an outage. */
const CHECKOUT_EXPECTED = [201, 402, 404, 409, 422];
const CART_EXPECTED = [200, 404, 409, 422];

const browse: Step = {
  name: STEPS.browse,
  method: 'GET',
  path: `${ROUTES.listings}?sort=newest&limit=20`,
  checks: { 'browse answers 200': { status: 200 } },
  think: { min: '200ms', max: '1s' },
};

function viewItem(id: string, capture = false): Step {
  return {
    name: STEPS.viewItem,
    method: 'GET',
    path: routePath(ROUTES.listing, id),
    // A buyer only goes on to the cart with a listing that exists.
    expectedStatuses: capture ? [200] : [200, 404],
    checks: { 'item answers 200': { status: 200 } },
    ...(capture ? { capture: { itemId: 'id' } } : {}),
    think: { min: '500ms', max: '2s' },
  };
}

const search: Step = {
  name: STEPS.search,
  method: 'GET',
  path: `${ROUTES.search}?q={{terms.q}}&limit=20`,
  checks: { 'search answers 200': { status: 200 } },
  capture: { hitId: 'items.0.id' },
  think: { min: '300ms', max: '1s' },
};

const viewSeller: Step = {
  name: STEPS.seller,
  method: 'GET',
  path: routePath(ROUTES.seller, `{{randomInt:${SELLER_ID_RANGE}}}`),
  expectedStatuses: [200, 404],
};

function buySteps(retry: boolean): Step[] {
  const checkoutBody = { cartId: '{{cartId}}', payment: { card: CARD } };
  const steps: Step[] = [
    {
      name: STEPS.createCart,
      method: 'POST',
      path: ROUTES.carts,
      body: { buyerId: 'buyer-{{vu}}' },
      expectedStatuses: [201],
      capture: { cartId: 'id' },
    },
    {
      name: STEPS.addToCart,
      method: 'POST',
      path: routePath(ROUTES.cartItems, '{{cartId}}'),
      body: { listingId: '{{itemId}}', quantity: 1 },
      expectedStatuses: CART_EXPECTED,
      checks: { 'item added': { status: 200 } },
      think: { min: '300ms', max: '1s' },
    },
    {
      name: STEPS.checkout,
      method: 'POST',
      path: ROUTES.checkout,
      headers: { 'Idempotency-Key': '{{uuid:checkout}}' },
      body: checkoutBody,
      expectedStatuses: CHECKOUT_EXPECTED,
      checks: { 'order created': { status: 201 }, 'checkout under 1s': { maxDurationMs: 1000 } },
      capture: { orderId: 'id' },
    },
  ];
  if (retry) {
    // The client timed out and retries with the same key: the service must replay the order.
    steps.push({
      name: STEPS.checkoutRetry,
      method: 'POST',
      path: ROUTES.checkout,
      headers: { 'Idempotency-Key': '{{uuid:checkout}}' },
      body: checkoutBody,
      expectedStatuses: CHECKOUT_EXPECTED,
      checks: { 'retry replays the order': { jsonPath: 'id' } },
    });
  }
  return steps;
}

/** Browse the newest listings, then open one. */
export const browseThenView: Journey = {
  weight: 50,
  steps: [browse, viewItem(`{{randomInt:${LISTING_ID_RANGE}}}`)],
};

/** Search, then open a listing (a random one; the top hit is captured as `hitId` for custom scenarios). */
export const searchThenView: Journey = {
  weight: 30,
  steps: [search, viewItem(`{{randomInt:${LISTING_ID_RANGE}}}`), viewSeller],
};

/** A seller lists an item, then drops the price of a listing. */
export const sellerLists: Journey = {
  weight: 5,
  steps: [
    {
      name: STEPS.createListing,
      method: 'POST',
      path: ROUTES.listings,
      body: {
        sellerId: `{{randomInt:${SELLER_ID_RANGE}}}`,
        title: 'Vintage denim jacket',
        brand: 'Levis',
        category: 'menswear',
        size: 'M',
        condition: 'very_good',
        priceCents: '{{randomInt:1500:9000}}',
        quantity: 1,
      },
      expectedStatuses: [201],
      capture: { newListingId: 'id' },
    },
    {
      name: STEPS.priceDrop,
      method: 'PATCH',
      path: routePath(ROUTES.listing, '{{newListingId}}'),
      body: { priceCents: 1200 },
      expectedStatuses: [200],
    },
  ],
};

/** Add a listing to a new cart and check out with a fresh Idempotency-Key. */
export function buy(listingId = `{{randomInt:${LISTING_ID_RANGE}}}`, weight = 12): Journey {
  return { weight, steps: [viewItem(listingId, true), ...buySteps(false)] };
}

/** Like buy, but the checkout is sent twice with the same key (a client retry). */
export function retryingCheckout(listingId = `{{randomInt:${LISTING_ID_RANGE}}}`, weight = 3): Journey {
  return { weight, steps: [viewItem(listingId, true), ...buySteps(true)] };
}
