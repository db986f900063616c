// JSON Schemas of the catalog routes: Fastify validates requests with them (ajv) and the
// OpenAPI document is built from the same objects, so the two cannot disagree.
import { CONDITIONS, LISTING_SORTS, LISTING_STATUSES } from '../../domain/model.ts';
import { PROBLEM_SCHEMA } from '../problems.ts';

export const LISTING_SCHEMA = {
  type: 'object',
  required: [
    'id',
    'sellerId',
    'title',
    'brand',
    'category',
    'size',
    'condition',
    'priceCents',
    'currency',
    'quantity',
    'status',
  ],
  properties: {
    id: { type: 'integer' },
    sellerId: { type: 'integer' },
    title: { type: 'string' },
    brand: { type: 'string' },
    category: { type: 'string' },
    size: { type: 'string' },
    condition: { type: 'string', enum: [...CONDITIONS] },
    description: { type: 'string' },
    priceCents: { type: 'integer', description: 'Price in minor units of `currency`' },
    currency: { type: 'string' },
    quantity: { type: 'integer' },
    status: { type: 'string', enum: [...LISTING_STATUSES] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } },
} as const;

export const LIST_LISTINGS = {
  summary: 'Browse listings with filters, a sort and cursor pagination',
  tags: ['catalog'],
  querystring: {
    type: 'object',
    properties: {
      category: { type: 'string', maxLength: 64 },
      brand: { type: 'string', maxLength: 64 },
      size: { type: 'string', maxLength: 16 },
      condition: { type: 'string', enum: [...CONDITIONS] },
      sellerId: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 },
      minPriceCents: { type: 'integer', minimum: 0, maximum: 9_007_199_254_740_991 },
      maxPriceCents: { type: 'integer', minimum: 0, maximum: 9_007_199_254_740_991 },
      sort: { type: 'string', enum: [...LISTING_SORTS], default: 'newest' },
      cursor: { type: 'string', maxLength: 128, description: 'nextCursor of the previous page' },
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        items: { type: 'array', items: LISTING_SCHEMA },
        nextCursor: { type: ['string', 'null'] },
      },
    },
    400: PROBLEM_SCHEMA,
  },
} as const;

export const GET_LISTING = {
  summary: 'One listing',
  tags: ['catalog'],
  params: ID_PARAMS,
  response: { 200: LISTING_SCHEMA, 404: PROBLEM_SCHEMA },
} as const;

export const SEARCH = {
  summary: 'Full-text search over title, brand and description, best match first (bm25)',
  tags: ['catalog'],
  querystring: {
    type: 'object',
    required: ['q'],
    properties: {
      q: { type: 'string', minLength: 1, maxLength: 200 },
      limit: { type: 'integer', minimum: 1, maximum: 50, default: 20 },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        query: { type: 'string' },
        items: {
          type: 'array',
          items: {
            ...LISTING_SCHEMA,
            properties: { ...LISTING_SCHEMA.properties, score: { type: 'number' } },
          },
        },
      },
    },
    400: PROBLEM_SCHEMA,
    503: PROBLEM_SCHEMA,
  },
} as const;

export const CREATE_LISTING = {
  summary: "A seller's new listing",
  tags: ['catalog'],
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['sellerId', 'title', 'brand', 'category', 'size', 'condition', 'priceCents'],
    properties: {
      sellerId: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 },
      title: { type: 'string', minLength: 3, maxLength: 120 },
      brand: { type: 'string', minLength: 1, maxLength: 64 },
      category: { type: 'string', minLength: 1, maxLength: 64 },
      size: { type: 'string', minLength: 1, maxLength: 16 },
      condition: { type: 'string', enum: [...CONDITIONS] },
      description: { type: 'string', maxLength: 2000, default: '' },
      priceCents: { type: 'integer', minimum: 1, maximum: 100_000_000 },
      currency: { type: 'string', pattern: '^[A-Z]{3}$', default: 'EUR' },
      quantity: { type: 'integer', minimum: 1, maximum: 1000, default: 1 },
    },
  },
  response: { 201: LISTING_SCHEMA, 400: PROBLEM_SCHEMA, 404: PROBLEM_SCHEMA },
} as const;

export const PATCH_LISTING = {
  summary: 'Edit a listing (a price drop, a restock, a removal)',
  tags: ['catalog'],
  params: ID_PARAMS,
  body: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      title: { type: 'string', minLength: 3, maxLength: 120 },
      description: { type: 'string', maxLength: 2000 },
      priceCents: { type: 'integer', minimum: 1, maximum: 100_000_000 },
      quantity: { type: 'integer', minimum: 0, maximum: 1000 },
      status: { type: 'string', enum: ['active', 'removed'] },
      size: { type: 'string', minLength: 1, maxLength: 16 },
      condition: { type: 'string', enum: [...CONDITIONS] },
    },
  },
  response: { 200: LISTING_SCHEMA, 400: PROBLEM_SCHEMA, 404: PROBLEM_SCHEMA },
} as const;

export const GET_SELLER = {
  summary: 'A seller with ratings and sales',
  tags: ['catalog'],
  params: ID_PARAMS,
  response: {
    200: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        name: { type: 'string' },
        country: { type: 'string' },
        rating: {
          type: 'object',
          properties: { average: { type: ['number', 'null'] }, count: { type: 'integer' } },
        },
        salesCount: { type: 'integer' },
        createdAt: { type: 'string', format: 'date-time' },
      },
    },
    404: PROBLEM_SCHEMA,
  },
} as const;
