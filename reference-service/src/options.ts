// DEFAULT_OPTIONS and the precedence rule (contracts' resolveSetting): argument, then environment
// variable, then default.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  CONTRACT_ERRORS,
  ENV,
  type Environment,
  type EnvName,
  parseBoolean,
  parseDuration,
  parseNumber,
  parsePort,
  parseString,
  processEnvironment,
  resolveAdminToken,
  resolveSetting,
} from '@marketbench/contracts';
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

/** Argument, then environment variable, then default, with contracts' parsers (MB_ERR_USAGE names the variable). */
export function resolveServiceOptions(
  args: ServiceOptions = {},
  environment: Environment = processEnvironment(),
): ResolvedServiceOptions {
  const d = DEFAULT_OPTIONS;
  const text = (arg: string | undefined, env: EnvName) =>
    resolveSetting({ arg, env, parse: parseString, environment });
  const int = (arg: number | undefined, env: EnvName, min: number, dflt: number) =>
    resolveSetting({
      arg,
      env,
      parse: (raw, name) => parseNumber(raw, name, { integer: true, min }),
      default: dflt,
      environment,
    });
  const ms = (arg: number | undefined, env: EnvName, dflt: number) =>
    resolveSetting({ arg, env, parse: (raw, name) => parseDuration(raw, name), default: dflt, environment });
  const items = int(args.items, ENV.items, 1, d.items);
  if (!Number.isInteger(items) || items < 1)
    throw CONTRACT_ERRORS.create('MB_ERR_USAGE', `items must be a positive integer, got ${items}`);
  const hedge = resolveSetting({
    env: ENV.pspHedgeMs,
    parse: (raw, name) => parseDuration(raw, name),
    environment,
  });
  return {
    // PORT too, as container platforms set it (MARKETBENCH_PORT wins). Not HOST: zsh sets it to the
    // machine's name, which would quietly expose the service beyond loopback.
    host: text(args.host, ENV.host) ?? d.host,
    port: resolveSetting({
      arg: args.port,
      env: [ENV.port, ENV.platformPort],
      parse: parsePort,
      default: d.port as number,
      environment,
    }),
    items,
    seed: int(args.seed, ENV.seed, 0, d.seed),
    sqlitePath:
      text(args.sqlitePath, ENV.sqlitePath) ??
      path.join(text(undefined, ENV.home) ?? '.marketbench', d.sqliteFile),
    databaseUrl: text(args.databaseUrl, ENV.databaseUrl),
    pgSchema: text(args.pgSchema, ENV.pgSchema) ?? d.pgSchema,
    redisUrl: text(args.redisUrl, ENV.redisUrl),
    natsUrl: text(args.natsUrl, ENV.natsUrl),
    amqpUrl: text(args.amqpUrl, ENV.amqpUrl),
    adminToken: resolveAdminToken(args.adminToken, environment) ?? randomBytes(18).toString('base64url'),
    adminRemote: resolveSetting({
      arg: args.adminRemote,
      env: ENV.adminRemote,
      parse: parseBoolean,
      default: d.adminRemote as boolean,
      environment,
    }),
    pspUrl: text(args.pspUrl, ENV.pspUrl),
    cardFingerprintSecret:
      text(args.cardFingerprintSecret, ENV.cardFingerprintSecret) ?? DEFAULT_CARD_FINGERPRINT_SECRET,
    feeBps: int(args.feeBps, ENV.feeBps, 0, d.feeBps),
    reservationTtlMs: ms(args.reservationTtlMs, ENV.reservationTtlMs, d.reservationTtlMs),
    pspLatencyMs: ms(args.pspLatencyMs, ENV.pspLatencyMs, d.pspLatencyMs),
    payment: {
      ...d.payment,
      ...(hedge !== undefined ? { hedgeAfterMs: hedge } : {}),
      ...args.payment,
      breaker: { ...d.payment.breaker, ...args.payment?.breaker },
    },
    telemetry: args.telemetry,
    requestLogging: args.requestLogging ?? text(undefined, ENV.logLevel) === 'debug',
    outboxPollMs: args.outboxPollMs ?? d.outboxPollMs,
    busPrefix: text(args.busPrefix, ENV.busPrefix) ?? d.busPrefix,
    busEphemeral: args.busEphemeral ?? false,
    relistAfterMs: ms(args.relistAfterMs, ENV.relistAfterMs, d.relistAfterMs),
  };
}
