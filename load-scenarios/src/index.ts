// @marketbench/load-scenarios: scenarios as typed code with k6 executors and thresholds, the
// open-model runner (coordinated-omission corrected latency, HDR histograms, a row per request),
// the built-in marketplace scenarios and the k6 script export.

export type {
  CompareOptions,
  MixDistance,
  MixRow,
  RateError,
  RateRow,
  TrafficComparison,
} from './derive/compareProfiles.ts';
export { compareProfiles, formatComparison, totalVariation } from './derive/compareProfiles.ts';
export type {
  DerivedFeeder,
  DerivedJourney,
  DerivedScenario,
  DerivedStep,
  DeriveOptions,
  IdModel,
} from './derive/deriveScenario.ts';
export { deriveScenario } from './derive/deriveScenario.ts';
export type { ZipfFit } from './derive/fitZipf.ts';
export { fitZipf, zipfProbabilities } from './derive/fitZipf.ts';
export type { ReadProfileOptions } from './derive/readTrafficProfile.ts';
export { readTrafficProfile, SESSION_ATTRIBUTES } from './derive/readTrafficProfile.ts';
export { renderScenario } from './derive/renderScenario.ts';
export type { OpenApiDocument, ScaffoldOptions } from './derive/scaffoldFromOpenApi.ts';
export { checkOpenApi, scaffoldFromOpenApi } from './derive/scaffoldFromOpenApi.ts';
export type {
  RouteProfile,
  SessionPattern,
  SessionProfile,
  TrafficProfile,
  TrafficSelection,
  ValueCount,
} from './derive/TrafficProfile.ts';
export { routeKey } from './derive/TrafficProfile.ts';
export type { ScenarioErrorCode } from './errors.ts';
export { SCENARIO_ERRORS, ScenarioError } from './errors.ts';
export type { FeederRow } from './feeders/Feeder.ts';
export { Feeder, parseCsv } from './feeders/Feeder.ts';
export type { K6ExportHeader, SharedJourneys } from './k6/exportK6.ts';
export { exportK6, K6_LIB_FILE, K6_LIB_IMPORT, k6LibSource, sharedJourneysModule } from './k6/exportK6.ts';
export { builtinJourneysModule, builtinK6Script, K6_DIR, writeBuiltinK6 } from './k6/writeBuiltinK6.ts';
export type { MetricUnit } from './metrics/builtinMetrics.ts';
export {
  aggregationUnit,
  BUILTIN_METRICS,
  metricType,
  sampleUnit,
  timeTrends,
} from './metrics/builtinMetrics.ts';
export type { Aggregate, MetricsSnapshot, Tags } from './metrics/MetricRegistry.ts';
export { MetricRegistry } from './metrics/MetricRegistry.ts';
export type { MetricSeriesRow } from './metrics/storedSeries.ts';
export { registryFromRows, seriesRows } from './metrics/storedSeries.ts';
export { seededRandom } from './runner/EngineContext.ts';
export type { RequestRow } from './runner/RequestRow.ts';
export type { SecondSample } from './runner/RunSampler.ts';
export { newRunId, runScenario, summaryJson } from './runner/runScenario.ts';
export type { TargetPolicy } from './runner/targetUrl.ts';
export {
  checkTarget,
  isAllowedTarget,
  isLoopbackHost,
  isRemoteTarget,
  parseAllowedTargets,
} from './runner/targetUrl.ts';
export type { SaturateOptions, SaturateResult, SaturateStep } from './saturate/saturate.ts';
export { formatSaturate, saturate } from './saturate/saturate.ts';
export { applyOverrides } from './scenario/applyOverrides.ts';
export { defineScenario } from './scenario/defineScenario.ts';
export type { LoadedScenario } from './scenario/loadScenario.ts';
export { loadScenario } from './scenario/loadScenario.ts';
export { executorEndMs, scenarioDurationMs } from './scenario/scenarioDuration.ts';
export { EXECUTORS, validateScenario } from './scenario/validateScenario.ts';
export { BUILTIN_SCENARIOS, builtinScenarioFile } from './scenarios/catalog.ts';
export { ArrivalSchedule } from './scheduler/ArrivalSchedule.ts';
export { formatBytes, formatMs, formatSummary, formatUnit } from './summary/formatSummary.ts';
export { SUMMARY_TREND_STATS, summaryExport } from './summary/summaryExport.ts';
export type {
  AggregationSource,
  CompiledThreshold,
  ThresholdVerdict,
} from './thresholds/evaluateThresholds.ts';
export {
  aggregationValue,
  compileThresholds,
  evaluateThresholds,
  observe,
} from './thresholds/evaluateThresholds.ts';
export type { MetricKey, Operator, ThresholdExpression } from './thresholds/parseThreshold.ts';
export {
  AGGREGATIONS,
  aggregationFits,
  compare,
  parseMetricKey,
  parseThresholdExpression,
} from './thresholds/parseThreshold.ts';
export type {
  Check,
  ConstantArrivalRate,
  ConstantVus,
  Duration,
  ExecutionShortcuts,
  ExecutorConfig,
  ExecutorName,
  FaultStep,
  FeederSpec,
  HttpMethod,
  Journey,
  Knee,
  KneeCriteria,
  MetricRecord,
  MetricType,
  PerVuIterations,
  RampingArrivalRate,
  RampingVus,
  RunOptions,
  RunResult,
  ScenarioDefinition,
  ScenarioInput,
  ScenarioInputOptions,
  ScenarioOptions,
  ScenarioOverrides,
  SharedIterations,
  Stage,
  Step,
  ThinkTime,
  ThresholdItem,
} from './types.ts';
