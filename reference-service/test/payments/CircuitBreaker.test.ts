import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CircuitBreaker, type CircuitState } from '../../src/payments/CircuitBreaker.ts';

function breaker(now: { t: number }) {
  const transitions: string[] = [];
  const b = new CircuitBreaker(
    { failureThreshold: 3, openMs: 1_000, halfOpenMaxCalls: 1 },
    (from: CircuitState, to: CircuitState) => transitions.push(`${from}->${to}`),
    () => now.t,
  );
  return { b, transitions };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, refuses while open, half-opens after openMs', () => {
    const now = { t: 0 };
    const { b, transitions } = breaker(now);
    for (let i = 0; i < 2; i++) {
      assert.equal(b.tryAcquire(), true);
      b.onFailure();
    }
    assert.equal(b.state, 'closed');
    b.tryAcquire();
    b.onFailure();
    assert.equal(b.state, 'open');
    assert.equal(b.tryAcquire(), false);
    now.t = 999;
    assert.equal(b.tryAcquire(), false);
    now.t = 1_000;
    assert.equal(b.tryAcquire(), true, 'one trial call');
    assert.equal(b.state, 'half_open');
    assert.equal(b.tryAcquire(), false, 'only one trial at a time');
    b.onSuccess();
    assert.equal(b.state, 'closed');
    assert.deepEqual(transitions, ['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('a failed trial re-opens for another openMs', () => {
    const now = { t: 0 };
    const { b } = breaker(now);
    for (let i = 0; i < 3; i++) b.onFailure();
    now.t = 1_000;
    assert.equal(b.tryAcquire(), true);
    b.onFailure();
    assert.equal(b.state, 'open');
    now.t = 1_999;
    assert.equal(b.tryAcquire(), false);
    now.t = 2_000;
    assert.equal(b.tryAcquire(), true);
  });

  it('a success resets the failure count (failures must be consecutive)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 60 }), (outcomes) => {
        const now = { t: 0 };
        const { b } = breaker(now);
        let run = 0;
        for (const ok of outcomes) {
          if (!b.tryAcquire()) return;
          if (ok) {
            b.onSuccess();
            run = 0;
          } else {
            b.onFailure();
            run++;
          }
          assert.equal(b.state === 'open', run >= 3);
          if (run >= 3) return;
        }
      }),
    );
  });
});
