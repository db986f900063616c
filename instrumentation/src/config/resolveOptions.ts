// Applies the documented precedence to every setting: the argument, then the `OTEL_*` (or
// `MARKETBENCH_*`) environment variable, then DEFAULT_OPTIONS. Bad env values fall through to the
// default rather than throwing: telemetry configuration must never stop the host from starting.

import { ATTR, processEnvironment, ROUTES } from '@marketbench/contracts';
import type { OtlpProtocol, ResolvedOptions, TelemetryOptions } from '../types.ts';

/** Defaults used when neither an argument nor an environment variable sets a value. */
export const DEFAULT_OPTIONS = {
  serviceName: 'unknown_service:node',
  otlpEndpoint: 'http://127.0.0.1:4318',
  protocol: 'http/protobuf' as OtlpProtocol,
  sampleRatio: 1,
  redactKeys: [
    'authorization',
    'cookie',
    'set-cookie',
    'proxy-authorization',
    'x-api-key',
    'password',
    'card.*',
  ],
  exportTimeoutMs: 10_000,
  scheduledDelayMs: 1_000,
  maxQueueSize: 8_192,
  maxExportBatchSize: 1_024,
  maxConcurrentExports: 2,
  logLevel: 'info' as const,
  runtimeMetrics: true,
  handleSignals: true,
  ignoreRoutes: [ROUTES.metrics] as readonly string[],
  metricsPath: ROUTES.metrics,
} as const;

type Env = Record<string, string | undefined>;

function str(env: Env, key: string): string | undefined {
  const v = env[key]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function num(env: Env, key: string, min: number, max: number): number | undefined {
  const v = str(env, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= min && n <= max ? n : undefined;
}

function bool(env: Env, key: string): boolean | undefined {
  const v = str(env, key)?.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return undefined;
}

/** Parses `k=v,k2=v2` (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS), percent-decoding values. */
export function parseKeyValueList(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value: a malformed escape must not break startup
    }
    if (key) out[key] = value;
  }
  return out;
}

function protocolFrom(v: string | undefined): OtlpProtocol | undefined {
  return v === 'http/protobuf' || v === 'http/json' ? v : undefined;
}

