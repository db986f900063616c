// The per-attempt timeout of a PSP call, measured against the PSP rather than our own event
// loop. AbortSignal.timeout fires as soon as the loop resumes after a stall (a long GC, a CPU
// starved on a loaded host), in the timers phase, before the poll phase reads the answer that
// may have been waiting in the socket the whole time; every call in flight then "times out" at
// once and the circuit breaker opens on the PSP for our own stall. Here a timer that fires late
// grants one grace period as long as the lateness (capped at the timeout), so an answer that is
// there is read; a PSP that really is slow still times out, at most twice as late.

/** Lateness of the timer, ms, below which the loop counts as running normally. */
export const STALL_TOLERANCE_MS = 25;

export interface AttemptTimeout {
  signal: AbortSignal;
  /** True when a grace period was granted because the loop was stalled. */
  readonly graced: boolean;
  clear(): void;
}

export function attemptTimeout(
  ms: number,
  now: () => number = performance.now.bind(performance),
): AttemptTimeout {
  const controller = new AbortController();
  const due = now() + ms;
  let graced = false;
  let timer: NodeJS.Timeout;
  const abort = () => controller.abort(new DOMException(`timeout after ${ms} ms`, 'TimeoutError'));
  const fire = () => {
    const late = now() - due;
    if (!graced && late > STALL_TOLERANCE_MS) {
      graced = true;
      timer = setTimeout(abort, Math.min(late, ms));
      return;
    }
    abort();
  };
  timer = setTimeout(fire, ms);
  return {
    signal: controller.signal,
    get graced() {
      return graced;
    },
    clear: () => clearTimeout(timer),
  };
}
