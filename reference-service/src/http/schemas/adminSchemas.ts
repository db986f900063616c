// JSON Schemas of the admin routes (faults, ledger check); the fault body is documented in
// docs/REFERENCE-SERVICE.md and must stay in step with FaultSpec.
import { FAULT_DEPENDENCIES } from '@marketbench/contracts';
import { PROBLEM_SCHEMA } from '../problems.ts';

const PERCENT = { type: 'number', minimum: 0, maximum: 100 } as const;
const MS = { type: 'number', minimum: 0, maximum: 600_000 } as const;

const LATENCY = {
  type: 'object',
  required: ['distribution'],
  oneOf: [
    {
      additionalProperties: false,
      required: ['distribution', 'ms'],
      properties: { distribution: { const: 'fixed' }, ms: MS, percent: PERCENT },
    },
    {
      additionalProperties: false,
      required: ['distribution', 'minMs', 'maxMs'],
      properties: { distribution: { const: 'uniform' }, minMs: MS, maxMs: MS, percent: PERCENT },
    },
    {
      additionalProperties: false,
      required: ['distribution', 'meanMs', 'stddevMs'],
      properties: { distribution: { const: 'normal' }, meanMs: MS, stddevMs: MS, percent: PERCENT },
    },
    {
      additionalProperties: false,
      required: ['distribution', 'meanMs'],
      properties: { distribution: { const: 'exponential' }, meanMs: MS, percent: PERCENT },
    },
  ],
} as const;

export const FAULT_SPEC_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    latency: LATENCY,
    errorPercent: PERCENT,
    outage: { type: 'boolean' },
    expiresInSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86_400 },
  },
} as const;

const AUTH = { type: 'object', properties: { authorization: { type: 'string' } } } as const;

const FAULTS_DOC = {
  type: 'object',
  properties: {
    faults: { type: 'object', additionalProperties: true },
    injected: { type: 'object', additionalProperties: true },
  },
} as const;

const ADMIN_ERRORS = { 401: PROBLEM_SCHEMA, 403: PROBLEM_SCHEMA } as const;

export const GET_FAULTS = {
  summary: 'Faults in force and faults injected so far',
  tags: ['admin'],
  security: [{ bearer: [] }],
  headers: AUTH,
  response: { 200: FAULTS_DOC, ...ADMIN_ERRORS },
} as const;

export const PUT_FAULTS = {
  summary: 'Replace the fault set (per dependency: latency distribution, error percentage, outage)',
  tags: ['admin'],
  security: [{ bearer: [] }],
  headers: AUTH,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['faults'],
    properties: {
      faults: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(FAULT_DEPENDENCIES.map((d) => [d, FAULT_SPEC_SCHEMA])),
      },
    },
  },
  response: { 200: FAULTS_DOC, 400: PROBLEM_SCHEMA, ...ADMIN_ERRORS },
} as const;

export const DELETE_FAULTS = {
  summary: 'Clear every fault',
  tags: ['admin'],
  security: [{ bearer: [] }],
  headers: AUTH,
  response: { 200: FAULTS_DOC, ...ADMIN_ERRORS },
} as const;

export const LEDGER_CHECK = {
  summary: 'Prove the ledger: every journal balances, all accounts sum to zero, every order ties out',
  tags: ['admin'],
  security: [{ bearer: [] }],
  headers: AUTH,
  response: {
    200: { type: 'object', additionalProperties: true },
    409: { type: 'object', additionalProperties: true },
    ...ADMIN_ERRORS,
  },
} as const;

/** Epoch milliseconds or an ISO 8601 time. */
const INSTANT = {
  type: 'string',
  maxLength: 40,
  pattern: '^(\\d{1,15}|\\d{4}-\\d{2}-\\d{2}T[0-9:.]+(Z|[+-]\\d{2}:\\d{2}))$',
} as const;

export const RECONCILIATION = {
  summary:
    'Reconcile the PSP settlement report with orders and ledger, per currency, to the cent; discrepancies by kind',
  tags: ['admin'],
  security: [{ bearer: [] }],
  headers: AUTH,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { from: INSTANT, to: INSTANT },
  },
  response: {
    200: {
      type: 'object',
      required: ['ok', 'counts', 'discrepancies', 'currencies'],
      additionalProperties: true,
      properties: {
        ok: { type: 'boolean' },
        from: { type: 'string' },
        to: { type: 'string' },
        pspComplete: { type: 'boolean' },
        orders: { type: 'integer' },
        captures: { type: 'integer' },
        refunds: { type: 'integer' },
        currencies: { type: 'object', additionalProperties: true },
        counts: { type: 'object', additionalProperties: { type: 'integer' } },
        discrepancies: { type: 'array', items: { type: 'object', additionalProperties: true } },
      },
    },
    400: PROBLEM_SCHEMA,
    503: PROBLEM_SCHEMA,
    ...ADMIN_ERRORS,
  },
} as const;
