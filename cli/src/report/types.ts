// The data one HTML report is drawn from: plain JSON, collected from the store by
// collectReportData and embedded in the page, so the page needs no network to render.

/** A series over the run's time axis (seconds since the start). */
export interface TimeSeries {
  /** Seconds since the run started (bucket start). */
  t: number[];
  /** Values, null where the bucket had no data. */
  v: (number | null)[];
}

/** Latency over time of one step. */
export interface StepLatency {
  step: string;
  t: number[];
  /** Coordinated-omission corrected (from the intended start), ms. */
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  /** Uncorrected (from the actual send), ms. */
  uncorrectedP99: (number | null)[];
  /** Server-side span duration of the same requests (joined by trace id), ms. */
  serverP99: (number | null)[];
}

/** Per-step totals. */
export interface StepSummary {
  step: string;
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Server span p99 of the step's requests (null without spans), ms. */
  serverP99: number | null;
  /** Requests with a matching server span. */
  spans: number;
}

/** One span of a trace waterfall. */
export interface WaterfallSpan {
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  kind: string;
  /** Start relative to the request's intended start, ms. */
  startMs: number;
  durationMs: number;
  status: string;
  depth: number;
}

/** One of the slowest requests, with its trace. */
export interface SlowRequest {
  step: string;
  method: string;
  url: string;
  status: number;
  error: string;
  traceId: string;
  /** Seconds since the run start at which it was due. */
  atSec: number;
  correctedMs: number;
  uncorrectedMs: number;
  schedulingLagMs: number;
  spans: WaterfallSpan[];
}

/** One reconciliation line: a count that must equal the load rows. */
export interface ReconciliationRow {
  /** What was counted. */
  what: string;
  /** Where it came from. */
  source: string;
  /** The count, null when the source had no data. */
  value: number | null;
  /** Equal to the reference count. */
  ok: boolean;
  /** The line counting requests that got no HTTP answer (a load failure, not lost telemetry). */
  unanswered?: boolean;
  /** The PSP reconciliation line (money, not telemetry): its value is the discrepancy count. */
  payments?: boolean;
}

/** An SLO line of the report. */
export interface SloRow {
  slo: string;
  objective: string;
  /** SLI over the run (good/total), 0–1, null without events. */
  sli: number | null;
  /** Error budget remaining (fraction, may be negative). */
  budgetRemaining: number | null;
  /** Burn rate per window name. */
  burn: Record<string, number | null>;
  /** Alerts that fired during the run. */
  alerts: string[];
}

/** A fault set or cleared during the run. */
export interface FaultMark {
  atSec: number;
  dependency: string;
  action: string;
  spec: string;
}

/** Everything the report shows. */
export interface ReportData {
  generatedAt: string;
  run: {
    runId: string;
    scenario: string;
    status: string;
    startedAt: string;
    endedAt: string;
    durationSec: number;
    gitCommit: string;
    target: string;
    timeScale: number;
    requestsTotal: number;
    errorsTotal: number;
    droppedIterations: number;
  };
  /** The run's config as stored (scenario, overrides, tags), pretty JSON. */
  config: string;
  /** Bucket width of the time series, seconds. */
  bucketSec: number;
  rate: {
    target: TimeSeries;
    achieved: TimeSeries;
    /** Requests per second (an iteration sends one or more), when the generator sampled it. */
    requests?: TimeSeries;
    /** `generator samples`: iterations/s as the scheduler saw them; `request rows`: requests due vs sent per second. */
    source: 'generator samples' | 'request rows';
  };
  latency: StepLatency[];
  errors: { errorRate: TimeSeries; statusClasses: Record<string, TimeSeries> };
  /** Requests per step and status; `failed`: those whose response the step did not expect (http_req_failed). */
  statusCodes: { step: string; status: number; count: number; failed: number }[];
  droppedIterations: TimeSeries;
  activeVus: TimeSeries;
  generatorCpu: TimeSeries;
  thresholds: {
    metric: string;
    expression: string;
    observed: number | null;
    ok: boolean;
    aborted?: boolean;
  }[];
  slos: SloRow[] | null;
  /** Why the SLO table is empty, when it is. */
  slosNote?: string;
  reconciliation: ReconciliationRow[];
  steps: StepSummary[];
  slowest: SlowRequest[];
  faults: FaultMark[];
}
