// The six k6 executors. Open model (arrival-rate): iterations start at their scheduled time on
// any free VU; when every VU up to maxVUs is busy the iteration is dropped and counted in
// dropped_iterations, never delayed. Closed model (*-vus, *-iterations): each VU loops,
// starting its next iteration when the previous one ends. After the executor's time is up,
// running iterations get gracefulStop to finish, then they are interrupted.

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '@marketbench/contracts';
import { type ExecutorRuntime, runIteration } from '../journey/runIteration.ts';
import { MetricRegistry } from '../metrics/MetricRegistry.ts';
import type { EngineContext } from '../runner/EngineContext.ts';
import { Vu } from '../runner/Vu.ts';
import type { ExecutorConfig, Stage } from '../types.ts';
import { ArrivalSchedule } from './ArrivalSchedule.ts';

/** How an executor is split across worker threads: this engine runs share `phase` of `of`. */
export interface Share {
  of: number;
  phase: number;
}

/** Splits `n` (VUs, iterations) into `of` shares as evenly as possible. */
export function shareOf(n: number, share: Share): number {
  return Math.floor(n / share.of) + (share.phase < n % share.of ? 1 : 0);
}

/** runIteration that never rejects: a bug in one iteration is counted, not a crash of the run. */
function iteration(ctx: EngineContext, ex: ExecutorRuntime, vu: Vu, intendedStart: number): Promise<void> {
  return runIteration(ctx, ex, vu, intendedStart).catch((err: unknown) => {
    ctx.live.errors++;
    ctx.live.lastError = (err as Error)?.message ?? String(err);
  });
}

function newVu(ctx: EngineContext): Vu {
  ctx.live.allocatedVus++;
  return new Vu(ctx.nextVuId());
}

/**
 * Waits until performance.now() reaches `t`, or the signal aborts. Plain timers (1 ms
 * resolution), never a busy spin: a spinning generator would steal the CPU of a local server.
 */
async function until(t: number, signal: AbortSignal): Promise<void> {
  for (;;) {
    const wait = t - performance.now();
    if (wait <= 0 || signal.aborted) return;
    try {
      await sleep(Math.max(1, Math.ceil(wait)), undefined, { signal });
    } catch {
      return;
    }
  }
}

/** Tracks running iterations so the end of an executor can wait for them, then interrupt them. */
class Inflight {
  readonly running = new Map<Vu, Promise<void>>();
  add(vu: Vu, p: Promise<void>): void {
    this.running.set(vu, p);
  }
  delete(vu: Vu): void {
    this.running.delete(vu);
  }
  /** Waits up to `graceMs` for running iterations, then aborts the rest; resolves with the number interrupted. */
  async drain(graceMs: number, runAbort: AbortSignal): Promise<number> {
    if (this.running.size === 0) return 0;
    const timeout = new AbortController();
    const onRun = () => timeout.abort();
    runAbort.addEventListener('abort', onRun, { once: true });
    const timer = setTimeout(() => timeout.abort(), graceMs);
    await Promise.race([
      Promise.all(this.running.values()),
      new Promise<void>((r) => timeout.signal.addEventListener('abort', () => r(), { once: true })),
    ]);
    clearTimeout(timer);
    runAbort.removeEventListener('abort', onRun);
    const left = [...this.running.keys()];
    for (const vu of left) vu.abort();
    await Promise.all(this.running.values());
    return left.length;
  }
}

function countInterrupted(ctx: EngineContext, ex: ExecutorRuntime, n: number): void {
  if (n > 0)
    ctx.registry.add('interrupted_iterations', 'counter', { ...ctx.tags, ...ex.tags, scenario: ex.name }, n);
}

async function arrivalRate(
  ctx: EngineContext,
  ex: ExecutorRuntime,
  config: Extract<ExecutorConfig, { executor: 'constant-arrival-rate' | 'ramping-arrival-rate' }>,
  start: number,
  share: Share,
): Promise<void> {
  const schedule = ArrivalSchedule.of(config, share.of, share.phase);
  const maxVus = shareOf(config.maxVUs ?? config.preAllocatedVUs, share);
  const free: Vu[] = [];
  for (let i = 0; i < shareOf(config.preAllocatedVUs, share); i++) free.push(newVu(ctx));
  let allocated = free.length;
  const inflight = new Inflight();
  const dropped = ctx.registry.series('dropped_iterations', 'counter', {
    ...ctx.tags,
    ...ex.tags,
    scenario: ex.name,
  });
  // Target iterations per second of this engine's share, for the progress line and samples.
  const publishRate = () =>
    ctx.live.targetRate.set(ex.name, (schedule.rateAt(performance.now() - start) * 1000) / share.of);
  const rateTimer = setInterval(publishRate, 250);
  publishRate();
  let next = schedule.next();
  while (next !== undefined && !ctx.runAbort.aborted) {
    const now = performance.now();
    while (next !== undefined && start + next <= now) {
      let vu = free.pop();
      if (!vu && allocated < maxVus) {
        vu = newVu(ctx);
        allocated++;
      }
      if (vu) {
        const v = vu;
        ctx.live.activeVus++;
        const p = iteration(ctx, ex, v, start + next).finally(() => {
          ctx.live.activeVus--;
          inflight.delete(v);
          if (!v.aborted) free.push(v);
        });
        inflight.add(v, p);
      } else {
        MetricRegistry.add(dropped, 1);
        ctx.live.dropped++;
      }
      next = schedule.next();
    }
    if (next !== undefined) await until(start + next, ctx.runAbort);
  }
  clearInterval(rateTimer);
  ctx.live.targetRate.delete(ex.name);
  // Iterations due before the end but past an abort are neither started nor dropped.
  await until(start + schedule.durationMs, ctx.runAbort);
  countInterrupted(
    ctx,
    ex,
    await inflight.drain(
      ctx.runAbort.aborted ? 0 : parseDuration(config.gracefulStop ?? '30s', 'duration'),
      ctx.runAbort,
    ),
  );
}

