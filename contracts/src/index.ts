// Public API of @marketbench/contracts: what every package shares and nobody re-declares.

export { HTTP_DURATION_BUCKETS, isHttpDurationBound } from './buckets.ts';
export { resolveAdminToken } from './config/adminToken.ts';
export { inCi, processEnvironment, readEnv } from './config/environment.ts';
export { parseBoolean, parseOneOf, parseString, resolveSetting } from './config/resolveSetting.ts';
export { CONTRACT_ERRORS, type ContractErrorCode } from './errors/contractErrors.ts';
export { defineCatalog } from './errors/defineCatalog.ts';
export { EXIT, type ExitCode } from './errors/exitCodes.ts';
export { isMarketbenchError, MarketbenchError } from './errors/MarketbenchError.ts';
export {
  ATTR,
  BAGGAGE,
  ENV,
  type EnvName,
  FAULT_DEPENDENCIES,
  type FaultDependency,
  LABELS,
  LOAD_SAMPLES,
  METRICS,
  type MetricName,
  OTEL_TABLES,
  type OtelTableName,
  PSP_ROUTES,
  ROUTE_GROUPS,
  ROUTES,
  type RouteTemplate,
  SERVICES,
  type ServiceName,
  SPAN_EVENTS,
  STEPS,
  type StepName,
  serverSpanName,
  TABLES,
} from './names.ts';
export { errorRateThreshold, latencyThreshold, OBJECTIVES, objectiveForSlo } from './objectives.ts';
export { formatDuration, parseDuration, tryParseDuration } from './parse/parseDuration.ts';
export { describeNumberRule, parseNumber, parsePort, tryParseNumber } from './parse/parseNumber.ts';
export type {
  AvailabilityObjective,
  CatalogError,
  DurationRule,
  Environment,
  ErrorCatalog,
  ErrorSpec,
  LatencyObjective,
  MarketbenchErrorOptions,
  NumberRule,
  Objective,
  Parser,
  SettingSources,
} from './types.ts';
