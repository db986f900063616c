// Public types of a scenario: k6-like options (executors, thresholds, tags) around declarative
// journeys of named HTTP steps. Everything here is plain data, so a scenario can be validated
// before any request, cloned into worker threads and exported to a k6 script.

import type { FaultDependency } from '@marketbench/contracts';
import type { SpanRecordCounts } from '@marketbench/instrumentation/span-records';
import type { Store } from '@marketbench/telemetry-store';
import type { MetricRegistry } from './metrics/MetricRegistry.ts';
import type { ClientSpanConfig } from './runner/ClientSpans.ts';
import type { SecondSample } from './runner/RunSampler.ts';
import type { TargetPolicy } from './runner/targetUrl.ts';
import type { ThresholdVerdict } from './thresholds/evaluateThresholds.ts';

/** A k6 duration string: `500ms`, `30s`, `2m`, `1h30m`, `1m30s`. */
export type Duration = string;

/** One stage of a ramping executor: reach `target` linearly over `duration`. */
export interface Stage {
  /** How long the ramp to `target` takes. */
  duration: Duration;
  /** Iterations per time unit (arrival-rate) or VUs (ramping-vus) at the end of the stage. */
  target: number;
}

/** Fields every executor shares (k6 scenario options). */
export interface ExecutorBase {
  /** Delay from the start of the run before this scenario starts. */
  startTime?: Duration;
  /** Time given to running iterations after the scenario ends before they are interrupted (k6 default 30s). */
  gracefulStop?: Duration;
  /** Tags added to every sample of this scenario. */
  tags?: Record<string, string>;
  /** Journeys this scenario runs (by name); default every journey of the file, picked by weight. */
  journeys?: string[];
  /** k6's `exec`: the one journey this scenario runs (a journey is what k6 calls the exec function). */
  exec?: string;
}

/** Open model: `rate` iterations start per `timeUnit`, whatever the server does. */
export interface ConstantArrivalRate extends ExecutorBase {
  /** k6 executor name. */
  executor: 'constant-arrival-rate';
  /** Iterations started per `timeUnit`. */
  rate: number;
  /** Period `rate` refers to (default `1s`). */
  timeUnit?: Duration;
  /** How long iterations keep starting. */
  duration: Duration;
  /** VUs allocated before the start. */
  preAllocatedVUs: number;
  /** VUs the executor may grow to; an iteration due when all are busy is dropped (default preAllocatedVUs). */
  maxVUs?: number;
}

/** Open model with a rate that ramps linearly through `stages`. */
export interface RampingArrivalRate extends ExecutorBase {
  /** k6 executor name. */
  executor: 'ramping-arrival-rate';
  /** Iterations per `timeUnit` at the start (default 0). */
  startRate?: number;
  /** Period the rates refer to (default `1s`). */
  timeUnit?: Duration;
  /** Rate targets, reached linearly. */
  stages: Stage[];
  /** VUs allocated before the start. */
  preAllocatedVUs: number;
  /** VUs the executor may grow to (default preAllocatedVUs). */
  maxVUs?: number;
}

/** Closed model: `vus` VUs loop over iterations for `duration`. */
export interface ConstantVus extends ExecutorBase {
  /** k6 executor name. */
  executor: 'constant-vus';
  /** Number of VUs. */
  vus: number;
  /** How long the VUs loop. */
  duration: Duration;
}

/** Closed model with a VU count that ramps linearly through `stages`. */
export interface RampingVus extends ExecutorBase {
  /** k6 executor name. */
  executor: 'ramping-vus';
  /** VUs at the start (default 1). */
  startVUs?: number;
  /** VU targets, reached linearly. */
  stages: Stage[];
  /** Time a VU removed by a ramp-down gets to finish its iteration (default 30s). */
  gracefulRampDown?: Duration;
}

/** Closed model: each of `vus` VUs runs exactly `iterations` iterations. */
export interface PerVuIterations extends ExecutorBase {
  /** k6 executor name. */
  executor: 'per-vu-iterations';
  /** Number of VUs. */
  vus: number;
  /** Iterations each VU runs. */
  iterations: number;
  /** Upper bound on the scenario's duration (default 10m). */
  maxDuration?: Duration;
}

