// Public types of @marketbench/contracts: the error catalog's shape, the parsers' rules, the
// configuration sources and the objectives' shape.

import type { ExitCode } from './errors/exitCodes.ts';
import type { MarketbenchError } from './errors/MarketbenchError.ts';
import type { EnvName, ROUTE_GROUPS } from './names.ts';

/** What a catalog says about one code. */
export interface ErrorSpec {
  /** Exit code of the marketbench command when this error ends it. */
  readonly exit: ExitCode;
  /** HTTP status, for errors that are also answered over HTTP (problem+json). */
  readonly status?: number;
  /** What the code means, one sentence; the docs print it. */
  readonly description: string;
}

/** Options of a MarketbenchError besides its code and message. */
export interface MarketbenchErrorOptions {
  /** The underlying error (printed with --verbose). */
  cause?: unknown;
}

/** A MarketbenchError whose code is one of a catalog's. */
export type CatalogError<K extends string> = MarketbenchError & { readonly code: K };

/** A package's error catalog. */
export interface ErrorCatalog<K extends string> {
  /** Every code with its spec, in declaration order. */
  readonly specs: Readonly<Record<K, ErrorSpec>>;
  /** Every code, in declaration order. */
  readonly codes: readonly K[];
  /** The spec of `code`. */
  spec(code: K): ErrorSpec;
  /** True when `code` is one of this catalog's. */
  has(code: string): code is K;
  /** A MarketbenchError with `code`, its exit code and status. */
  create(code: K, message: string, options?: MarketbenchErrorOptions): CatalogError<K>;
}

/** Constraints on a parsed number. */
export interface NumberRule {
  /** Refuse a fraction. */
  integer?: boolean;
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
}

/** Constraints on a parsed duration, ms. */
export interface DurationRule {
  /** Smallest allowed duration, ms (inclusive). */
  minMs?: number;
  /** Largest allowed duration, ms (inclusive). */
  maxMs?: number;
}

/** A set of environment variables, as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Parses one raw value; `name` is the flag or variable it came from, for the error message. */
export type Parser<T> = (raw: string, name: string) => T;

/** Where a setting can come from, in precedence order. */
export interface SettingSources<T> {
  /** A value already typed (a programmatic option); wins over everything. */
  arg?: T | undefined;
  /** The raw text of a command-line flag, with the flag's name (`--port`); parsed with `parse`. */
  flag?: { name: string; value: string | undefined };
  /** Environment variables, first set one wins (`['MARKETBENCH_PORT', 'PORT']`). */
  env?: EnvName | readonly EnvName[];
  /** Parser of the flag's and the variables' text. */
  parse: Parser<T>;
  /** The documented default. */
  default?: T;
  /** The environment to read; the process's by default. */
  environment?: Environment;
}

/** A request-based availability objective: the share of requests answered without a server error. */
export interface AvailabilityObjective {
  /** The SLO's name in the specs (`slo-definitions/specs`). */
  readonly slo: string;
  readonly kind: 'availability';
  /** Route group (ROUTE_GROUPS) the SLI counts. */
  readonly routeGroup: keyof typeof ROUTE_GROUPS;
  /** Share of good requests, e.g. 0.999. */
  readonly target: number;
}

/** A request-based latency objective: the share of requests answered within `thresholdMs`. */
export interface LatencyObjective {
  /** The SLO's name in the specs (`slo-definitions/specs`). */
  readonly slo: string;
  readonly kind: 'latency';
  /** Route group (ROUTE_GROUPS) the SLI counts. */
  readonly routeGroup: keyof typeof ROUTE_GROUPS;
  /** Latency bound, ms; a bound of HTTP_DURATION_BUCKETS. */
  readonly thresholdMs: number;
  /** Share of requests within the bound, e.g. 0.99 (so the threshold is on p99). */
  readonly target: number;
}

export type Objective = AvailabilityObjective | LatencyObjective;
