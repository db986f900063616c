// JSON Schemas (draft-07, checked by ajv as the SLO specs are) of what `marketbench gate
// --budgets` accepts: a marketbench/v1 Budgets file, or a plain k6 options file whose
// `thresholds` are the budgets. Unknown keys are refused, so a typo cannot empty the gate.

import { CAPACITY_BUDGETS_SCHEMA } from './capacityBudgets.ts';

/** A k6 threshold list: expressions, or k6's `{ threshold, abortOnFail, delayAbortEval }` objects. */
const THRESHOLDS = {
  type: 'object',
  additionalProperties: {
    type: 'array',
    minItems: 1,
    items: {
      anyOf: [
        { type: 'string', minLength: 1 },
        {
          type: 'object',
          additionalProperties: false,
          required: ['threshold'],
          properties: {
            threshold: { type: 'string', minLength: 1 },
            abortOnFail: { type: 'boolean' },
            delayAbortEval: { type: 'string' },
          },
        },
      ],
    },
  },
} as const;

const FRACTION = { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 } as const;

/** The `apiVersion: marketbench/v1`, `kind: Budgets` file. */
export const BUDGETS_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'marketbench/v1/Budgets',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'spec'],
  properties: {
    apiVersion: { const: 'marketbench/v1' },
    kind: { const: 'Budgets' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string', minLength: 1 }, description: { type: 'string' } },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        thresholds: THRESHOLDS,
        slos: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['slo'],
            properties: {
              slo: { type: 'string', minLength: 1 },
              window: { type: 'string', minLength: 1 },
              maxBurnRate: { type: 'number', exclusiveMinimum: 0 },
              maxBudgetConsumed: { type: 'number', minimum: 0 },
              noPage: { type: 'boolean' },
            },
            anyOf: [
              { required: ['maxBurnRate'] },
              { required: ['maxBudgetConsumed'] },
              { required: ['noPage'] },
            ],
          },
        },
        capacity: CAPACITY_BUDGETS_SCHEMA,
        baseline: {
          type: 'object',
          additionalProperties: false,
          properties: {
            quantile: FRACTION,
            tolerance: { type: 'number', minimum: 0 },
            minToleranceMs: { type: 'number', minimum: 0 },
            alpha: FRACTION,
            confidence: FRACTION,
            resamples: { type: 'integer', minimum: 1 },
            minSamples: { type: 'integer', minimum: 0 },
            steps: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          },
        },
      },
    },
  },
} as const;

/** Every top-level option of k6's `Options` (from @types/k6): a k6 options file may carry them. */
export const K6_OPTION_KEYS = [
  'batch',
  'batchPerHost',
  'blacklistIPs',
  'blockHostnames',
  'cloud',
  'discardResponseBodies',
  'dns',
  'duration',
  'executionSegment',
  'executionSegmentSequence',
  'ext',
  'handleSummaryTimeout',
  'hosts',
  'httpDebug',
  'insecureSkipTLSVerify',
  'iterations',
  'linger',
  'maxRedirects',
  'minIterationDuration',
  'noConnectionReuse',
  'noCookiesReset',
  'noUsageReport',
  'noVUConnectionReuse',
  'paused',
  'rps',
  'scenarios',
  'setupTimeout',
  'stages',
  'summaryTimeUnit',
  'summaryTrendStats',
  'systemTags',
  'tags',
  'teardownTimeout',
  'thresholds',
  'throw',
  'tlsAIAFetch',
  'tlsAuth',
  'tlsCipherSuites',
  'tlsVersion',
  'userAgent',
  'vus',
  'vusMax',
] as const;

/** A plain k6 options file (`k6 run --config`, or an `options` export saved as JSON/YAML). */
export const K6_OPTIONS_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'k6/options',
  type: 'object',
  required: ['thresholds'],
  propertyNames: { enum: K6_OPTION_KEYS },
  properties: { thresholds: THRESHOLDS },
} as const;