/** Closed model: `vus` VUs share a pool of `iterations` iterations. */
export interface SharedIterations extends ExecutorBase {
  /** k6 executor name. */
  executor: 'shared-iterations';
  /** Number of VUs. */
  vus: number;
  /** Iterations shared by all VUs. */
  iterations: number;
  /** Upper bound on the scenario's duration (default 10m). */
  maxDuration?: Duration;
}

/** Any k6 executor configuration. */
export type ExecutorConfig =
  | ConstantArrivalRate
  | RampingArrivalRate
  | ConstantVus
  | RampingVus
  | PerVuIterations
  | SharedIterations;

/** Executor names, as k6 spells them. */
export type ExecutorName = ExecutorConfig['executor'];

/** A threshold as k6 accepts it: an expression, or an object with abort options. */
export type ThresholdItem =
  | string
  | {
      /** The expression, e.g. `p(99)<300`. */
      threshold: string;
      /** Stop the whole run as soon as this threshold fails. */
      abortOnFail?: boolean;
      /** Wait this long after the start before abortOnFail is evaluated. */
      delayAbortEval?: Duration;
    };

/** The four k6 metric types. */
export type MetricType = 'counter' | 'rate' | 'trend' | 'gauge';

/** A check on a response: every given condition must hold. */
export interface Check {
  /** Accepted status code(s). */
  status?: number | number[];
  /** A dotted path into the JSON body (`items.0.id`) that must exist (or equal `equals`). */
  jsonPath?: string;
  /** The value at `jsonPath` must equal this. */
  equals?: string | number | boolean | null;
  /** The response took at most this many milliseconds (uncorrected). */
  maxDurationMs?: number;
}

/** Adds a sample to a custom metric after a step. */
export interface MetricRecord {
  /** Custom metric name, declared in `metrics`. */
  metric: string;
  /** `duration` (ms), `ok` (checks passed, for rates), a number, or `json:<path>` read from the body. */
  value: 'duration' | 'ok' | number | `json:${string}`;
}

/** Think time after a step: a fixed duration or a uniform range. */
export type ThinkTime = Duration | { min: Duration; max: Duration };

/** HTTP methods a step may use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

/**
 * One named HTTP request. Strings may carry `{{...}}` templates: `{{feeder.column}}`, a value captured
 * earlier in the iteration (`{{cartId}}`), `{{uuid:label}}` (one fresh UUID per label per iteration, so a
 * retry reuses its idempotency key), `{{vu}}`, `{{iteration}}`, `{{randomInt:1:100}}`.
 */
export interface Step {
  /** Step name; the `name` tag of its samples (use `STEPS` from the name table). */
  name: string;
  /** HTTP method. */
  method: HttpMethod;
  /** Path and query on the target, with templates. */
  path: string;
  /** Extra request headers, with templates. */
  headers?: Record<string, string>;
  /** JSON body, with templates; a string that is exactly one template keeps the value's type. */
  body?: unknown;
  /** Statuses that count as success for `http_req_failed` (default 200–399). */
  expectedStatuses?: number[];
  /** Named checks (the `checks` rate metric, tag `check`). */
  checks?: Record<string, Check>;
  /** Values read from the JSON response body into iteration variables: variable → dotted path. */
  capture?: Record<string, string>;
  /** Pause after the step. */
  think?: ThinkTime;
  /** Samples added to custom metrics after the step. */
  record?: MetricRecord[];
  /** Skip the remaining steps of the iteration when this step fails (default true). */
  stopOnFailure?: boolean;
}

/** A weighted sequence of steps; each iteration runs one journey picked by weight. */
export interface Journey {
  /** Relative weight among the journeys of the executor. */
  weight: number;
  /** Steps run in order. */
  steps: Step[];
}

/** Test data read row by row (k6's SharedArray idiom). */
export interface FeederSpec {
  /** CSV (with a header line) or JSON (an array of objects) file, relative to the scenario file. */
  file?: string;
  /** Inline rows instead of a file. */
  rows?: Record<string, string | number | boolean>[];
  /** `sequential`: one shared cursor; `random`: any row; `unique`: VU n keeps row n for its lifetime. */
  mode: 'sequential' | 'random' | 'unique';
}

/** At `at` after the start, set or clear a fault on the reference service (PUT /admin/faults). */
export interface FaultStep {
  /** Time from the start of the run. */
  at: Duration;
  /** Dependency the fault applies to. */
  dependency: FaultDependency;
  /** Set the fault, or clear it. */
  action: 'set' | 'clear';
  /** Fault body sent to the service (kind, rate, latency...); ignored for `clear`. */
  spec?: Record<string, unknown>;
}

