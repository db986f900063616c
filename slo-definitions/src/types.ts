// Public types of slo-definitions: the spec as written (marketbench/v1, shaped after OpenSLO v1),
// and the compiled SLO every generator reads.

/** Which routes of the reference service an HTTP SLI covers. */
export interface RouteSelector {
  /** A key of ROUTE_GROUPS in the name table (`browse`, `item`, `search`, `checkout`). */
  routeGroup?: string;
  /** Route templates from ROUTES, e.g. `/listings/:id`; used with or instead of routeGroup. */
  routes?: string[];
  /** HTTP methods to count; all when omitted. */
  methods?: string[];
}

/** Availability of HTTP routes: bad events are 5xx answers. */
export interface HttpAvailabilitySpec extends RouteSelector {
  /** Leave 4xx answers out of the total (a client mistake spends no budget). */
  excludeClientErrors?: boolean;
}

/** Latency of HTTP routes: good events answered within `threshold`. */
export interface HttpLatencySpec extends RouteSelector {
  /** Latency threshold as a duration (`300ms`); must be a bucket boundary of the histogram. */
  threshold: string;
  /** Leave 4xx answers out of the total. */
  excludeClientErrors?: boolean;
}

/** Ratio of a labelled counter's increase: bad events are those whose labels match `badWhen`. */
export interface CounterRatioSpec {
  /** Counter name from METRICS, e.g. `marketbench_psp_requests_total`. */
  metric: string;
  /** Label equality filters applied to good and bad events alike. */
  selector?: Record<string, string>;
  /** Label name to the values that make an event bad, e.g. `{ outcome: [error, timeout] }`. */
  badWhen: Record<string, string[]>;
}

/** Freshness of a gauge measured in seconds: a sample is good when the gauge is at most `maxAge`. */
export interface FreshnessSpec {
  /** Gauge name from METRICS, in seconds, e.g. `marketbench_ingest_lag_seconds`. */
  metric: string;
  /** Largest acceptable value, as a duration (`30s`). */
  maxAge: string;
}

/** The SLI, exactly one of the four kinds. */
export interface IndicatorSpec {
  /** Ratio of non-5xx answers. */
  httpAvailability?: HttpAvailabilitySpec;
  /** Ratio of answers faster than a threshold. */
  httpLatency?: HttpLatencySpec;
  /** Ratio of good increases of a labelled counter. */
  counterRatio?: CounterRatioSpec;
  /** Ratio of gauge samples at most a maximum age. */
  freshness?: FreshnessSpec;
}

/** One alert window pair of the multi-window multi-burn-rate policy. */
export interface AlertWindowSpec {
  /** `page` (wakes someone) or `ticket` (next working day). */
  severity: 'page' | 'ticket';
  /** Long window, e.g. `1h`: the burn must be sustained over it. */
  long: string;
  /** Short window, e.g. `5m`: the burn must still be happening (resets the alert quickly). */
  short: string;
  /** Burn-rate factor that fires; derived from `budgetConsumed` and the period when omitted. */
  burnRate?: number;
  /** Fraction of the period's budget spent in the long window at the threshold (0.02 for 2%). */
  budgetConsumed?: number;
}

/** Alerting of one SLO. */
export interface AlertingSpec {
  /** Alert rule name; defaults to the SLO name in PascalCase + `BudgetBurn`. */
  name?: string;
  /** Labels on every alert of this SLO. */
  labels?: Record<string, string>;
  /** Annotations on every alert of this SLO (`runbook_url`, ...). */
  annotations?: Record<string, string>;
  /** Replaces the default window pairs (SRE Workbook, scaled to the period). */
  windows?: AlertWindowSpec[];
  /** Labels of the page alert, merged over `severity: page`. */
  pageLabels?: Record<string, string>;
  /** Labels of the ticket alert, merged over `severity: ticket`. */
  ticketLabels?: Record<string, string>;
  /** `for:` of the page alert (`1m`); default a fifth of the shortest page short window. */
  pageFor?: string;
  /** `for:` of the ticket alert; default a fifth of the shortest ticket short window. */
  ticketFor?: string;
}

