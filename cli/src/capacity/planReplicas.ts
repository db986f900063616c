// The answer SREs want from a capacity run: how many replicas a day of N requests needs at its
// peak minute. The day's shape comes from a scenario's arrival-rate profile (marketplace-day's
// diurnal ramp, time-compressed by its timeScale), the capacity per replica from the USL fit at
// the knee under a latency objective, and the model's bootstrap draws carry its uncertainty
// into the replica count. Every step of the arithmetic is kept as a line of text.

import { OTEL_TABLES, tryParseDuration } from '@marketbench/contracts';
import {
  ArrivalSchedule,
  type ConstantArrivalRate,
  executorEndMs,
  type RampingArrivalRate,
  type ScenarioDefinition,
} from '@marketbench/load-scenarios';
import { throughputBand } from './fitUsl.ts';
import { findKnee } from './knee.ts';
import type { CapacityModel, CapacityPlan, CapacityStep, LatencyObjective } from './types.ts';
import { uslThroughput } from './usl.ts';

/** A day's traffic shape: peak minute over the mean, and when the peak is. */
export interface DayShape {
  /** Scenario it comes from. */
  name: string;
  /** Peak-minute rate / mean rate. */
  peakFactor: number;
  /** Offset of the peak minute's start in the day, minutes. */
  peakMinute: number;
}

/**
 * The shape of a scenario's arrival rate over its run, read as one day: the run stands for
 * `duration × timeScale` of wall time (a day for marketplace-day), so one minute of the day is
 * `60 s / timeScale` of the run. The mean over the whole run and the highest mean over any such
 * minute give the peak factor.
 */
export function dayShape(def: ScenarioDefinition): DayShape {
  const open = Object.values(def.options.scenarios).filter(
    (e): e is ConstantArrivalRate | RampingArrivalRate =>
      e.executor === 'constant-arrival-rate' || e.executor === 'ramping-arrival-rate',
  );
  if (open.length === 0) throw new Error(`${def.name} has no arrival-rate executor: it has no traffic shape`);
  const parts = open.map((e) => ({
    start: e.startTime ? (tryParseDuration(e.startTime) ?? 0) : 0,
    schedule: ArrivalSchedule.of(e),
  }));
  const total = Math.max(...open.map((e) => executorEndMs(e)));
  const timeScale = def.options.timeScale ?? 1;
  const minuteMs = 60_000 / timeScale;
  const stepMs = Math.max(1, minuteMs / 20);
  const rate = (t: number) =>
    parts.reduce(
      (s, p) =>
        t >= p.start && t < p.start + p.schedule.durationMs ? s + p.schedule.rateAt(t - p.start) : s,
      0,
    );
  // integrate at stepMs resolution (midpoints): the profiles are piecewise linear
  const samples: number[] = [];
  for (let t = stepMs / 2; t < total; t += stepMs) samples.push(rate(t));
  const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
  const perMinute = Math.max(1, Math.round(minuteMs / stepMs));
  let best = 0;
  let bestAt = 0;
  let window = 0;
  for (let i = 0; i < samples.length; i++) {
    window += samples[i];
    if (i >= perMinute) window -= samples[i - perMinute];
    if (i >= perMinute - 1 && window / perMinute > best) {
      best = window / perMinute;
      bestAt = i - perMinute + 1;
    }
  }
  return {
    name: def.name,
    peakFactor: mean > 0 ? best / mean : 1,
    peakMinute: Math.round((bestAt * stepMs * timeScale) / 60_000),
  };
}

