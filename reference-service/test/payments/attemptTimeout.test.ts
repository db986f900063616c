// A PSP attempt's timeout measures the PSP, not our own event loop: an answer that arrived while
// the loop was blocked is read, not counted as a timeout (which, ten in a row, opened the breaker
// during psp-incident's healthy baseline on a loaded machine); a PSP that is slow still times out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attemptTimeout } from '../../src/payments/attemptTimeout.ts';
import { HttpPaymentGateway } from '../../src/payments/HttpPaymentGateway.ts';
import { PspSimulator } from '../../src/payments/PspSimulator.ts';
import { NOOP_TRACING } from '../../src/telemetry/Tracing.ts';

/** Blocks the event loop, as a long GC or a starved CPU does. */
function blockLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const card = { token: 'tok_test', last4: '4242', brand: 'visa' };

describe('attemptTimeout', () => {
  it('aborts on time while the loop runs', async () => {
    const t = attemptTimeout(40);
    await sleep(120);
    assert.equal(t.signal.aborted, true);
    assert.equal((t.signal.reason as Error).name, 'TimeoutError');
    assert.equal(t.graced, false);
  });

  it('grants one grace period after a stall, then aborts', async () => {
    const t = attemptTimeout(40);
    blockLoop(200);
    await sleep(5);
    assert.equal(t.signal.aborted, false, 'the stall is not charged to the callee');
    assert.equal(t.graced, true);
    await sleep(150);
    assert.equal(t.signal.aborted, true);
  });

  it('clear() stops it', async () => {
    const t = attemptTimeout(20);
    t.clear();
    await sleep(60);
    assert.equal(t.signal.aborted, false);
  });
});

describe('HttpPaymentGateway under an event-loop stall', () => {
  const psp = new PspSimulator({ latencyMs: 30 });
  let gateway: HttpPaymentGateway;
  before(async () => {
    await psp.start();
    gateway = new HttpPaymentGateway({
      url: psp.url,
      policy: {
        // 250 ms: the warm-up must not time out on a loaded 2-core machine (with the 1-failure
        // breaker below, one slow warm-up opened the circuit and failed the test).
        attemptTimeoutMs: 250,
        maxAttempts: 1,
        backoffBaseMs: 1,
        backoffCapMs: 1,
        hedgeAfterMs: 0,
        breaker: { failureThreshold: 1, openMs: 60_000, halfOpenMaxCalls: 1 },
        resolveIntervalMs: 1_000,
        resolveDelayMs: 1_000,
        resolveDelayCapMs: 1_000,
        resolveMaxAttempts: 1,
      },
      tracing: NOOP_TRACING,
    });
  });
  after(async () => {
    await gateway.close();
    await psp.close();
  });

  it('an authorization answered during a 600 ms stall is approved, and the breaker stays closed', async () => {
    // warm the connection so the stall hits an attempt in flight
    assert.equal(
      (await gateway.authorize({ orderId: 'warm', pspKey: 'warm', amountCents: 100, currency: 'EUR', card }))
        .outcome,
      'approved',
    );
    const pending = gateway.authorize({
      orderId: 'stalled',
      pspKey: 'stalled',
      amountCents: 100,
      currency: 'EUR',
      card,
    });
    setTimeout(() => blockLoop(600), 10);
    const result = await pending;
    assert.equal(result.outcome, 'approved');
    assert.equal(gateway.breaker.state, 'closed');
  });

  it('a PSP slower than the timeout still times out', async () => {
    const slow = new PspSimulator({ latencyMs: 400 });
    await slow.start();
    const g = new HttpPaymentGateway({
      url: slow.url,
      policy: {
        attemptTimeoutMs: 100,
        maxAttempts: 1,
        backoffBaseMs: 1,
        backoffCapMs: 1,
        hedgeAfterMs: 0,
        breaker: { failureThreshold: 100, openMs: 60_000, halfOpenMaxCalls: 1 },
        resolveIntervalMs: 1_000,
        resolveDelayMs: 1_000,
        resolveDelayCapMs: 1_000,
        resolveMaxAttempts: 1,
      },
      tracing: NOOP_TRACING,
    });
    try {
      const started = performance.now();
      const r = await g.authorize({
        orderId: 'slow',
        pspKey: 'slow',
        amountCents: 100,
        currency: 'EUR',
        card,
      });
      assert.deepEqual([r.outcome, r.reason], ['unknown', 'timeout'], 'sent and never answered: unknown');
      assert.ok(performance.now() - started < 350, 'no grace without a stall');
    } finally {
      await g.close();
      await slow.close();
    }
  });
});
