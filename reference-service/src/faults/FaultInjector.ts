// Holds the fault set an operator or a load scenario installed (PUT /admin/faults) and decides,
// per dependency call, whether to add latency or fail. The check on the hot path is one map
// lookup when no fault is set, so an undisturbed service pays nothing for the feature.
import { ATTR, FAULT_DEPENDENCIES, type FaultDependency, SPAN_EVENTS } from '@marketbench/contracts';
import type { ServiceLog } from '../telemetry/ServiceLog.ts';
import type { ServiceMetrics } from '../telemetry/ServiceMetrics.ts';
import type { Tracing } from '../telemetry/Tracing.ts';

export type LatencySpec =
  | { distribution: 'fixed'; ms: number; percent?: number }
  | { distribution: 'uniform'; minMs: number; maxMs: number; percent?: number }
  | { distribution: 'normal'; meanMs: number; stddevMs: number; percent?: number }
  | { distribution: 'exponential'; meanMs: number; percent?: number };

export interface FaultSpec {
  latency?: LatencySpec;
  errorPercent?: number;
  outage?: boolean;
  expiresInSeconds?: number;
}

export type FaultKind = 'latency' | 'error' | 'outage';

/** What to do to one call: wait `delayMs`, then fail when `fail` is set. */
export interface FaultDecision {
  delayMs: number;
  fail: FaultKind | undefined;
}

interface ActiveFault {
  spec: FaultSpec;
  expiresAt: number | undefined;
}

/** Thrown by a dependency call a fault made fail. */
export class InjectedFaultError extends Error {
  readonly dependency: FaultDependency;
  readonly kind: FaultKind;
  constructor(dependency: FaultDependency, kind: FaultKind) {
    super(`injected ${kind} in ${dependency}`);
    this.name = 'InjectedFaultError';
    this.dependency = dependency;
    this.kind = kind;
  }
}

export function sampleLatency(spec: LatencySpec, random: () => number): number {
  switch (spec.distribution) {
    case 'fixed':
      return spec.ms;
    case 'uniform':
      return spec.minMs + random() * (spec.maxMs - spec.minMs);
    case 'normal': {
      // Box–Muller; clamped at zero because a delay cannot be negative.
      const u = 1 - random();
      const v = random();
      return Math.max(
        0,
        spec.meanMs + spec.stddevMs * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v),
      );
    }
    case 'exponential':
      return -spec.meanMs * Math.log(1 - random());
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FaultInjector {
  readonly #faults = new Map<FaultDependency, ActiveFault>();
  readonly #injected = new Map<string, number>();
  readonly #metrics: ServiceMetrics | undefined;
  readonly #tracing: Tracing;
  readonly #log: ServiceLog | undefined;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(opts: {
    metrics?: ServiceMetrics;
    tracing: Tracing;
    /** Fault changes are logged here (a drill shows up in the logs, not only on spans). */
    log?: ServiceLog;
    random?: () => number;
    now?: () => number;
  }) {
    this.#metrics = opts.metrics;
    this.#tracing = opts.tracing;
    this.#log = opts.log;
    this.#random = opts.random ?? Math.random;
    this.#now = opts.now ?? Date.now;
  }

  /** Replaces the whole fault set. */
  set(faults: Partial<Record<FaultDependency, FaultSpec>>): void {
    this.#faults.clear();
    const now = this.#now();
    for (const dep of FAULT_DEPENDENCIES) {
      const spec = faults[dep];
      if (!spec) continue;
      const expiresAt = spec.expiresInSeconds ? now + spec.expiresInSeconds * 1000 : undefined;
      this.#faults.set(dep, { spec, expiresAt });
      this.#log?.warn(
        { [ATTR.faultDependency]: dep, 'marketbench.fault.spec': JSON.stringify(spec) },
        `fault injection set on ${dep}`,
      );
    }
    if (this.#faults.size === 0) this.#log?.warn({}, 'fault injection cleared');
  }

  clear(): void {
    const had = this.#faults.size > 0;
    this.#faults.clear();
    if (had) this.#log?.warn({}, 'fault injection cleared');
  }

  /** The document GET /admin/faults answers. */
  describe(): { faults: Record<string, unknown>; injected: Record<string, Record<FaultKind, number>> } {
    const faults: Record<string, unknown> = {};
    for (const [dep, active] of this.#faults) {
      if (active.expiresAt !== undefined && active.expiresAt <= this.#now()) continue;
      const { expiresInSeconds: _omit, ...spec } = active.spec;
      faults[dep] = {
        ...spec,
        outage: spec.outage ?? false,
        errorPercent: spec.errorPercent ?? 0,
        ...(active.expiresAt !== undefined ? { expiresAt: new Date(active.expiresAt).toISOString() } : {}),
      };
    }
    const injected: Record<string, Record<FaultKind, number>> = {};
    for (const dep of FAULT_DEPENDENCIES) {
      injected[dep] = {
        latency: this.#injected.get(`${dep}:latency`) ?? 0,
        error: this.#injected.get(`${dep}:error`) ?? 0,
        outage: this.#injected.get(`${dep}:outage`) ?? 0,
      };
    }
    return { faults, injected };
  }

  /** Decides the fault for one call, records it on the active span and in the metrics. */
  decide(dep: FaultDependency): FaultDecision | undefined {
    if (this.#faults.size === 0) return undefined;
    const active = this.#faults.get(dep);
    if (!active) return undefined;
    if (active.expiresAt !== undefined && active.expiresAt <= this.#now()) {
      this.#faults.delete(dep);
      return undefined;
    }
    const { spec } = active;
    let delayMs = 0;
    if (spec.latency && this.#random() * 100 < (spec.latency.percent ?? 100)) {
      delayMs = Math.round(sampleLatency(spec.latency, this.#random));
    }
    let fail: FaultKind | undefined;
    if (spec.outage) fail = 'outage';
    else if (spec.errorPercent && this.#random() * 100 < spec.errorPercent) fail = 'error';
    const kind: FaultKind | undefined = fail ?? (delayMs > 0 ? 'latency' : undefined);
    if (!kind) return undefined;
    this.#record(dep, kind, delayMs);
    return { delayMs, fail };
  }

  /** Applies the fault of `dep` in-process: waits, then throws InjectedFaultError when it fails. */
  async apply(dep: FaultDependency): Promise<void> {
    const decision = this.decide(dep);
    if (!decision) return;
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    if (decision.fail) throw new InjectedFaultError(dep, decision.fail);
  }

  /** True when `dep` has a fault configured (lets hot paths skip an await). */
  has(dep: FaultDependency): boolean {
    return this.#faults.size > 0 && this.#faults.has(dep);
  }

  #record(dep: FaultDependency, kind: FaultKind, delayMs: number): void {
    const key = `${dep}:${kind}`;
    this.#injected.set(key, (this.#injected.get(key) ?? 0) + 1);
    this.#metrics?.faultsInjected.inc({ dependency: dep, kind });
    const attributes = {
      [ATTR.faultInjected]: true,
      [ATTR.faultDependency]: dep,
      [ATTR.faultKind]: kind,
      [ATTR.faultDelayMs]: delayMs,
    };
    this.#tracing.setAttributes(attributes);
    this.#tracing.event(SPAN_EVENTS.faultInjected, attributes);
  }
}
