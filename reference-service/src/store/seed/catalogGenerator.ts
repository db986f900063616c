// Deterministic catalog data: the same (items, seed) always yields the same sellers and
// listings, byte for byte, on SQLite and PostgreSQL, so a load run's URLs (listing ids, search
// words, brands) mean the same thing on every machine. Rows come out as flat arrays, in batches,
// so seeding five million listings never holds more than one batch in memory.
import type { Condition } from '../../domain/model.ts';

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CATEGORIES: Record<string, { types: string[]; sizes: string[] }> = {
  womenswear: {
    types: ['dress', 'blouse', 'skirt', 'jeans', 'coat', 'cardigan', 'jumpsuit', 'blazer'],
    sizes: ['XS', 'S', 'M', 'L', 'XL'],
  },
  menswear: {
    types: ['hoodie', 'shirt', 'jacket', 'chinos', 'jeans', 'sweater', 'parka', 't-shirt'],
    sizes: ['S', 'M', 'L', 'XL', 'XXL'],
  },
  kids: {
    types: ['onesie', 'romper', 'raincoat', 'pyjamas', 'dungarees'],
    sizes: ['2Y', '4Y', '6Y', '8Y', '10Y'],
  },
  shoes: {
    types: ['sneakers', 'boots', 'loafers', 'sandals', 'trainers'],
    sizes: ['37', '38', '39', '40', '41', '42', '43', '44'],
  },
  bags: { types: ['tote', 'backpack', 'crossbody bag', 'clutch', 'weekender'], sizes: ['one size'] },
  accessories: { types: ['scarf', 'belt', 'beanie', 'sunglasses', 'watch'], sizes: ['one size'] },
  home: { types: ['lamp', 'vase', 'throw blanket', 'cushion', 'mirror'], sizes: ['one size'] },
  electronics: {
    types: ['headphones', 'camera', 'game console', 'e-reader', 'smartwatch'],
    sizes: ['one size'],
  },
};
export const CATEGORY_NAMES = Object.keys(CATEGORIES);

export const BRANDS = [
  'Nike',
  'Adidas',
  'Zara',
  'Levis',
  'Patagonia',
  'Uniqlo',
  'Mango',
  'Carhartt',
  'Ralph Lauren',
  'Tommy Hilfiger',
  'Dr Martens',
  'Converse',
  'Vans',
  'The North Face',
  'Arket',
  'COS',
  'Ganni',
  'Acne Studios',
  'Sezane',
  'Reformation',
  'Barbour',
  'Birkenstock',
  'New Balance',
  'Asics',
  'Puma',
  'Lacoste',
  'Fila',
  'Champion',
  'Stussy',
  'Sandro',
  'Maje',
  'Hermes',
  'Gucci',
  'Prada',
  'Sony',
  'Nintendo',
  'Canon',
  'Kindle',
  'Ikea',
  'Muji',
];
export const COLORS = [
  'black',
  'white',
  'navy',
  'olive',
  'beige',
  'red',
  'grey',
  'cream',
  'brown',
  'pink',
  'green',
  'blue',
];
export const CONDITION_WEIGHTS: Array<[Condition, number]> = [
  ['new_with_tags', 0.12],
  ['new_without_tags', 0.18],
  ['very_good', 0.35],
  ['good', 0.27],
  ['satisfactory', 0.08],
];
const COUNTRIES = ['FR', 'DE', 'ES', 'IT', 'NL', 'BE', 'PL', 'LT', 'GB', 'US', 'PT', 'AT'];
const PHRASES = [
  'Worn a handful of times.',
  'Smoke-free home.',
  'No flaws.',
  'Fast shipping.',
  'Bundle discounts available.',
  'Original tags attached.',
  'Slight signs of wear.',
];
const FIRST = [
  'Ana',
  'Lukas',
  'Marta',
  'Tomas',
  'Ines',
  'Jonas',
  'Chloe',
  'Mateo',
  'Emma',
  'Noah',
  'Lea',
  'Hugo',
];

/** Fixed epoch of the catalog, so created_at values do not depend on the day it was seeded. */
export const CATALOG_EPOCH_MS = Date.UTC(2026, 0, 1);

export function sellerCount(items: number): number {
  return Math.max(10, Math.ceil(items / 20));
}

/** Seller row: id, name, country, rating_sum, rating_count, created_at. */
export type SellerRow = [number, string, string, number, number, number];
/** Listing row, in column order of LISTING_COLUMNS. */
export type ListingRow = [
  number,
  number,
  string,
  string,
  string,
  string,
  string,
  string,
  number,
  string,
  number,
  string,
  number,
  number,
];

export const SELLER_COLUMNS = ['id', 'name', 'country', 'rating_sum', 'rating_count', 'created_at'] as const;
export const LISTING_COLUMNS = [
  'id',
  'seller_id',
  'title',
  'brand',
  'category',
  'size',
  'condition',
  'description',
  'price_cents',
  'currency',
  'quantity',
  'status',
  'created_at',
  'updated_at',
] as const;

export function* sellerRows(items: number, seed: number, batch: number): Generator<SellerRow[]> {
  const random = mulberry32(seed * 7919 + 1);
  const n = sellerCount(items);
  let rows: SellerRow[] = [];
  for (let id = 1; id <= n; id++) {
    const count = Math.floor(random() * 400);
    // Ratings skew high, as on real marketplaces: mean around 4.6 stars.
    const sum = Math.round(count * (4 + random() * 1));
    const name = `${FIRST[Math.floor(random() * FIRST.length)]}_${id.toString(36)}`;
    rows.push([
      id,
      name,
      COUNTRIES[Math.floor(random() * COUNTRIES.length)],
      sum,
      count,
      CATALOG_EPOCH_MS - Math.floor(random() * 3e10),
    ]);
    if (rows.length === batch) {
      yield rows;
      rows = [];
    }
  }
  if (rows.length) yield rows;
}

function pick<T>(random: () => number, xs: readonly T[]): T {
  return xs[Math.floor(random() * xs.length)];
}

function condition(random: () => number): Condition {
  let r = random();
  for (const [c, w] of CONDITION_WEIGHTS) {
    r -= w;
    if (r < 0) return c;
  }
  return 'good';
}

export function* listingRows(items: number, seed: number, batch: number): Generator<ListingRow[]> {
  const random = mulberry32(seed);
  const sellers = sellerCount(items);
  let rows: ListingRow[] = [];
  for (let id = 1; id <= items; id++) {
    const category = pick(random, CATEGORY_NAMES);
    const { types, sizes } = CATEGORIES[category];
    const type = pick(random, types);
    const brand = pick(random, BRANDS);
    const color = pick(random, COLORS);
    const size = pick(random, sizes);
    const cond = condition(random);
    // Log-uniform prices between 3 and 500 euros, rounded to 50 cents like people price things.
    const price = Math.round((300 * Math.exp(random() * Math.log(500 / 3))) / 50) * 50;
    const created = CATALOG_EPOCH_MS - (items - id) * 30_000 - Math.floor(random() * 20_000);
    const quantity = random() < 0.9 ? 1 : 2 + Math.floor(random() * 4);
    const description = `${cond.replaceAll('_', ' ')} ${color} ${type} by ${brand}, size ${size}. ${pick(random, PHRASES)}`;
    rows.push([
      id,
      1 + Math.floor(random() * sellers),
      `${brand} ${color} ${type}`,
      brand,
      category,
      size,
      cond,
      description,
      price,
      'EUR',
      quantity,
      'active',
      created,
      created,
    ]);
    if (rows.length === batch) {
      yield rows;
      rows = [];
    }
  }
  if (rows.length) yield rows;
}