/** Sampling ratio from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, undefined when unset or unknown. */
function samplerRatioFromEnv(env: Env): number | undefined {
  const sampler = str(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase();
  if (sampler === undefined) return undefined;
  if (sampler === 'always_on' || sampler === 'parentbased_always_on') return 1;
  if (sampler === 'always_off' || sampler === 'parentbased_always_off') return 0;
  if (sampler === 'traceidratio' || sampler === 'parentbased_traceidratio') {
    return num(env, 'OTEL_TRACES_SAMPLER_ARG', 0, 1) ?? 1;
  }
  return undefined;
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

function isValidUrl(u: string | undefined): u is string {
  if (u === undefined) return false;
  try {
    new URL(u);
    return true;
  } catch {
    return false;
  }
}

/** Applies argument > environment > DEFAULT_OPTIONS to every setting. */
export function resolveOptions(
  args: TelemetryOptions = {},
  env: Env = processEnvironment(),
): ResolvedOptions {
  const envResource = parseKeyValueList(str(env, 'OTEL_RESOURCE_ATTRIBUTES'));
  const serviceName =
    args.serviceName ??
    str(env, 'OTEL_SERVICE_NAME') ??
    envResource[ATTR.serviceName] ??
    DEFAULT_OPTIONS.serviceName;
  const serviceVersion = args.serviceVersion ?? envResource[ATTR.serviceVersion];
  const environment =
    args.environment ?? envResource[ATTR.deploymentEnvironment] ?? envResource['deployment.environment'];

  const resourceAttributes: Record<string, string | number | boolean> = {
    ...envResource,
    ...args.resourceAttributes,
    [ATTR.serviceName]: serviceName,
  };
  if (serviceVersion !== undefined) resourceAttributes[ATTR.serviceVersion] = serviceVersion;
  if (environment !== undefined) resourceAttributes[ATTR.deploymentEnvironment] = environment;

  // A base endpoint given as argument outranks any env var, including the signal-specific ones.
  const argBase = isValidUrl(args.otlpEndpoint) ? args.otlpEndpoint : undefined;
  const envBase = str(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const base = argBase ?? (isValidUrl(envBase) ? envBase : DEFAULT_OPTIONS.otlpEndpoint);
  const envTraces = str(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const envLogs = str(env, 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT');
  const tracesEndpoint =
    (isValidUrl(args.tracesEndpoint) ? args.tracesEndpoint : undefined) ??
    (argBase ? joinUrl(argBase, '/v1/traces') : undefined) ??
    (isValidUrl(envTraces) ? envTraces : undefined) ??
    joinUrl(base, '/v1/traces');
  const logsEndpoint =
    (isValidUrl(args.logsEndpoint) ? args.logsEndpoint : undefined) ??
    (argBase ? joinUrl(argBase, '/v1/logs') : undefined) ??
    (isValidUrl(envLogs) ? envLogs : undefined) ??
    joinUrl(base, '/v1/logs');

  const protocol =
    args.protocol ??
    protocolFrom(str(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')) ??
    protocolFrom(str(env, 'OTEL_EXPORTER_OTLP_PROTOCOL')) ??
    DEFAULT_OPTIONS.protocol;

  const sampleRatio =
    args.sampleRatio !== undefined && args.sampleRatio >= 0 && args.sampleRatio <= 1
      ? args.sampleRatio
      : (samplerRatioFromEnv(env) ?? DEFAULT_OPTIONS.sampleRatio);

  const envRedact = str(env, 'MARKETBENCH_REDACT_KEYS')
    ?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const redactKeys = args.redactKeys ?? envRedact ?? DEFAULT_OPTIONS.redactKeys;

  const maxQueueSize =
    args.maxQueueSize ?? num(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 1, 1e7) ?? DEFAULT_OPTIONS.maxQueueSize;
  const maxExportBatchSize = Math.min(
    maxQueueSize,
    args.maxExportBatchSize ??
      num(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 1, 1e6) ??
      DEFAULT_OPTIONS.maxExportBatchSize,
  );

  const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  const envLevel = str(env, 'LOG_LEVEL')?.toLowerCase();

  return {
    serviceName,
    serviceVersion,
    environment,
    resourceAttributes,
    tracesEndpoint,
    logsEndpoint,
    protocol,
    otlpHeaders: { ...parseKeyValueList(str(env, 'OTEL_EXPORTER_OTLP_HEADERS')), ...args.otlpHeaders },
    sampleRatio,
    redactKeys,
    exportTimeoutMs:
      args.exportTimeoutMs ??
      num(env, 'OTEL_BSP_EXPORT_TIMEOUT', 1, 3_600_000) ??
      num(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', 1, 3_600_000) ??
      DEFAULT_OPTIONS.exportTimeoutMs,
    scheduledDelayMs:
      args.scheduledDelayMs ??
      num(env, 'OTEL_BSP_SCHEDULE_DELAY', 0, 3_600_000) ??
      DEFAULT_OPTIONS.scheduledDelayMs,
    maxQueueSize,
    maxExportBatchSize,
    maxConcurrentExports:
      args.maxConcurrentExports ??
      num(env, 'MARKETBENCH_OTLP_CONCURRENCY', 1, 64) ??
      DEFAULT_OPTIONS.maxConcurrentExports,
    logLevel:
      args.logLevel ??
      (envLevel && logLevels.includes(envLevel)
        ? (envLevel as ResolvedOptions['logLevel'])
        : DEFAULT_OPTIONS.logLevel),
    disabled: args.disabled ?? bool(env, 'OTEL_SDK_DISABLED') ?? false,
    tracesEnabled: args.tracesEnabled ?? str(env, 'OTEL_TRACES_EXPORTER')?.toLowerCase() !== 'none',
    logsEnabled: args.logsEnabled ?? str(env, 'OTEL_LOGS_EXPORTER')?.toLowerCase() !== 'none',
    runtimeMetrics: args.runtimeMetrics ?? DEFAULT_OPTIONS.runtimeMetrics,
    handleSignals: args.handleSignals ?? DEFAULT_OPTIONS.handleSignals,
    ignoreRoutes: args.ignoreRoutes ?? DEFAULT_OPTIONS.ignoreRoutes,
    metricsPath: args.metricsPath ?? DEFAULT_OPTIONS.metricsPath,
  };
}
