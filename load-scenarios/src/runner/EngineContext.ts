// Shared state of one engine (the main thread, or one worker thread): the scenario's compiled
// journeys, the HTTP client, the metric registry, feeders and the run's stop signals.

import hdr from 'hdr-histogram-js';
import type { Feeder } from '../feeders/Feeder.ts';
import type { HttpClient } from '../http/HttpClient.ts';
import type { CompiledJourney } from '../journey/compileJourneys.ts';
import type { MetricRegistry } from '../metrics/MetricRegistry.ts';
import type { ScenarioDefinition } from '../types.ts';
import type { ClientSpans } from './ClientSpans.ts';
import type { RequestRow } from './RequestRow.ts';

/** Everything an iteration needs from its engine. */
export interface EngineContext {
  def: ScenarioDefinition;
  runId: string;
  /** Target origin, e.g. http://127.0.0.1:8080. */
  origin: string;
  client: HttpClient;
  registry: MetricRegistry;
  journeys: Map<string, CompiledJourney>;
  feeders: Map<string, Feeder>;
  /** Tags of every sample (scenario options tags plus --tag). */
  tags: Record<string, string>;
  /** Receives a row per request when rows are being stored. */
  onRequest: ((row: RequestRow) => void) | undefined;
  /** The generator's client span per request, when exported. */
  clientSpans: ClientSpans | undefined;
  random: () => number;
  /** Aborted when the whole run must stop now (abortOnFail, knee, SIGINT). */
  runAbort: AbortSignal;
  /** Next VU id (shared by every executor of this engine). */
  nextVuId: () => number;
  /** Live counters the sampler reads once a second. */
  live: LiveCounters;
}

/** Counters read once a second for the progress line and the samples table. */
export interface LiveCounters {
  iterationsStarted: number;
  requests: number;
  errors: number;
  dropped: number;
  activeVus: number;
  allocatedVus: number;
  /** Target iterations per second of every open-model executor now (set by the executors). */
  targetRate: Map<string, number>;
  /**
   * CPU time (user + system, µs) of the engine's own thread so far: undefined for an engine on the
   * sampler's thread (the sampler reads that thread itself), reported by worker threads.
   */
  threadCpuMicros?: number;
  /** Last error that stopped an iteration before its request (e.g. a unique feeder ran out). */
  lastError?: string;
  /** Corrected latency (µs) since the last sample, reset every second. */
  interval: ReturnType<typeof hdr.build>;
}

/** Creates the counters. */
export function newLiveCounters(): LiveCounters {
  return {
    iterationsStarted: 0,
    requests: 0,
    errors: 0,
    dropped: 0,
    activeVus: 0,
    allocatedVus: 0,
    targetRate: new Map(),
    interval: hdr.build({ autoResize: true, numberOfSignificantValueDigits: 2, useWebAssembly: false }),
  };
}

/** A small seeded PRNG (mulberry32), so a seeded run picks the same journeys and rows. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