/** Where the stress knee is: the highest target rate before p99 or errors break these limits. */
export interface KneeCriteria {
  /** p99 (corrected, ms) above which a second is broken. */
  p99Ms: number;
  /** Error rate above which a second is broken. */
  errorRate: number;
  /** Consecutive broken seconds that mark the knee (default 3). */
  consecutiveSeconds?: number;
  /** Stop the run once the knee is found (default true). */
  stopAtKnee?: boolean;
}

/** The k6-like `options` of a scenario file. */
export interface ScenarioOptions {
  /** Named executors; they run concurrently, each from its `startTime`. */
  scenarios: Record<string, ExecutorConfig>;
  /** Thresholds keyed by metric with optional tag filter, e.g. `http_req_duration{name:checkout}`. */
  thresholds?: Record<string, ThresholdItem[]>;
  /** Tags added to every sample of the run. */
  tags?: Record<string, string>;
  /** Wall time the traffic shape stands for, divided by the run's duration (1 = real time). */
  timeScale?: number;
  /** Knee detection (stress). */
  knee?: KneeCriteria;
}

/**
 * k6's execution shortcuts, mapped to one scenario named `default` as k6 maps them: `iterations`
 * (with `vus`, default 1; `duration` as maxDuration) → shared-iterations; `stages` (from `vus`
 * VUs) → ramping-vus; `duration` (with `vus`) → constant-vus; none of them → one iteration.
 * They cannot be combined with `scenarios`.
 */
export interface ExecutionShortcuts {
  /** VUs (default 1). */
  vus?: number;
  /** Duration of a constant-vus run, or the maxDuration of an `iterations` run. */
  duration?: Duration;
  /** Iterations shared by the VUs. */
  iterations?: number;
  /** VU ramp. */
  stages?: Stage[];
}

/** Options as a scenario file may write them: named scenarios, or k6's execution shortcuts. */
export type ScenarioInputOptions = Omit<ScenarioOptions, 'scenarios'> &
  ExecutionShortcuts & {
    /** Named executors (omit them to use the shortcuts). */
    scenarios?: Record<string, ExecutorConfig>;
  };

/** A scenario file's default export as written (validation maps shortcuts to `scenarios`). */
export type ScenarioInput = Omit<ScenarioDefinition, 'options'> & { options: ScenarioInputOptions };

/** A scenario file's default export. */
export interface ScenarioDefinition {
  /** Spec version. */
  apiVersion: 'marketbench/v1';
  /** Scenario name (`marketbench run <name>`). */
  name: string;
  /** One line: what traffic this models. */
  description: string;
  /** Executors, thresholds, tags. */
  options: ScenarioOptions;
  /** Journeys by name. */
  journeys: Record<string, Journey>;
  /** Data feeders by name, referenced as `{{feeder.column}}`. */
  feeders?: Record<string, FeederSpec>;
  /** Custom metrics by name. */
  metrics?: Record<string, MetricType>;
  /** Fault schedule against the reference service. */
  faults?: FaultStep[];
}

/** Overrides from the command line, applied to every executor of the scenario. */
export interface ScenarioOverrides {
  /** Arrival rate: sets constant rates, scales ramping rates so their peak is this. */
  rate?: number;
  /** Duration: sets constant durations, scales stages to this total. */
  duration?: Duration;
  /** VUs: sets `vus`, or `maxVUs` of arrival-rate executors. */
  vus?: number;
  /**
   * Iterations, as k6's `-i`: the executors are replaced by one shared-iterations executor over
   * every journey (`vus` VUs, default 1; `duration` as its maxDuration).
   */
  iterations?: number;
  /**
   * Stages, as k6's `-s`: the executors are replaced by one ramping-vus executor over every
   * journey (`vus` VUs at the start, default 1); the fault schedule is scaled to the new length.
   */
  stages?: Stage[];
}

