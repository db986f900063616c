// Public types of `marketbench capacity`: the measured steps, the Universal Scalability Law fit,
// the knee under latency objectives, and the replica plan for a target day.

import type { Interval, UslBootstrap, UslFit } from './fitUsl.ts';
import type { LoadModel } from './steppedScenario.ts';

/** A latency objective the knee is read against: the q-quantile of some requests within a bound. */
export interface LatencyObjective {
  /** Name shown in reports: the SLO id, or `p99 ≤ 300 ms` for a `--p99` override. */
  name: string;
  /** Route templates the objective covers (empty: every request). */
  routes: string[];
  /** HTTP methods it covers (empty: all). */
  methods: string[];
  /** Leave 4xx answers out. */
  excludeClientErrors: boolean;
  /** Quantile held to the bound, e.g. 0.99 for "99% within". */
  quantile: number;
  /** The bound, ms. */
  thresholdMs: number;
}

/** What one load step measured, in its window after the settle. */
export interface CapacityStep {
  /** 1-based step number. */
  step: number;
  /** Load asked for: VUs (closed) or iterations/s (open). */
  load: number;
  /** Measured window, ISO timestamps. */
  measuredFrom: string;
  measuredTo: string;
  /** Length of the measured window, s. */
  seconds: number;
  /** Requests whose intended start is in the window. */
  requests: number;
  /** Of them, those with an HTTP answer (the ones that can have a server span). */
  answered: number;
  /** Of them, the failed (no HTTP answer, or a status the step does not expect: the run's http_req_failed). */
  errors: number;
  /** Requests per second. */
  throughput: number;
  /** Corrected latency quantiles (from the intended start), ms. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Requests in flight by Little's law on the client's side: X × mean uncorrected latency. */
  inFlightClient: number;
  /** Requests in the service's handlers by Little's law on its server spans (null: no spans). */
  inFlightServer: number | null;
  /** Server spans of the window's requests (joined by trace id and parent span id): = answered. */
  serverSpans: number;
  /** The service's CPU from its scraped process_cpu_seconds_total, cores (null: no scrape). */
  serviceCpu: number | null;
  /** The generator's CPU, percent of one core (mean of its per-second samples). */
  generatorCpu: number | null;
  /** Open model: iterations dropped in the window. */
  droppedIterations: number;
  /** Each objective's quantile over its requests in the window (null: no such request). */
  objectives: { slo: string; value: number | null; requests: number }[];
}

/** The knee: the highest measured load before the first step that broke a latency objective. */
export interface Knee {
  /** The load of that step (VUs or iterations/s); null when the lowest step already broke one. */
  load: number | null;
  /** Its measured throughput, requests/s. */
  throughput: number | null;
  /** Its p99, ms. */
  p99Ms: number | null;
  /** The step that broke an objective first (null: none did, the knee is at or above the top step). */
  brokenAt: { step: number; load: number; slo: string; valueMs: number; thresholdMs: number } | null;
  /** One line for people. */
  summary: string;
}

/** The USL fit of a capacity run with what follows from it. */
export interface CapacityModel {
  /** Least-squares fit. */
  fit: UslFit;
  /** Bootstrap over the steps (absent with fewer than 3 distinct loads). */
  bootstrap: UslBootstrap;
  /** N* = √((1−σ)/κ). */
  nStar: number;
  /** Largest throughput the model allows, requests/s. */
  maxThroughput: number;
  /** What the model was fitted on: (load, throughput) per step. */
  points: { n: number; x: number }[];
}

/** The replicas a day of traffic needs, with the arithmetic. */
export interface CapacityPlan {
  /** Requests per day planned for. */
  dayRequests: number;
  /** Traffic shape (a scenario with a daily ramp). */
  shape: string;
  /** Mean rate of the day, requests/s. */
  meanRate: number;
  /** Peak minute / mean of the shape. */
  peakFactor: number;
  /** When the peak minute is, `HH:MM` of the shape's day. */
  peakAt: string;
  /** Requests/s in the peak minute. */
  peakRate: number;
  /** Latency objective the capacity per replica is held to. */
  objective: string;
  /** Load per replica at the knee under that objective (VUs or measured in flight). */
  kneeLoad: number | null;
  /** Model throughput per replica at the knee, and its bootstrap interval. */
  perReplica: number;
  perReplicaInterval: Interval;
  /** Fraction of capacity kept free. */
  headroom: number;
  /** perReplica × (1 − headroom). */
  usablePerReplica: number;
  /** ⌈peakRate / usable⌉ for the point fit, and for the interval's ends (low capacity → more replicas). */
  replicas: number;
  replicasInterval: { low: number; high: number };
  /** Confidence of the interval. */
  confidence: number;
  /** Spans per request measured in the run, and span rows/s at the peak (null: no spans). */
  spansPerRequest: number | null;
  peakSpanRate: number | null;
  /** Bytes per span on disk in the run's store, and the day's span bytes (null: unknown). */
  bytesPerSpan: number | null;
  storedBytesPerDay: number | null;
  /** The arithmetic, one line each. */
  lines: string[];
  /** Why no plan could be made, when none could (objective broken at the lowest load). */
  impossible?: string;
}

/** Everything a capacity run produced (`--json`, the report, the store's `detail`). */
export interface CapacityResult {
  /** Run id (the load run's). */
  runId: string;
  /** Source scenario. */
  scenario: string;
  /** Closed or open model. */
  loadModel: LoadModel;
  /** Start, ISO. */
  startedAt: string;
  /** Git commit the run was made on. */
  gitCommit: string;
  /** Target origin. */
  target: string;
  /** Step plan. */
  levels: number[];
  settleSeconds: number;
  stepSeconds: number;
  /** Think times kept. */
  think: boolean;
  /** Measured steps. */
  steps: CapacityStep[];
  /** The objectives the knee was read against. */
  objectives: LatencyObjective[];
  /** The knee. */
  knee: Knee;
  /** The USL fit (absent when fewer than 3 loads could be measured; `uslNote` says why). */
  usl?: CapacityModel;
  uslNote?: string;
  /** The replica plan with the run's defaults. */
  plan?: CapacityPlan;
  /** Load totals: requests, errors, lost rows. */
  totals: { requests: number; errors: number; rowsLost: number; spansDropped: number | null };
  /** Load average of the machine when the run ended (1, 5, 15 min). */
  loadAverage: number[];
  /** Wall time of the whole command, s. */
  wallSeconds: number;
}
