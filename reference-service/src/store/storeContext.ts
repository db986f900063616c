// What every store adapter shares: the tracing that wraps each store call in one DB span and the
// fault injector that can slow or fail the `db` dependency. One span per port call (not per
// statement) keeps the span count per request small without hiding where time went.
import type { FaultInjector } from '../faults/FaultInjector.ts';
import type { DbSpec, Tracing } from '../telemetry/Tracing.ts';

export interface StoreContext {
  tracing: Tracing;
  faults?: FaultInjector;
}

export function dbCall<T>(ctx: StoreContext, spec: DbSpec, fn: () => T | Promise<T>): Promise<T> {
  const faults = ctx.faults;
  if (faults?.has('db')) {
    return ctx.tracing.db(spec, async () => {
      await faults.apply('db');
      return fn();
    });
  }
  return ctx.tracing.db(spec, async () => fn());
}