/** VUs looping until `shouldStop` says so; returns when every loop ended or was interrupted. */
async function vuLoops(
  ctx: EngineContext,
  ex: ExecutorRuntime,
  count: number,
  endAt: number,
  graceMs: number,
  takeIteration: (vu: Vu) => boolean,
): Promise<void> {
  const inflight = new Inflight();
  const loops: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const vu = newVu(ctx);
    loops.push(
      (async () => {
        // One clock read per iteration: the loop's check and the iteration's intended start.
        let now = performance.now();
        while (!ctx.runAbort.aborted && !vu.aborted && now < endAt && takeIteration(vu)) {
          ctx.live.activeVus++;
          const p = iteration(ctx, ex, vu, now);
          inflight.add(vu, p);
          await p;
          inflight.delete(vu);
          ctx.live.activeVus--;
          now = performance.now();
        }
      })(),
    );
  }
  const ended = Promise.all(loops);
  const stopWaiting = new AbortController();
  void ended.then(() => stopWaiting.abort());
  await until(endAt, AbortSignal.any([ctx.runAbort, stopWaiting.signal]));
  countInterrupted(ctx, ex, await inflight.drain(ctx.runAbort.aborted ? 0 : graceMs, ctx.runAbort));
  await ended;
}

/** VUs of a ramping-vus executor at offset t. */
export function vusAt(startVus: number, stages: readonly Stage[], t: number): number {
  let t0 = 0;
  let from = startVus;
  for (const st of stages) {
    const d = parseDuration(st.duration, 'duration');
    if (t < t0 + d) return Math.round(from + ((st.target - from) * (t - t0)) / d);
    t0 += d;
    from = st.target;
  }
  return Math.round(from);
}

async function rampingVus(
  ctx: EngineContext,
  ex: ExecutorRuntime,
  config: Extract<ExecutorConfig, { executor: 'ramping-vus' }>,
  start: number,
  share: Share,
): Promise<void> {
  const total = config.stages.reduce((s, st) => s + parseDuration(st.duration, 'duration'), 0);
  const endAt = start + total;
  const rampDownMs = parseDuration(config.gracefulRampDown ?? '30s', 'duration');
  const inflight = new Inflight();
  const active: Vu[] = [];
  const loops = new Set<Promise<void>>();
  const startLoop = () => {
    const vu = newVu(ctx);
    active.push(vu);
    const loop = (async () => {
      while (!ctx.runAbort.aborted && !vu.aborted && performance.now() < endAt && active.includes(vu)) {
        ctx.live.activeVus++;
        const p = iteration(ctx, ex, vu, performance.now());
        inflight.add(vu, p);
        await p;
        inflight.delete(vu);
        ctx.live.activeVus--;
      }
    })();
    loops.add(loop);
    void loop.finally(() => loops.delete(loop));
  };
  while (performance.now() < endAt && !ctx.runAbort.aborted) {
    const target = shareOf(vusAt(config.startVUs ?? 1, config.stages, performance.now() - start), share);
    while (active.length < target) startLoop();
    while (active.length > target) {
      // Ramp-down: the VU finishes its iteration, and is interrupted after gracefulRampDown.
      const vu = active.pop() as Vu;
      setTimeout(() => vu.abort(), rampDownMs).unref();
    }
    await until(Math.min(endAt, performance.now() + 100), ctx.runAbort);
  }
  active.length = 0;
  countInterrupted(
    ctx,
    ex,
    await inflight.drain(
      ctx.runAbort.aborted ? 0 : parseDuration(config.gracefulStop ?? '30s', 'duration'),
      ctx.runAbort,
    ),
  );
  await Promise.all(loops);
}

/** Runs one named executor from `start` (performance.now() clock) to its end. */
export async function runExecutor(
  ctx: EngineContext,
  ex: ExecutorRuntime,
  config: ExecutorConfig,
  start: number,
  share: Share = { of: 1, phase: 0 },
): Promise<void> {
  await until(start, ctx.runAbort);
  if (ctx.runAbort.aborted) return;
  const grace = parseDuration(config.gracefulStop ?? '30s', 'duration');
  switch (config.executor) {
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return arrivalRate(ctx, ex, config, start, share);
    case 'constant-vus':
      return vuLoops(
        ctx,
        ex,
        shareOf(config.vus, share),
        start + parseDuration(config.duration, 'duration'),
        grace,
        () => true,
      );
    case 'ramping-vus':
      return rampingVus(ctx, ex, config, start, share);
    case 'per-vu-iterations':
      return vuLoops(
        ctx,
        ex,
        shareOf(config.vus, share),
        start + parseDuration(config.maxDuration ?? '10m', 'duration'),
        grace,
        (vu) => vu.iterations < config.iterations,
      );
    case 'shared-iterations': {
      let left = shareOf(config.iterations, share);
      return vuLoops(
        ctx,
        ex,
        Math.min(shareOf(config.vus, share), left),
        start + parseDuration(config.maxDuration ?? '10m', 'duration'),
        grace,
        () => left-- > 0,
      );
    }
  }
}
