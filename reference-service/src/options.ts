// DEFAULT_OPTIONS and the precedence rule: argument, then environment variable, then default.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { PaymentPolicy } from './payments/HttpPaymentGateway.ts';
import type { ResolvedServiceOptions, ServiceOptions } from './types.ts';

export const DEFAULT_PAYMENT_POLICY: PaymentPolicy = {
  attemptTimeoutMs: 1_000,
  maxAttempts: 3,
  backoffBaseMs: 50,
  backoffCapMs: 1_000,
  hedgeAfterMs: 0,
  breaker: { failureThreshold: 10, openMs: 5_000, halfOpenMaxCalls: 1 },
  resolveIntervalMs: 1_000,
  // Past two attempt timeouts (the stall grace can double one): an attempt the PSP is still
  // processing has landed before the resolver asks, so the resolver rarely bars a charge in flight.
  resolveDelayMs: 2_500,
  resolveDelayCapMs: 30_000,
  resolveMaxAttempts: 8,
};

/**
 * The documented default of MARKETBENCH_CARD_FINGERPRINT_SECRET, for the embedded stack: card
 * fingerprints (and so idempotency fingerprints) must be the same in every process, which a
 * per-process random secret broke (the same body got 422 after a restart). Set your own secret
 * wherever real cards could appear.
 */
export const DEFAULT_CARD_FINGERPRINT_SECRET = 'marketbench-embedded-card-fingerprint-secret';

export const DEFAULT_OPTIONS = {
  host: '127.0.0.1',
  port: 8080,
  items: 100_000,
  seed: 42,
  /** Under MARKETBENCH_HOME (default `.marketbench`), beside the telemetry store. */
  sqliteFile: 'reference-service.sqlite',
  pgSchema: 'marketbench',
  adminRemote: false,
  feeBps: 1_000,
  reservationTtlMs: 120_000,
  pspLatencyMs: 5,
  payment: DEFAULT_PAYMENT_POLICY,
  requestLogging: false,
  outboxPollMs: 100,
  busPrefix: 'marketbench',
  relistAfterMs: 60_000,
} as const;

function envNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${JSON.stringify(raw)}`);
  return n;
}

function envString(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

export function resolveServiceOptions(
  args: ServiceOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedServiceOptions {
  const d = DEFAULT_OPTIONS;
  const items = args.items ?? envNumber(env, 'MARKETBENCH_ITEMS') ?? d.items;
  if (!Number.isInteger(items) || items < 1)
    throw new Error(`items must be a positive integer, got ${items}`);
  const hedge = envNumber(env, 'MARKETBENCH_PSP_HEDGE_MS');
  return {
    // PORT too, as container platforms set it (MARKETBENCH_PORT wins). Not HOST: zsh sets it to the
    // machine's name, which would quietly expose the service beyond loopback.
    host: args.host ?? envString(env, 'MARKETBENCH_HOST') ?? d.host,
    port: args.port ?? envNumber(env, 'MARKETBENCH_PORT') ?? envNumber(env, 'PORT') ?? d.port,
    items,
    seed: args.seed ?? envNumber(env, 'MARKETBENCH_SEED') ?? d.seed,
    sqlitePath:
      args.sqlitePath ??
      envString(env, 'MARKETBENCH_SQLITE_PATH') ??
      path.join(envString(env, 'MARKETBENCH_HOME') ?? '.marketbench', d.sqliteFile),
    databaseUrl: args.databaseUrl ?? envString(env, 'DATABASE_URL'),
    pgSchema: args.pgSchema ?? envString(env, 'MARKETBENCH_PG_SCHEMA') ?? d.pgSchema,
    redisUrl: args.redisUrl ?? envString(env, 'REDIS_URL'),
    natsUrl: args.natsUrl ?? envString(env, 'NATS_URL'),
    amqpUrl: args.amqpUrl ?? envString(env, 'AMQP_URL'),
    adminToken:
      args.adminToken ?? envString(env, 'MARKETBENCH_ADMIN_TOKEN') ?? randomBytes(18).toString('base64url'),
    adminRemote: args.adminRemote ?? env.MARKETBENCH_ADMIN_REMOTE === 'true',
    pspUrl: args.pspUrl ?? envString(env, 'MARKETBENCH_PSP_URL'),
    cardFingerprintSecret:
      args.cardFingerprintSecret ??
      envString(env, 'MARKETBENCH_CARD_FINGERPRINT_SECRET') ??
      DEFAULT_CARD_FINGERPRINT_SECRET,
    feeBps: args.feeBps ?? envNumber(env, 'MARKETBENCH_FEE_BPS') ?? d.feeBps,
    reservationTtlMs:
      args.reservationTtlMs ?? envNumber(env, 'MARKETBENCH_RESERVATION_TTL_MS') ?? d.reservationTtlMs,
    pspLatencyMs: args.pspLatencyMs ?? envNumber(env, 'MARKETBENCH_PSP_LATENCY_MS') ?? d.pspLatencyMs,
    payment: {
      ...d.payment,
      ...(hedge !== undefined ? { hedgeAfterMs: hedge } : {}),
      ...args.payment,
      breaker: { ...d.payment.breaker, ...args.payment?.breaker },
    },
    telemetry: args.telemetry,
    requestLogging: args.requestLogging ?? env.LOG_LEVEL === 'debug',
    outboxPollMs: args.outboxPollMs ?? d.outboxPollMs,
    busPrefix: args.busPrefix ?? envString(env, 'MARKETBENCH_BUS_PREFIX') ?? d.busPrefix,
    busEphemeral: args.busEphemeral ?? false,
    relistAfterMs: args.relistAfterMs ?? envNumber(env, 'MARKETBENCH_RELIST_AFTER_MS') ?? d.relistAfterMs,
  };
}
