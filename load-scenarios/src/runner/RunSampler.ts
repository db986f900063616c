// Once a second: target vs achieved rate, active VUs, the generator's own CPU, dropped
// iterations, p99 and errors of that second. Feeds the progress line, the samples table,
// knee detection and abortOnFail.

import { performance } from 'node:perf_hooks';
import { epochMsOfPerf } from '@marketbench/instrumentation/span-clock';
import hdr from 'hdr-histogram-js';
import type { LiveCounters } from './EngineContext.ts';

/** One second of the run. */
export interface SecondSample {
  /** Seconds since the start. */
  elapsedSec: number;
  /** Epoch ms at the end of the second. */
  epochMs: number;
  /** Target iterations/s of the open-model executors (0 when there are none). */
  targetRate: number;
  /** Iterations started per second. */
  achievedRate: number;
  /** Requests completed per second. */
  requestRate: number;
  /** VUs running an iteration. */
  activeVus: number;
  /** VUs allocated (k6's vus_max). */
  allocatedVus: number;
  /** Generator CPU, percent of one core: the engines' own threads (user + system), not the rest of the process. */
  generatorCpu: number;
  /** Iterations dropped in this second. */
  droppedIterations: number;
  /** Requests that failed in this second. */
  errors: number;
  /** p99 of corrected latency in this second (ms). */
  p99Ms: number;
  /** p99 of corrected latency since the start of the run (ms). */
  p99SoFarMs: number;
}

export class RunSampler {
  private readonly live: () => LiveCounters[];
  private readonly startedAt: number;
  private prevAt: number;
  private prevCpu = 0;
  private prev = { iterations: 0, requests: 0, errors: 0, dropped: 0 };
  readonly samples: SecondSample[] = [];
  /** Every interval's latencies, for the p99 so far. */
  private readonly cumulative = hdr.build({
    autoResize: true,
    numberOfSignificantValueDigits: 2,
    useWebAssembly: false,
  });

  constructor(live: () => LiveCounters[], startedAt: number) {
    this.live = live;
    this.startedAt = startedAt;
    this.prevAt = startedAt;
    this.prevCpu = this.engineCpuMicros();
  }

  /** CPU µs of the engines' threads: workers report theirs; an engine on this thread is this thread. */
  private engineCpuMicros(): number {
    let total = 0;
    let local = false;
    for (const l of this.live()) {
      if (l.threadCpuMicros === undefined) local = true;
      else total += l.threadCpuMicros;
    }
    if (local) {
      const u = process.threadCpuUsage();
      total += u.user + u.system;
    }
    return total;
  }

  /** Takes a sample of the time since the previous one; a final sample under 0.5 s is not kept (its rates would be noise). */
  sample(final = false): SecondSample | undefined {
    const now = performance.now();
    if (final && now - this.prevAt < 500) return undefined;
    const dt = Math.max(1e-3, (now - this.prevAt) / 1000);
    const cpu = this.engineCpuMicros();
    const cpuMs = (cpu - this.prevCpu) / 1000;
    let iterations = 0;
    let requests = 0;
    let errors = 0;
    let dropped = 0;
    let active = 0;
    let allocated = 0;
    let target = 0;
    let p99 = 0;
    for (const l of this.live()) {
      iterations += l.iterationsStarted;
      requests += l.requests;
      errors += l.errors;
      dropped += l.dropped;
      active += l.activeVus;
      allocated += l.allocatedVus;
      for (const r of l.targetRate.values()) target += r;
      if (l.interval.totalCount > 0) {
        p99 = Math.max(p99, l.interval.getValueAtPercentile(99) / 1000);
        this.cumulative.add(l.interval);
      }
      l.interval.reset();
    }
    const s: SecondSample = {
      elapsedSec: (now - this.startedAt) / 1000,
      epochMs: epochMsOfPerf(now),
      targetRate: target,
      achievedRate: (iterations - this.prev.iterations) / dt,
      requestRate: (requests - this.prev.requests) / dt,
      activeVus: active,
      allocatedVus: allocated,
      generatorCpu: (cpuMs / (dt * 1000)) * 100,
      droppedIterations: dropped - this.prev.dropped,
      errors: errors - this.prev.errors,
      p99Ms: p99,
      p99SoFarMs: this.cumulative.totalCount > 0 ? this.cumulative.getValueAtPercentile(99) / 1000 : 0,
    };
    this.prev = { iterations, requests, errors, dropped };
    this.prevAt = now;
    this.prevCpu = cpu;
    this.samples.push(s);
    return s;
  }
}
