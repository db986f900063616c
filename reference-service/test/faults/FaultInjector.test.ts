import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { FaultInjector, InjectedFaultError, sampleLatency } from '../../src/faults/FaultInjector.ts';
import { mulberry32 } from '../../src/store/seed/catalogGenerator.ts';
import { ServiceMetrics } from '../../src/telemetry/ServiceMetrics.ts';
import { type Attributes, NOOP_TRACING } from '../../src/telemetry/Tracing.ts';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('FaultInjector', () => {
  it('latency distributions have the documented shape', () => {
    const random = mulberry32(1);
    const draw = (spec: Parameters<typeof sampleLatency>[0]) =>
      Array.from({ length: 20_000 }, () => sampleLatency(spec, random));
    assert.deepEqual(new Set(draw({ distribution: 'fixed', ms: 40 })), new Set([40]));
    const uniform = draw({ distribution: 'uniform', minMs: 10, maxMs: 30 });
    assert.ok(Math.min(...uniform) >= 10 && Math.max(...uniform) <= 30);
    assert.ok(Math.abs(mean(uniform) - 20) < 0.5);
    const normal = draw({ distribution: 'normal', meanMs: 100, stddevMs: 20 });
    assert.ok(Math.abs(mean(normal) - 100) < 1);
    const sd = Math.sqrt(mean(normal.map((x) => (x - 100) ** 2)));
    assert.ok(Math.abs(sd - 20) < 1);
    assert.ok(
      draw({ distribution: 'normal', meanMs: 1, stddevMs: 50 }).every((x) => x >= 0),
      'clamped at zero',
    );
    assert.ok(Math.abs(mean(draw({ distribution: 'exponential', meanMs: 50 })) - 50) < 2);
  });

  it('errorPercent fails that share of calls, counts them and marks the active span', async () => {
    const attributes: Attributes[] = [];
    const events: string[] = [];
    const metrics = new ServiceMetrics(new Registry());
    const f = new FaultInjector({
      metrics,
      tracing: { ...NOOP_TRACING, setAttributes: (a) => attributes.push(a), event: (n) => events.push(n) },
      random: mulberry32(7),
    });
    f.set({ db: { errorPercent: 25 } });
    let failed = 0;
    for (let i = 0; i < 4_000; i++) {
      try {
        await f.apply('db');
      } catch (err) {
        assert.ok(err instanceof InjectedFaultError);
        assert.equal(err.dependency, 'db');
        failed++;
      }
    }
    assert.ok(failed > 850 && failed < 1_150, `${failed} of 4000`);
    assert.equal(f.describe().injected.db.error, failed);
    assert.equal(
      (await metrics.faultsInjected.get()).values.find((v) => v.labels.dependency === 'db')?.value,
      failed,
    );
    assert.equal(attributes.length, failed);
    assert.deepEqual(attributes[0], {
      'marketbench.fault.injected': true,
      'marketbench.fault.dependency': 'db',
      'marketbench.fault.kind': 'error',
      'marketbench.fault.delay_ms': 0,
    });
    assert.equal(events.length, failed);
    assert.equal(f.decide('psp'), undefined, 'other dependencies untouched');
  });

  it('latency percent, outage precedence, replacement and expiry', () => {
    let now = 1_000;
    const f = new FaultInjector({ tracing: NOOP_TRACING, random: mulberry32(3), now: () => now });
    f.set({ cache: { latency: { distribution: 'fixed', ms: 5, percent: 50 } } });
    const delayed = Array.from({ length: 2_000 }, () => f.decide('cache')).filter(
      (d) => d?.delayMs === 5,
    ).length;
    assert.ok(delayed > 900 && delayed < 1_100, `${delayed}`);
    f.set({
      psp: { outage: true, errorPercent: 10, latency: { distribution: 'fixed', ms: 7 }, expiresInSeconds: 2 },
    });
    assert.equal(f.decide('cache'), undefined, 'PUT replaces the whole set');
    assert.deepEqual(f.decide('psp'), { delayMs: 7, fail: 'outage' });
    assert.match(
      String((f.describe().faults.psp as { expiresAt: string }).expiresAt),
      /^1970-01-01T00:00:03/,
    );
    now += 2_000;
    assert.equal(f.decide('psp'), undefined, 'expired');
    assert.deepEqual(f.describe().faults, {});
  });
});
