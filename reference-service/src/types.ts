// Public configuration of the reference service. Precedence: argument, then environment
// variable, then DEFAULT_OPTIONS (options.ts); docs/REFERENCE-SERVICE.md lists every variable.
import type { Telemetry } from '@marketbench/instrumentation';
import type { PaymentPolicy } from './payments/HttpPaymentGateway.ts';

export interface ServiceOptions {
  /** Interface to listen on; env MARKETBENCH_HOST. */
  host?: string;
  /** TCP port (0 = any free port); env MARKETBENCH_PORT. */
  port?: number;
  /** Listings in the seeded catalog; env MARKETBENCH_ITEMS. */
  items?: number;
  /** Seed of the deterministic catalog; env MARKETBENCH_SEED. */
  seed?: number;
  /** SQLite file (':memory:' for a throwaway store); env MARKETBENCH_SQLITE_PATH, else $MARKETBENCH_HOME/reference-service.sqlite. */
  sqlitePath?: string;
  /** PostgreSQL connection string; switches the store to PostgreSQL; env DATABASE_URL. */
  databaseUrl?: string;
  /** PostgreSQL schema to use (created if missing); env MARKETBENCH_PG_SCHEMA. */
  pgSchema?: string;
  /** Redis URL; switches the cache from the in-process LRU to Redis; env REDIS_URL. */
  redisUrl?: string;
  /** NATS URL; the outbox relay publishes to NATS JetStream; env NATS_URL. */
  natsUrl?: string;
  /** AMQP URL; the outbox relay publishes to RabbitMQ; env AMQP_URL. */
  amqpUrl?: string;
  /** Bearer token of the /admin routes (random when unset); env MARKETBENCH_ADMIN_TOKEN. */
  adminToken?: string;
  /** Let non-loopback callers reach /admin routes; env MARKETBENCH_ADMIN_REMOTE=true. */
  adminRemote?: boolean;
  /** Marketplace fee in basis points of each line; env MARKETBENCH_FEE_BPS. */
  feeBps?: number;
  /** How long a checkout may hold stock before payment, ms; env MARKETBENCH_RESERVATION_TTL_MS. */
  reservationTtlMs?: number;
  /** Base latency of the simulated PSP, ms; env MARKETBENCH_PSP_LATENCY_MS. */
  pspLatencyMs?: number;
  /** Payment resilience policy (timeouts, retries, breaker, hedging, resolver). */
  payment?: Partial<PaymentPolicy>;
  /** URL of an external PSP (a simulator shared by several instances); env MARKETBENCH_PSP_URL. Unset: an in-process simulator. */
  pspUrl?: string;
  /** Secret of the keyed card fingerprint (card tokens, idempotency); env MARKETBENCH_CARD_FINGERPRINT_SECRET. */
  cardFingerprintSecret?: string;
  /** A started telemetry handle (traces, logs, /metrics); none means no telemetry. */
  telemetry?: Telemetry;
  /** Fastify request logging (pino) on; env LOG_LEVEL=debug turns it on. */
  requestLogging?: boolean;
  /** Outbox relay poll interval, ms. */
  outboxPollMs?: number;
  /** Sold-out listings go back on sale after this long, ms (0: never); env MARKETBENCH_RELIST_AFTER_MS. */
  relistAfterMs?: number;
  /** Prefix of the bus names (NATS stream/subjects, RabbitMQ queues); env MARKETBENCH_BUS_PREFIX. */
  busPrefix?: string;
  /** Remove the bus stream/queues on close (tests and throwaway runs). */
  busEphemeral?: boolean;
}

/** Options after precedence was applied. */
export interface ResolvedServiceOptions {
  /** See ServiceOptions.host. */
  host: string;
  /** See ServiceOptions.port. */
  port: number;
  /** See ServiceOptions.items. */
  items: number;
  /** See ServiceOptions.seed. */
  seed: number;
  /** See ServiceOptions.sqlitePath. */
  sqlitePath: string;
  /** See ServiceOptions.databaseUrl. */
  databaseUrl: string | undefined;
  /** See ServiceOptions.pgSchema. */
  pgSchema: string;
  /** See ServiceOptions.redisUrl. */
  redisUrl: string | undefined;
  /** See ServiceOptions.natsUrl. */
  natsUrl: string | undefined;
  /** See ServiceOptions.amqpUrl. */
  amqpUrl: string | undefined;
  /** See ServiceOptions.adminToken (generated when unset). */
  adminToken: string;
  /** See ServiceOptions.adminRemote. */
  adminRemote: boolean;
  /** See ServiceOptions.feeBps. */
  feeBps: number;
  /** See ServiceOptions.reservationTtlMs. */
  reservationTtlMs: number;
  /** See ServiceOptions.pspLatencyMs. */
  pspLatencyMs: number;
  /** See ServiceOptions.payment. */
  payment: PaymentPolicy;
  /** See ServiceOptions.pspUrl. */
  pspUrl: string | undefined;
  /** See ServiceOptions.cardFingerprintSecret. */
  cardFingerprintSecret: string;
  /** See ServiceOptions.telemetry. */
  telemetry: Telemetry | undefined;
  /** See ServiceOptions.requestLogging. */
  requestLogging: boolean;
  /** See ServiceOptions.outboxPollMs. */
  outboxPollMs: number;
  /** See ServiceOptions.relistAfterMs. */
  relistAfterMs: number;
  /** See ServiceOptions.busPrefix. */
  busPrefix: string;
  /** See ServiceOptions.busEphemeral. */
  busEphemeral: boolean;
}
