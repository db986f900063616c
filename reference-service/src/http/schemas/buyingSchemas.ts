// JSON Schemas of the buying routes (carts, checkout, orders).
import { ORDER_STATUSES } from '../../domain/model.ts';
import { PROBLEM_SCHEMA } from '../problems.ts';

const CART_ID = { type: 'string', format: 'uuid' } as const;

export const CART_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    buyerId: { type: 'string' },
    currency: { type: 'string' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          listingId: { type: 'integer' },
          sellerId: { type: 'integer' },
          title: { type: 'string' },
          quantity: { type: 'integer' },
          unitPriceCents: { type: 'integer' },
        },
      },
    },
    totalCents: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const ORDER_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    buyerId: { type: 'string' },
    cartId: { type: 'string' },
    status: { type: 'string', enum: [...ORDER_STATUSES] },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          listingId: { type: 'integer' },
          sellerId: { type: 'integer' },
          quantity: { type: 'integer' },
          unitPriceCents: { type: 'integer' },
        },
      },
    },
    totalCents: { type: 'integer' },
    feeCents: { type: 'integer' },
    currency: { type: 'string' },
    paymentId: { type: ['string', 'null'] },
    cardLast4: { type: ['string', 'null'] },
    failureReason: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const CREATE_CART = {
  summary: 'A new, empty cart',
  tags: ['buying'],
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['buyerId'],
    properties: {
      buyerId: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' },
      currency: { type: 'string', pattern: '^[A-Z]{3}$', default: 'EUR' },
    },
  },
  response: { 201: CART_SCHEMA, 400: PROBLEM_SCHEMA },
} as const;

export const ADD_CART_ITEM = {
  summary: 'Add a listing to a cart (quantities add up)',
  tags: ['buying'],
  params: { type: 'object', required: ['id'], properties: { id: CART_ID } },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['listingId'],
    properties: {
      listingId: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 },
      quantity: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
    },
  },
  response: { 200: CART_SCHEMA, 400: PROBLEM_SCHEMA, 404: PROBLEM_SCHEMA, 422: PROBLEM_SCHEMA },
} as const;

export const GET_CART = {
  summary: 'A cart with its lines priced from the live listings',
  tags: ['buying'],
  params: { type: 'object', required: ['id'], properties: { id: CART_ID } },
  response: { 200: CART_SCHEMA, 404: PROBLEM_SCHEMA },
} as const;

export const CHECKOUT = {
  summary: 'Buy a cart: reserve stock, charge the card, book the ledger (idempotent)',
  description:
    'Requires an Idempotency-Key header. The same key with the same body returns the first response ' +
    '(header Idempotent-Replayed: true); with a different body it answers 422. The card is tokenized at ' +
    'the edge; the PAN and CVC are never stored or logged.',
  tags: ['buying'],
  headers: {
    type: 'object',
    properties: { 'idempotency-key': { type: 'string', minLength: 8, maxLength: 255 } },
  },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['cartId', 'payment'],
    properties: {
      cartId: CART_ID,
      payment: {
        type: 'object',
        additionalProperties: false,
        required: ['card'],
        properties: {
          card: {
            type: 'object',
            additionalProperties: false,
            required: ['number', 'expMonth', 'expYear', 'cvc'],
            properties: {
              number: { type: 'string', pattern: '^[0-9 -]{12,23}$' },
              expMonth: { type: 'integer', minimum: 1, maximum: 12 },
              expYear: { type: 'integer', minimum: 2000, maximum: 2100 },
              cvc: { type: 'string', pattern: '^[0-9]{3,4}$' },
            },
          },
        },
      },
    },
  },
  response: {
    201: ORDER_SCHEMA,
    400: PROBLEM_SCHEMA,
    402: PROBLEM_SCHEMA,
    404: PROBLEM_SCHEMA,
    409: PROBLEM_SCHEMA,
    422: PROBLEM_SCHEMA,
    503: PROBLEM_SCHEMA,
  },
} as const;

export const GET_ORDER = {
  summary: 'An order',
  tags: ['buying'],
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
  response: { 200: ORDER_SCHEMA, 404: PROBLEM_SCHEMA },
} as const;

export const CANCEL_ORDER = {
  summary: 'Cancel a pending order or refund a paid one',
  tags: ['buying'],
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
  response: { 200: ORDER_SCHEMA, 404: PROBLEM_SCHEMA, 409: PROBLEM_SCHEMA, 503: PROBLEM_SCHEMA },
} as const;
