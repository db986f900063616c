// SLOs as code: marketbench/v1 specs (OpenSLO-shaped) compiled through a pipeline of small
// stages (parse → names → SLIs → burn windows) into Prometheus rules, Grafana alert rules and
// the ClickHouse burn-rate queries marketbench evaluates itself, with drills that prove them.
export { buildGolden, buildImportGolden } from './build/buildGolden.ts';
export { buildOutputs, buildPromtoolTests, rulesFile } from './build/buildOutputs.ts';
export { gen, PACKAGE_DIR, REPO_DIR } from './build/gen.ts';
export { doNotEdit, GEN_COMMAND } from './build/header.ts';
export { staleOutputs, writeOutputs } from './build/writeOutputs.ts';
export type { Unmatched } from './check/unmatchedSelectors.ts';
export { unmatchedInExposition, unmatchedInStore } from './check/unmatchedSelectors.ts';
export type {
  AlertStatus,
  EvaluateOptions,
  SloStatus,
  StatusReport,
  WindowStatus,
} from './clickhouse/evaluateSlos.ts';
export { evaluateSlo, evaluateSlos, runEnd } from './clickhouse/evaluateSlos.ts';
export { formatStatus } from './clickhouse/formatStatus.ts';
export type { SliSource } from './clickhouse/sliSql.ts';
export { grafanaSliSql, readsRollup, sliSource, sqlString, windowedSliSql } from './clickhouse/sliSql.ts';
export { DRILL_SCENARIO, DRILL_SLO, DRILL_TIME_SCALE } from './drill/drillConstants.ts';
export type { DrillReplayOptions, DrillResult } from './drill/replayDrill.ts';
export { assertDrill, formatDrill, replayDrill } from './drill/replayDrill.ts';
export type { SloErrorCode } from './errors.ts';
export { SLO_ERRORS, SloError, SloValidationError } from './errors.ts';
export type { GrafanaAlertRule, GrafanaRuleQuery } from './grafana/grafanaAlertRules.ts';
export {
  ALERT_FOLDER,
  CLICKHOUSE_DATASOURCE,
  grafanaAlertRule,
  grafanaAlertRulesYaml,
  windowQueries,
} from './grafana/grafanaAlertRules.ts';
export type { ImportFormat } from './import/importSpec.ts';
export { IMPORT_FORMATS, importSpec } from './import/importSpec.ts';
export type {
  AlertmanagerOptions,
  AlertmanagerServer,
  AmAlert,
  Notification,
} from './live/AlertmanagerServer.ts';
export { alertmanagerConfig, startAlertmanager } from './live/AlertmanagerServer.ts';
export type {
  PromAlert,
  PrometheusOptions,
  PrometheusServer,
  PromSample,
  ScrapeTarget,
} from './live/PrometheusServer.ts';
export { prometheusConfig, startPrometheus } from './live/PrometheusServer.ts';
export { alertFor, burnWindows, DEFAULT_WINDOWS } from './pipeline/burnWindows.ts';
export { compileSpec, compileSpecFile } from './pipeline/compileSpec.ts';
export { deriveSli } from './pipeline/deriveSli.ts';
export type { AlertTiming } from './pipeline/detectionTimes.ts';
export {
  alertTimings,
  pairDetectionSeconds,
  pairResetSeconds,
  pairResetSecondsAfter,
} from './pipeline/detectionTimes.ts';
export type { PromRule, PromRuleGroup } from './prometheus/prometheusRules.ts';
export {
  alertAnnotations,
  alertLabels,
  prometheusRulesYaml,
  recordedWindows,
  sliRecordName,
  sloRuleGroups,
} from './prometheus/prometheusRules.ts';
export { errorRatioPromql, eventsPromql, ratioOrZero } from './prometheus/promql.ts';
export { promtoolTestsYaml } from './prometheus/promtoolTests.ts';
export { formatDuration, parseDuration } from './spec/duration.ts';
export { DEFAULT_SPECS_DIR, loadSpecFiles, loadSpecs } from './spec/loadSpecs.ts';
export { parseSpec } from './spec/parseSpec.ts';
export { SPEC_SCHEMA } from './spec/specSchema.ts';
export { validateNames } from './spec/validateNames.ts';
export type {
  AlertingSpec,
  AlertWindowSpec,
  BurnWindow,
  CounterRatioSpec,
  FreshnessSpec,
  HttpAvailabilitySpec,
  HttpLatencySpec,
  IndicatorSpec,
  RouteSelector,
  Sli,
  Slo,
  SloSpec,
  SloSpecFile,
} from './types.ts';
