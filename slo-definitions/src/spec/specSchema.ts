// JSON Schema (draft-07, checked by ajv) of a marketbench/v1 SLO spec file. Structural rules
// only; names are checked against the name table by validateNames, windows by burnWindows.

const DURATION = '^[0-9]+(ms|s|m|h|d|w)$';
const NAME = '^[a-z][a-z0-9]*(-[a-z0-9]+)*$';
const LABELS = {
  type: 'object',
  propertyNames: { pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' },
  additionalProperties: { type: 'string' },
};
const ROUTES = {
  routeGroup: { type: 'string', minLength: 1 },
  routes: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true },
  methods: {
    type: 'array',
    items: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] },
    minItems: 1,
    uniqueItems: true,
  },
  excludeClientErrors: { type: 'boolean' },
};
const ONE_ROUTE_SOURCE = { anyOf: [{ required: ['routeGroup'] }, { required: ['routes'] }] };

/** The schema; `$id` names the apiVersion it validates. */
export const SPEC_SCHEMA = {
  $id: 'https://marketbench.dev/schemas/slo/v1.json',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'marketbench/v1' },
    kind: { const: 'ServiceLevelObjectives' },
    metadata: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: { type: 'string', pattern: NAME }, displayName: { type: 'string' } },
    },
    spec: {
      type: 'object',
      required: ['service', 'slos'],
      additionalProperties: false,
      properties: {
        service: { type: 'string', minLength: 1 },
        labels: LABELS,
        prometheusSelector: LABELS,
        slos: { type: 'array', minItems: 1, items: { $ref: '#/definitions/slo' } },
      },
    },
  },
  definitions: {
    slo: {
      type: 'object',
      required: ['name', 'description', 'indicator', 'objectives', 'timeWindow', 'budgetingMethod'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', pattern: NAME },
        displayName: { type: 'string' },
        description: { type: 'string', minLength: 10 },
        indicator: {
          type: 'object',
          minProperties: 1,
          maxProperties: 1,
          additionalProperties: false,
          properties: {
            httpAvailability: {
              type: 'object',
              additionalProperties: false,
              properties: ROUTES,
              ...ONE_ROUTE_SOURCE,
            },
            httpLatency: {
              type: 'object',
              required: ['threshold'],
              additionalProperties: false,
              properties: { ...ROUTES, threshold: { type: 'string', pattern: DURATION } },
              ...ONE_ROUTE_SOURCE,
            },
            counterRatio: {
              type: 'object',
              required: ['metric', 'badWhen'],
              additionalProperties: false,
              properties: {
                metric: { type: 'string', minLength: 1 },
                selector: LABELS,
                badWhen: {
                  type: 'object',
                  minProperties: 1,
                  additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 },
                },
              },
            },
            freshness: {
              type: 'object',
              required: ['metric', 'maxAge'],
              additionalProperties: false,
              properties: {
                metric: { type: 'string', minLength: 1 },
                maxAge: { type: 'string', pattern: DURATION },
              },
            },
          },
        },
        objectives: {
          type: 'array',
          minItems: 1,
          maxItems: 1,
          items: {
            type: 'object',
            required: ['target'],
            additionalProperties: false,
            properties: {
              target: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
              displayName: { type: 'string' },
            },
          },
        },
        timeWindow: {
          type: 'object',
          required: ['duration', 'isRolling'],
          additionalProperties: false,
          properties: { duration: { type: 'string', pattern: DURATION }, isRolling: { const: true } },
        },
        budgetingMethod: { const: 'Occurrences' },
        alerting: {
          type: 'object',
          additionalProperties: false,
          properties: {
            name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
            labels: LABELS,
            annotations: { type: 'object', additionalProperties: { type: 'string' } },
            pageLabels: LABELS,
            ticketLabels: LABELS,
            pageFor: { type: 'string', pattern: DURATION },
            ticketFor: { type: 'string', pattern: DURATION },
            windows: {
              type: 'array',
              minItems: 1,
              items: {
                type: 'object',
                required: ['severity', 'long', 'short'],
                additionalProperties: false,
                properties: {
                  severity: { enum: ['page', 'ticket'] },
                  long: { type: 'string', pattern: DURATION },
                  short: { type: 'string', pattern: DURATION },
                  burnRate: { type: 'number', exclusiveMinimum: 0 },
                  budgetConsumed: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
