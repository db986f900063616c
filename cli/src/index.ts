// marketbench (the CLI package): the command's programmatic entry points, for scripts and
// tests that drive a run, a gate or a report without spawning the command.

export type { CliErrorCode } from './errors.ts';
export { CLI_ERRORS, CliError } from './errors.ts';
export type { BaselineFile, BaselineStep } from './gate/baselineFile.ts';
export { buildBaseline, readBaseline, writeBaseline } from './gate/baselineFile.ts';
export type { Budgets } from './gate/loadBudgets.ts';
export { loadBudgets, validateBudgets } from './gate/loadBudgets.ts';
export { renderJUnit } from './gate/render/renderJUnit.ts';
export { renderMarkdown } from './gate/render/renderMarkdown.ts';
export { renderTable } from './gate/render/renderTable.ts';
export type { GateInput, SloBudgetEvaluator } from './gate/runGate.ts';
export { gateExitCode, overallVerdict, runGate } from './gate/runGate.ts';
export type {
  BaselinePolicy,
  BudgetResult,
  BudgetsSpec,
  GateReport,
  SloBudget,
  StepComparison,
  Verdict,
} from './gate/types.ts';
export { buildProgram, main } from './main.ts';
export type { ReportExtras } from './report/collectReportData.ts';
export { collectReportData } from './report/collectReportData.ts';
export { renderReport } from './report/renderReport.ts';
export type { ReportData } from './report/types.ts';
export { writeRunReport } from './report/writeRunReport.ts';
export type { MainJobOptions, MainJobResult } from './stack/runMainJob.ts';
export { DEFAULT_MAIN_JOB, formatMainJobSummary, runMainJob } from './stack/runMainJob.ts';
export { DEFAULT_STACK_OPTIONS, startStack } from './stack/startStack.ts';
export type { ServiceTelemetry, Stack, StackOptions } from './stack/types.ts';
export { withStore } from './stack/withStore.ts';