/** One SLO as written in a spec (OpenSLO v1 fields where OpenSLO has them). */
export interface SloSpec {
  /** Name, unique within the file; lowercase words joined by `-`. */
  name: string;
  /** Human title for dashboards and alerts. */
  displayName?: string;
  /** What a user experiences when this SLO is met. */
  description: string;
  /** The SLI. */
  indicator: IndicatorSpec;
  /** Exactly one objective: the target ratio of good events (0.999 for 99.9%). */
  objectives: { target: number; displayName?: string }[];
  /** Rolling window the budget is computed over. */
  timeWindow: { duration: string; isRolling: true };
  /** Only `Occurrences` (good events over all events) is supported. */
  budgetingMethod: 'Occurrences';
  /** Alert policy; the SRE Workbook defaults when omitted. */
  alerting?: AlertingSpec;
}

/** One spec file: the SLOs of one service. */
export interface SloSpecFile {
  /** Always `marketbench/v1`. */
  apiVersion: 'marketbench/v1';
  /** Always `ServiceLevelObjectives`. */
  kind: 'ServiceLevelObjectives';
  /** Name of the set (used in SLO ids) and an optional title. */
  metadata: { name: string; displayName?: string };
  /** The service and its SLOs. */
  spec: {
    service: string;
    labels?: Record<string, string>;
    /**
     * Labels every Prometheus series selector of these SLOs carries; default `{ job: <service> }`,
     * the job OpenTelemetry's Prometheus exporter and the Collector name after `service.name`.
     */
    prometheusSelector?: Record<string, string>;
    slos: SloSpec[];
  };
}

/** The SLI compiled against the name table: every name here exists. */
export type Sli = SliShape & {
  /** Labels every Prometheus selector of the SLI carries (`{ job: service }` by default). */
  scope: Record<string, string>;
};

/** The SLI kinds, before the Prometheus scope is added. */
export type SliShape =
  | {
      kind: 'httpAvailability';
      service: string;
      routes: string[];
      methods: string[];
      excludeClientErrors: boolean;
    }
  | {
      kind: 'httpLatency';
      service: string;
      routes: string[];
      methods: string[];
      excludeClientErrors: boolean;
      thresholdSeconds: number;
    }
  | {
      kind: 'counterRatio';
      service: string;
      metric: string;
      selector: Record<string, string>;
      badWhen: Record<string, string[]>;
    }
  | { kind: 'freshness'; service: string; metric: string; maxAgeSeconds: number };

/** One window pair with its burn-rate threshold, ready for the generators. */
export interface BurnWindow {
  /** `page` or `ticket`. */
  severity: 'page' | 'ticket';
  /** Long window as written (`1h`). */
  long: string;
  /** Long window in seconds. */
  longSeconds: number;
  /** Short window as written (`5m`). */
  short: string;
  /** Short window in seconds. */
  shortSeconds: number;
  /** Fires when both windows burn faster than this multiple of the budget rate. */
  burnRate: number;
}

/** A compiled SLO, the input of every generator. */
export interface Slo {
  /** `<set>-<slo>`, unique across specs; the `slo_id` label. */
  id: string;
  /** SLO name within its set. */
  name: string;
  /** Human title. */
  displayName: string;
  /** What a user experiences when it is met. */
  description: string;
  /** `service.name` of the service measured. */
  service: string;
  /** Spec file it came from. */
  file: string;
  /** Target ratio of good events. */
  target: number;
  /** 1 - target, rounded to remove float noise. */
  errorBudget: number;
  /** Rolling period as written (`30d`). */
  period: string;
  /** Rolling period in seconds. */
  periodSeconds: number;
  /** The compiled SLI. */
  sli: Sli;
  /** Window pairs, page first. */
  windows: BurnWindow[];
  /** Alert rule name. */
  alertName: string;
  /** Labels on every alert (set labels, then SLO alert labels). */
  labels: Record<string, string>;
  /** Annotations on every alert. */
  annotations: Record<string, string>;
  /** Extra labels per severity (on top of `severity`). */
  severityLabels: { page: Record<string, string>; ticket: Record<string, string> };
  /** How long each alert's condition must hold before it fires (`for:`), as a duration. */
  alertFor: { page: string; ticket: string };
}
