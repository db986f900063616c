// Worker-thread entry: runs an Engine with its share of the scenario and reports to the main
// thread: live counters and the last interval's latency histogram every 250 ms, request rows in
// batches, a metrics snapshot every second (when the main thread evaluates abortOnFail) and at
// the end.

import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { perfOfEpochMs } from '@marketbench/instrumentation/span-clock';
import type { SpanRecordCounts } from '@marketbench/instrumentation/span-records';
import hdr from 'hdr-histogram-js';
import { Engine, type EngineConfig } from './Engine.ts';
import type { LiveCounters } from './EngineContext.ts';
import type { RequestRow } from './RequestRow.ts';

/** Data the main thread passes to a worker. */
export interface WorkerData {
  config: EngineConfig;
  /** Send request rows (the main thread stores them). */
  rows: boolean;
  /** Send a metrics snapshot every second. */
  snapshots: boolean;
}

/** Live counters as plain data. */
export interface LiveMessage {
  iterationsStarted: number;
  requests: number;
  errors: number;
  dropped: number;
  activeVus: number;
  allocatedVus: number;
  targetRate: Array<[string, number]>;
  lastError?: string;
  /** CPU time of the worker's thread so far, µs. */
  threadCpuMicros: number;
  /** Corrected latency histogram since the previous message (compressed base64). */
  interval: string;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'live'; live: LiveMessage }
  | { type: 'rows'; rows: RequestRow[] }
  | { type: 'snapshot'; snapshot: ReturnType<Engine['ctx']['registry']['snapshot']> }
  | {
      type: 'done';
      snapshot: ReturnType<Engine['ctx']['registry']['snapshot']>;
      live: LiveMessage;
      clientSpans?: SpanRecordCounts;
    }
  | { type: 'failed'; message: string };

function threadCpu(): number {
  const u = process.threadCpuUsage();
  return u.user + u.system;
}

function liveMessage(l: LiveCounters): LiveMessage {
  const interval = hdr.encodeIntoCompressedBase64(l.interval);
  l.interval.reset();
  return {
    iterationsStarted: l.iterationsStarted,
    requests: l.requests,
    errors: l.errors,
    dropped: l.dropped,
    activeVus: l.activeVus,
    allocatedVus: l.allocatedVus,
    targetRate: [...l.targetRate],
    lastError: l.lastError,
    threadCpuMicros: threadCpu(),
    interval,
  };
}

async function main(): Promise<void> {
  const data = workerData as WorkerData;
  const port = parentPort;
  if (!port) throw new Error('engineWorker must run in a worker thread');
  const send = (m: WorkerMessage) => port.postMessage(m);
  let rows: RequestRow[] = [];
  const flushRows = () => {
    if (rows.length > 0) {
      send({ type: 'rows', rows });
      rows = [];
    }
  };
  const engine = new Engine(
    data.config,
    data.rows
      ? (row) => {
          rows.push(row);
          if (rows.length >= 2000) flushRows();
        }
      : undefined,
  );
  // The main thread sends the start time (epoch ms; each thread has its own performance clock
  // origin) once every worker is ready, so no worker starts behind its schedule.
  const start = new Promise<number>((resolve) => {
    port.on('message', (m: { type: string; t0Epoch?: number }) => {
      if (m.type === 'abort') engine.abort();
      else if (m.type === 'start') resolve(m.t0Epoch ?? Date.now());
    });
  });
  // Counters (and the thread's CPU so far) before ready, so the first sample measures the run only.
  send({ type: 'live', live: liveMessage(engine.ctx.live) });
  send({ type: 'ready' });
  const t0Epoch = await start;
  const liveTimer = setInterval(() => {
    send({ type: 'live', live: liveMessage(engine.ctx.live) });
    flushRows();
  }, 250);
  const snapshotTimer = data.snapshots
    ? setInterval(() => send({ type: 'snapshot', snapshot: engine.ctx.registry.snapshot() }), 1000)
    : undefined;
  try {
    await engine.run(perfOfEpochMs(t0Epoch));
  } finally {
    clearInterval(liveTimer);
    if (snapshotTimer) clearInterval(snapshotTimer);
  }
  flushRows();
  send({
    type: 'done',
    snapshot: engine.ctx.registry.snapshot(),
    live: liveMessage(engine.ctx.live),
    clientSpans: engine.ctx.clientSpans?.counts,
  });
}

main().catch((err) =>
  parentPort?.postMessage({ type: 'failed', message: (err as Error).stack ?? String(err) }),
);