/** Options of runScenario. */
export interface RunOptions {
  /** Base URL of the system under test; must be loopback unless `targetPolicy` opts in to its host. */
  target: string;
  /** The user's explicit opt-in to load a host of their own (`--allow-remote-target` + MARKETBENCH_ALLOWED_TARGETS). */
  targetPolicy?: TargetPolicy;
  /** Run id (default: time-ordered random id). */
  runId?: string;
  /** Extra tags on every sample (`--tag k=v`). */
  tags?: Record<string, string>;
  /** Command-line overrides of rate, duration and VUs. */
  overrides?: ScenarioOverrides;
  /** Store that receives request, run, sample and fault rows; none: results stay in memory. */
  store?: Store;
  /** Scenario file, for error messages and relative feeder paths. */
  file?: string;
  /** Seed of journey picks and random feeders (default: random). */
  seed?: number;
  /** Stream for the progress: a line rewritten every second on a TTY, else a line every 10 s (default none). */
  progress?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Bearer token of the reference service's admin API, for fault schedules (env MARKETBENCH_ADMIN_TOKEN). */
  adminToken?: string;
  /** Git commit recorded in the run row (default `git rev-parse HEAD`, or empty). */
  gitCommit?: string;
  /** Aborts the run (e.g. on SIGINT). */
  signal?: AbortSignal;
  /** Maximum connections to the target (default one per concurrent request). */
  connections?: number;
  /** Generator threads (default 1): more when one thread cannot send the rate; each runs an equal share. */
  workers?: number;
  /**
   * Run even a single engine in a worker thread, away from this thread's event loop (use it when
   * this process also hosts the store and the ingest, as the embedded stack does).
   */
  isolate?: boolean;
  /**
   * Export the generator's client span of every request (service marketbench-load) to this
   * OTLP/HTTP traces endpoint; absent or false: none (the CLI turns them on, `--no-client-spans` off).
   */
  clientSpans?: ClientSpanConfig | false;
}

/** The stress knee: the last second that met the knee criteria before they broke. */
export interface Knee {
  /** Target iterations/s at the knee. */
  targetRate: number;
  /** Achieved iterations/s at the knee. */
  achievedRate: number;
  /** p99 (ms) at the knee. */
  p99Ms: number;
  /** Seconds since the start. */
  elapsedSec: number;
}

/** What a run produced. */
export interface RunResult {
  /** Run id (the `marketbench.run_id` baggage and the rows' run_id). */
  runId: string;
  /** Scenario name. */
  scenario: string;
  /** Target origin. */
  target: string;
  /** True when the target is not this machine (allowed by the user's opt-in). */
  remoteTarget: boolean;
  /** `passed`, `failed` (a threshold failed) or `aborted` (abortOnFail, signal). */
  status: 'passed' | 'failed' | 'aborted';
  /** Why the run stopped early, when it did. */
  abortReason?: string;
  /** Wall-clock start. */
  startedAt: Date;
  /** Wall-clock end. */
  endedAt: Date;
  /** Seconds from the first scheduled iteration to the end. */
  durationSec: number;
  /** Wall time the traffic shape stands for per second of run (options.timeScale, 1 by default). */
  timeScale: number;
  /** Every sample, for the summary and custom aggregation. */
  metrics: MetricRegistry;
  /** Threshold verdicts, in declaration order. */
  thresholds: ThresholdVerdict[];
  /** Every threshold passed. */
  thresholdsPassed: boolean;
  /** Totals of the run. */
  totals: {
    requests: number;
    errors: number;
    iterations: number;
    droppedIterations: number;
    interruptedIterations: number;
  };
  /** Generator CPU (percent of one core) over the run: mean and max of the per-second samples. */
  generatorCpu: { meanPercent: number; maxPercent: number };
  /** Per-second samples. */
  samples: SecondSample[];
  /** The knee, when options.knee was set and the criteria broke. */
  knee?: Knee;
  /** Rows stored and lost (store write failures). */
  rows: { stored: number; lost: number; firstError?: string };
  /** Metric series stored for the gate (marketbench_load_metrics) and lost. */
  series: { stored: number; lost: number; firstError?: string };
  /** Faults set or cleared during the run. */
  faults: { atSec: number; dependency: string; action: 'set' | 'clear'; ok: boolean; status?: number }[];
  /** An error that ended an iteration before its request was sent (e.g. a feeder), if any. */
  generatorError?: string;
  /** The generator's client spans: recorded (one per request sent), exported, dropped by reason. */
  clientSpans?: SpanRecordCounts;
  /** k6's exit code for this result: 0, or 99 when a threshold failed. */
  exitCode: 0 | 99;
}
