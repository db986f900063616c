// The main thread's view of the engines of a run: one in-process Engine, or N worker threads
// each running an Engine on its share. Either way the runner sees live counters for the sampler,
// the metrics so far (for abortOnFail) and, at the end, the merged metrics.

import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { epochMsOfPerf } from '@marketbench/instrumentation/span-clock';
import type { SpanRecordCounts } from '@marketbench/instrumentation/span-records';
import hdr from 'hdr-histogram-js';
import { MetricRegistry, type MetricsSnapshot } from '../metrics/MetricRegistry.ts';
import { Engine, type EngineConfig } from './Engine.ts';
import { type LiveCounters, newLiveCounters } from './EngineContext.ts';
import type { LiveMessage, WorkerData, WorkerMessage } from './engineWorker.ts';
import type { RequestRow } from './RequestRow.ts';

export interface Engines {
  /** Live counters of every engine (the sampler reads and resets their intervals). */
  live(): LiveCounters[];
  /** The metrics recorded so far. */
  currentMetrics(): MetricRegistry;
  /** Stops every engine now. */
  abort(): void;
  /** Gets every engine ready to start (worker threads load their modules). */
  prepare(): Promise<void>;
  /** Runs every engine from `t0` (this thread's performance.now() clock); resolves with the merged metrics. */
  run(t0: number): Promise<MetricRegistry>;
  /** Client spans of every engine (after `run`), undefined when none are exported. */
  clientSpans(): SpanRecordCounts | undefined;
}

/** The sum of engines' client span counts. */
function sumCounts(list: Array<SpanRecordCounts | undefined>): SpanRecordCounts | undefined {
  let total: SpanRecordCounts | undefined;
  for (const c of list) {
    if (!c) continue;
    total ??= {
      recorded: 0,
      enqueued: 0,
      exported: 0,
      dropped: { queue_full: 0, export_failed: 0, shutdown: 0 },
    };
    total.recorded += c.recorded;
    total.enqueued += c.enqueued;
    total.exported += c.exported;
    total.dropped.queue_full += c.dropped.queue_full;
    total.dropped.export_failed += c.dropped.export_failed;
    total.dropped.shutdown += c.dropped.shutdown;
  }
  return total;
}

/** One engine on this thread. */
export function localEngines(
  config: EngineConfig,
  onRequest: ((row: RequestRow) => void) | undefined,
): Engines {
  const engine = new Engine(config, onRequest);
  return {
    live: () => [engine.ctx.live],
    currentMetrics: () => engine.ctx.registry,
    abort: () => engine.abort(),
    prepare: async () => undefined,
    run: async (t0) => {
      await engine.run(t0);
      return engine.ctx.registry;
    },
    clientSpans: () => engine.ctx.clientSpans?.counts,
  };
}

function applyLive(target: LiveCounters, m: LiveMessage): void {
  target.iterationsStarted = m.iterationsStarted;
  target.requests = m.requests;
  target.errors = m.errors;
  target.dropped = m.dropped;
  target.activeVus = m.activeVus;
  target.allocatedVus = m.allocatedVus;
  target.targetRate = new Map(m.targetRate);
  target.lastError = m.lastError;
  target.threadCpuMicros = m.threadCpuMicros;
  if (m.interval) target.interval.add(hdr.decodeFromCompressedBase64(m.interval, 32, false));
}

/** `count` worker threads, engine i running share i of `count`. */
export function workerEngines(
  config: Omit<EngineConfig, 'share'>,
  count: number,
  onRequest: ((row: RequestRow) => void) | undefined,
  snapshots: boolean,
): Engines {
  const lives = Array.from({ length: count }, () => ({ ...newLiveCounters(), threadCpuMicros: 0 }));
  const latest: Array<MetricsSnapshot | undefined> = new Array(count).fill(undefined);
  const spanCounts: Array<SpanRecordCounts | undefined> = new Array(count).fill(undefined);
  const workers: Worker[] = [];
  const finals: Promise<MetricsSnapshot>[] = [];
  const readyResolvers: Array<() => void> = [];
  const merged = (list: Array<MetricsSnapshot | undefined>) => {
    const r = new MetricRegistry();
    for (const s of list) if (s) r.merge(s);
    return r;
  };
  return {
    live: () => lives,
    currentMetrics: () => merged(latest),
    abort: () => {
      for (const w of workers) w.postMessage({ type: 'abort' });
    },
    prepare: async () => {
      const ready = Array.from({ length: count }, (_, i) => {
        const data: WorkerData = {
          config: { ...config, share: { of: count, phase: i } },
          rows: onRequest !== undefined,
          snapshots,
        };
        const worker = new Worker(new URL('./engineWorker.ts', import.meta.url), { workerData: data });
        workers.push(worker);
        finals.push(
          new Promise<MetricsSnapshot>((resolve, reject) => {
            let done = false;
            worker.on('message', (m: WorkerMessage) => {
              if (m.type === 'ready') readyResolvers[i]();
              else if (m.type === 'live') applyLive(lives[i], m.live);
              else if (m.type === 'rows') for (const row of m.rows) onRequest?.(row);
              else if (m.type === 'snapshot') latest[i] = m.snapshot;
              else if (m.type === 'done') {
                done = true;
                applyLive(lives[i], m.live);
                spanCounts[i] = m.clientSpans;
                resolve(m.snapshot);
              } else if (m.type === 'failed') reject(new Error(`load worker ${i} failed: ${m.message}`));
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (!done) reject(new Error(`load worker ${i} exited with code ${code} before finishing`));
            });
          }),
        );
        return new Promise<void>((resolve) => {
          readyResolvers[i] = resolve;
        });
      });
      // A worker that fails while loading must not leave prepare() waiting.
      await Promise.race([Promise.all(ready), Promise.all(finals).then(() => undefined)]);
    },
    run: async (t0) => {
      const t0Epoch = epochMsOfPerf(t0);
      for (const w of workers) w.postMessage({ type: 'start', t0Epoch });
      const snapshots = await Promise.all(finals);
      await Promise.all(workers.map((w) => w.terminate()));
      return merged(snapshots);
    },
    clientSpans: () => sumCounts(spanCounts),
  };
}
