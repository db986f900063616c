// Intended start times of an open-model executor: iteration i of a constant rate starts at
// i/rate; a ramping rate r(t) (linear within each stage) starts iteration i when the integral of
// r reaches i, solved per stage in closed form.

import { parseDuration } from '@marketbench/contracts';
import type { ConstantArrivalRate, RampingArrivalRate } from '../types.ts';

interface Segment {
  /** Start, ms from the executor's start. */
  t0: number;
  /** Length, ms. */
  d: number;
  /** Rate at start and end, iterations per ms. */
  r0: number;
  r1: number;
  /** Iterations due before this segment. */
  before: number;
  /** Iterations due by its end. */
  after: number;
}

/** Produces intended start offsets (ms from the executor's start) in order. */
export class ArrivalSchedule {
  readonly durationMs: number;
  private readonly segments: Segment[];
  private seg = 0;
  private index = 0;
  /** Share of the iterations this schedule keeps (1 of `of`, phase `phase`), for worker threads. */
  private readonly stride: number;

  constructor(segments: Segment[], stride = 1, phase = 0) {
    this.segments = segments;
    this.durationMs = segments.reduce((s, g) => s + g.d, 0);
    this.stride = stride;
    this.index = phase;
  }

  static of(config: ConstantArrivalRate | RampingArrivalRate, stride = 1, phase = 0): ArrivalSchedule {
    const unit = parseDuration(config.timeUnit ?? '1s', 'duration');
    const segments: Segment[] = [];
    if (config.executor === 'constant-arrival-rate') {
      const d = parseDuration(config.duration, 'duration');
      const r = config.rate / unit;
      segments.push({ t0: 0, d, r0: r, r1: r, before: 0, after: r * d });
    } else {
      let t0 = 0;
      let rate = (config.startRate ?? 0) / unit;
      let before = 0;
      for (const st of config.stages) {
        const d = parseDuration(st.duration, 'duration');
        const r1 = st.target / unit;
        const after = before + ((rate + r1) / 2) * d;
        segments.push({ t0, d, r0: rate, r1, before, after });
        t0 += d;
        rate = r1;
        before = after;
      }
    }
    return new ArrivalSchedule(segments, stride, phase);
  }

  /** Iterations per ms at offset t. */
  rateAt(t: number): number {
    for (const g of this.segments) {
      if (t < g.t0 + g.d) return g.d === 0 ? g.r1 : g.r0 + ((g.r1 - g.r0) * (t - g.t0)) / g.d;
    }
    return 0;
  }

  /** Total iterations the schedule starts. */
  get total(): number {
    const last = this.segments[this.segments.length - 1];
    return last ? Math.ceil(last.after - 1e-9) : 0;
  }

  /** The next intended start offset, or undefined when the schedule is over. */
  next(): number | undefined {
    const n = this.index;
    while (this.seg < this.segments.length && n >= this.segments[this.seg].after - 1e-9) this.seg++;
    const g = this.segments[this.seg];
    if (!g) return undefined;
    this.index += this.stride;
    const k = n - g.before;
    if (k <= 0) return g.t0;
    const a = (g.r1 - g.r0) / (2 * g.d);
    const b = g.r0;
    // a t² + b t = k, in the form that stays stable when a is 0 or negative.
    const t = (2 * k) / (b + Math.sqrt(Math.max(0, b * b + 4 * a * k)));
    return g.t0 + Math.min(t, g.d);
  }
}
