// One engine runs a scenario's executors on one thread: the main thread, or each worker thread
// with its share of every executor (every n-th arrival, VUs and iterations split evenly). It owns
// the thread's HTTP pool, metric registry, feeders and live counters.

import path from 'node:path';
import { parseDuration } from '@marketbench/contracts';
import { Feeder } from '../feeders/Feeder.ts';
import { HttpClient } from '../http/HttpClient.ts';
import { compileJourney, JourneyPicker } from '../journey/compileJourneys.ts';
import type { ExecutorRuntime } from '../journey/runIteration.ts';
import { MetricRegistry } from '../metrics/MetricRegistry.ts';
import { runExecutor, type Share } from '../scheduler/runExecutor.ts';
import type { ScenarioDefinition } from '../types.ts';
import { type ClientSpanConfig, ClientSpans } from './ClientSpans.ts';
import { type EngineContext, newLiveCounters, seededRandom } from './EngineContext.ts';
import type { RequestRow } from './RequestRow.ts';

/** What an engine needs; plain data, so it crosses into a worker thread. */
export interface EngineConfig {
  /** Validated scenario, overrides applied. */
  def: ScenarioDefinition;
  /** Scenario file (feeder paths are relative to it). */
  file?: string;
  runId: string;
  origin: string;
  /** Tags of every sample. */
  tags: Record<string, string>;
  /** Seed of the engine's random choices (undefined: Math.random). */
  seed?: number;
  /** Maximum connections of this engine's pool (null: one per concurrent request). */
  connections: number | null;
  /** This engine's share of every executor. */
  share: Share;
  /** Export a client span per request here (null: none). */
  clientSpans: ClientSpanConfig | null;
}

export class Engine {
  readonly ctx: EngineContext;
  private readonly config: EngineConfig;
  private readonly abortController: AbortController;

  constructor(config: EngineConfig, onRequest: ((row: RequestRow) => void) | undefined) {
    this.config = config;
    const { def, share } = config;
    const baseDir = config.file ? path.dirname(path.resolve(config.file)) : process.cwd();
    const feeders = new Map<string, Feeder>();
    for (const [name, spec] of Object.entries(def.feeders ?? {}))
      feeders.set(name, Feeder.load(name, spec, baseDir, config.file));
    this.abortController = new AbortController();
    // VU ids interleave across engines (engine i: i+1, i+1+n, ...) so they stay unique per run.
    let vus = 0;
    this.ctx = {
      def,
      runId: config.runId,
      origin: config.origin,
      client: new HttpClient(config.origin, { connections: config.connections }),
      registry: new MetricRegistry(),
      journeys: new Map(Object.entries(def.journeys).map(([n, j]) => [n, compileJourney(n, j)])),
      feeders,
      tags: config.tags,
      onRequest,
      clientSpans: config.clientSpans
        ? new ClientSpans(config.clientSpans, config.origin, config.runId)
        : undefined,
      random: config.seed !== undefined ? seededRandom(config.seed + share.phase) : Math.random,
      runAbort: this.abortController.signal,
      nextVuId: () => share.phase + 1 + share.of * vus++,
      live: newLiveCounters(),
    };
  }

  /** Stops every executor now (abortOnFail, knee, SIGINT). */
  abort(): void {
    this.abortController.abort();
  }

  get aborted(): boolean {
    return this.abortController.signal.aborted;
  }

  /** Runs every executor from `t0` (performance.now() clock of this thread) to its end. */
  async run(t0: number): Promise<void> {
    const { def, share } = this.config;
    const ctx = this.ctx;
    try {
      await Promise.all(
        Object.entries(def.options.scenarios).map(([name, config]) => {
          const journeys = (config.journeys ?? Object.keys(def.journeys))
            .map((j) => ctx.journeys.get(j))
            .filter((j) => j !== undefined);
          const ex: ExecutorRuntime = {
            name,
            tags: config.tags ?? {},
            picker: new JourneyPicker(journeys),
            handles: new Map(),
            iterationHandles: new Map(),
          };
          return runExecutor(
            ctx,
            ex,
            config,
            t0 + (config.startTime ? parseDuration(config.startTime, 'duration') : 0),
            share,
          );
        }),
      );
    } finally {
      await ctx.client.close(true).catch(() => undefined);
      await ctx.clientSpans?.close().catch(() => undefined);
    }
  }
}
