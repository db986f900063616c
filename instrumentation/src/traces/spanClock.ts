// The one clock of every span a process makes: a fixed epoch origin + performance.now(), to the
// nanosecond. The SDK's own Span takes its start from Date.now() (whole milliseconds) and its end
// from start + a performance.now() delta, so an SDK child of a span timed on another clock could
// start up to 1 ms before its parent (measured: 6,492 of 9,458 client spans). With one monotonic
// function of performance.now() for every start, end and event, a child that starts after its
// parent starts and ends before it ends is drawn inside it.
//
// The origin is not performance.timeOrigin. Node reads the monotonic and the wall clock for
// timeOrigin separately when a process or worker thread starts, and the pair is off by 30-175 µs,
// differently in each (measured on Node 24: main threads 59-174 µs, workers 29-67 µs). A server span
// then started up to 243 µs before the generator span that sent its request (617 of ~2,000 pairs in
// one run). performance.now() is the system's monotonic clock, shared by every process and thread;
// the origin here is found from the instant Date.now() moves to the next millisecond, bracketed by
// two performance.now() reads a few hundred nanoseconds apart, so every process and thread of the
// machine maps the same monotonic instant to the same epoch time within about a microsecond.
// Calibrating costs at most a few milliseconds, once per thread, when this module loads.

import type { HrTime, TimeInput } from '@opentelemetry/api';

/** Millisecond ticks the calibration watches; the narrowest bracket wins. */
const CALIBRATION_TICKS = 3;
/** A bracket wider than this (a preempted read) is retried, up to a few more ticks. */
const GOOD_BRACKET_MS = 0.002;

/** The epoch time of performance.now() = 0, in whole nanoseconds. */
function calibrateOriginNs(): bigint {
  let best = Number.POSITIVE_INFINITY;
  let bestEdge = 0;
  let bestMs = 0;
  for (let tick = 0; tick < CALIBRATION_TICKS * 4; tick++) {
    if (tick >= CALIBRATION_TICKS && best <= GOOD_BRACKET_MS) break;
    // Wait for Date.now() to move by exactly one millisecond. The move came after the last
    // Date.now() call that returned `from`, so after the performance.now() read just before that
    // call (`before`), and before the call that returned the new value, so before the read just
    // after it (`after`). A thread preempted anywhere in between widens the bracket, and a wide
    // bracket loses to a narrow one.
    let before = performance.now();
    const from = Date.now();
    let now = from;
    let after = before;
    for (;;) {
      const beforeCall = performance.now();
      now = Date.now();
      after = performance.now();
      if (now !== from) break;
      before = beforeCall;
    }
    if (now !== from + 1) continue;
    if (after - before < best) {
      best = after - before;
      bestEdge = (before + after) / 2;
      bestMs = now;
    }
  }
  if (best === Number.POSITIVE_INFINITY) return BigInt(Math.round(performance.timeOrigin * 1e6));
  return BigInt(bestMs) * 1_000_000n - BigInt(Math.round(bestEdge * 1e6));
}

const ORIGIN_NS_TOTAL = calibrateOriginNs();
const ORIGIN_S = Number(ORIGIN_NS_TOTAL / 1_000_000_000n);
const ORIGIN_NS = Number(ORIGIN_NS_TOTAL % 1_000_000_000n);
/** Epoch milliseconds (fractional) at performance.now() = 0, on the span clock. */
export const SPAN_CLOCK_ORIGIN_MS = ORIGIN_S * 1000 + ORIGIN_NS / 1e6;

/** A performance.now() reading as [unix seconds, nanoseconds] (exact to 1 ns for ~100 days of uptime). */
export function hrTimeOf(perfNow: number): HrTime {
  const ns = ORIGIN_NS + Math.round(perfNow * 1e6);
  const s = Math.floor(ns / 1e9);
  return [ORIGIN_S + s, ns - s * 1e9];
}

/** Now, on the span clock. */
export function spanNow(): HrTime {
  return hrTimeOf(performance.now());
}

/** Epoch milliseconds (fractional) of a span-clock time. */
export function epochMsOf(t: HrTime): number {
  return t[0] * 1000 + t[1] / 1e6;
}

/** Epoch milliseconds (fractional) of a performance.now() reading, on the span clock. */
export function epochMsOfPerf(perfNow: number): number {
  return SPAN_CLOCK_ORIGIN_MS + perfNow;
}

/** The performance.now() reading of this thread at an epoch time in milliseconds (the span clock's). */
export function perfOfEpochMs(epochMs: number): number {
  return epochMs - SPAN_CLOCK_ORIGIN_MS;
}

/**
 * A caller's TimeInput on the span clock. Like the SDK: a number not later than performance.now()
 * is a performance timestamp, a larger number is epoch milliseconds; a Date is epoch
 * milliseconds; an HrTime is taken as given.
 */
export function toSpanTime(t: TimeInput): HrTime {
  if (Array.isArray(t)) return t as HrTime;
  if (typeof t === 'number') {
    if (t <= performance.now()) return hrTimeOf(t);
    return hrTimeOf(t - SPAN_CLOCK_ORIGIN_MS);
  }
  return hrTimeOf(t.getTime() - SPAN_CLOCK_ORIGIN_MS);
}