/** Inputs of {@link planReplicas}. */
export interface PlanInput {
  /** Requests per day. */
  dayRequests: number;
  /** The day's shape. */
  shape: DayShape;
  /** The capacity run's model and steps. */
  model: CapacityModel;
  steps: readonly CapacityStep[];
  /** The objective the knee is read against (one quantile over every request, or the run's SLOs). */
  objectives: readonly LatencyObjective[];
  /** The knee's load unit (`VUs`, `req in flight`). */
  unit: string;
  /** Fraction of each replica kept free (0–0.95). */
  headroom: number;
  /** Spans per request measured in the run (null: unknown). */
  spansPerRequest: number | null;
  /** Bytes a span takes on disk in the store the run wrote to (null: unknown). */
  bytesPerSpan?: number | null;
  /** Closed model: the knee load is the USL's N; open: the step's measured in flight. */
  kneeN: (step: CapacityStep) => number;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const dec = (n: number, d = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const hhmm = (m: number) =>
  `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** The replica plan, with the arithmetic as lines. */
export function planReplicas(input: PlanInput): CapacityPlan {
  const { shape, model, headroom } = input;
  const meanRate = input.dayRequests / 86_400;
  const peakRate = meanRate * shape.peakFactor;
  const knee = findKnee(input.steps, input.objectives, input.unit);
  const objective = input.objectives.map((o) => `${o.name}`).join('; ');
  const lines = [
    `day: ${int(input.dayRequests)} requests / 86,400 s = ${dec(meanRate)} req/s on average`,
    `shape ${shape.name}: peak minute (${hhmm(shape.peakMinute)}) / mean = ${shape.peakFactor.toFixed(3)} → peak ${dec(peakRate)} req/s`,
  ];
  const confidence = model.bootstrap.confidence;
  const kneeStep = knee.load === null ? undefined : input.steps.find((s) => s.load === knee.load);
  const base = {
    dayRequests: input.dayRequests,
    shape: shape.name,
    meanRate,
    peakFactor: shape.peakFactor,
    peakAt: hhmm(shape.peakMinute),
    peakRate,
    objective,
    headroom,
    confidence,
    spansPerRequest: input.spansPerRequest,
    peakSpanRate: input.spansPerRequest === null ? null : peakRate * input.spansPerRequest,
    bytesPerSpan: input.bytesPerSpan ?? null,
    storedBytesPerDay:
      input.spansPerRequest === null || !input.bytesPerSpan
        ? null
        : input.dayRequests * input.spansPerRequest * input.bytesPerSpan,
  };
  if (!kneeStep) {
    lines.push(`capacity per replica: none under ${objective}: ${knee.summary}`);
    return {
      ...base,
      kneeLoad: null,
      perReplica: 0,
      perReplicaInterval: { low: 0, high: 0 },
      usablePerReplica: 0,
      replicas: Number.POSITIVE_INFINITY,
      replicasInterval: { low: Number.POSITIVE_INFINITY, high: Number.POSITIVE_INFINITY },
      lines,
      impossible: knee.summary,
    };
  }
  const n = input.kneeN(kneeStep);
  const perReplica = uslThroughput(model.fit, n);
  const band = throughputBand(model.bootstrap.draws, n, confidence);
  const usable = perReplica * (1 - headroom);
  const replicas = Math.max(1, Math.ceil(peakRate / usable));
  const replicasInterval = {
    low: Math.max(1, Math.ceil(peakRate / (band.high * (1 - headroom)))),
    high: Math.max(1, Math.ceil(peakRate / (band.low * (1 - headroom)))),
  };
  const pct = Math.round(confidence * 100);
  lines.push(
    `knee under ${objective}: ${knee.summary}`,
    `capacity per replica: USL X(${dec(n, n < 10 ? 2 : 1)}) = ${int(perReplica)} req/s [${pct}% CI ${int(band.low)}–${int(band.high)}] (λ=${dec(model.fit.lambda)}, σ=${model.fit.sigma.toFixed(4)}, κ=${model.fit.kappa.toExponential(3)})`,
    `headroom ${Math.round(headroom * 100)}%: usable ${int(perReplica)} × ${(1 - headroom).toFixed(2)} = ${int(usable)} req/s per replica [${int(band.low * (1 - headroom))}–${int(band.high * (1 - headroom))}]`,
    `replicas = ⌈${dec(peakRate)} / ${dec(usable)}⌉ = ${replicas} [${pct}% CI ${replicasInterval.low}–${replicasInterval.high}]`,
  );
  if (base.peakSpanRate !== null)
    lines.push(
      `telemetry at the peak: ${dec(input.spansPerRequest ?? 0, 2)} spans/request × ${dec(peakRate)} req/s = ${int(base.peakSpanRate)} span rows/s into the store`,
    );
  if (base.storedBytesPerDay !== null)
    lines.push(
      `stored: ${dec(input.spansPerRequest ?? 0, 2)} × ${int(input.dayRequests)} = ${int((input.spansPerRequest ?? 0) * input.dayRequests)} span rows/day × ${dec(base.bytesPerSpan ?? 0)} B (this store's ${OTEL_TABLES.traces} on disk per row) = ${dec(base.storedBytesPerDay / 1e9, 1)} GB/day, ${dec((base.storedBytesPerDay * 30) / 1e9, 0)} GB for 30 days`,
    );
  return {
    ...base,
    kneeLoad: n,
    perReplica,
    perReplicaInterval: band,
    usablePerReplica: usable,
    replicas,
    replicasInterval,
    lines,
  };
}

/** `100M`, `1.5B`, `250k`, `1e8`, `100000000` → a number of requests. */
export function parseDayVolume(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([kKmMbB]?)$/.exec(text.trim().replaceAll(',', ''));
  if (!m) return undefined;
  const mult = { '': 1, k: 1e3, m: 1e6, b: 1e9 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'b'];
  const v = Number(m[1]) * mult;
  return Number.isFinite(v) && v > 0 ? v : undefined;
}
