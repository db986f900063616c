// The gateway against the simulated PSP over real loopback HTTP: retries with backoff, the
// per-attempt timeout, hedged authorizations and the circuit breaker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { FaultInjector } from '../../src/faults/FaultInjector.ts';
import { HttpPaymentGateway, type PaymentPolicy } from '../../src/payments/HttpPaymentGateway.ts';
import { PspSimulator } from '../../src/payments/PspSimulator.ts';
import { ServiceMetrics } from '../../src/telemetry/ServiceMetrics.ts';
import { NOOP_TRACING } from '../../src/telemetry/Tracing.ts';

const card = { token: 'tok_test', last4: '4242', brand: 'visa' };
const policy: PaymentPolicy = {
  attemptTimeoutMs: 150,
  maxAttempts: 3,
  backoffBaseMs: 2,
  backoffCapMs: 10,
  hedgeAfterMs: 0,
  breaker: { failureThreshold: 100, openMs: 60_000, halfOpenMaxCalls: 1 },
};

describe('HttpPaymentGateway against the PSP simulator', () => {
  const psp = new PspSimulator();
  const gateways: HttpPaymentGateway[] = [];
  before(async () => {
    await psp.start();
  });
  after(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await psp.close();
  });

  function gateway(p: Partial<PaymentPolicy> = {}) {
    const metrics = new ServiceMetrics(new Registry());
    const faults = new FaultInjector({ metrics, tracing: NOOP_TRACING });
    const g = new HttpPaymentGateway({
      url: psp.url,
      policy: { ...policy, ...p },
      tracing: NOOP_TRACING,
      metrics,
      faults,
    });
    gateways.push(g);
    return { g, faults, metrics };
  }

  const value = async (
    metrics: ServiceMetrics,
    name: 'pspRetries' | 'pspRequests',
    labels: Record<string, string>,
  ) =>
    (await metrics[name].get()).values.find((v) =>
      Object.entries(labels).every(([k, x]) => v.labels[k] === x),
    )?.value ?? 0;

  it('approves and declines in one attempt', async () => {
    const { g } = gateway();
    const ok = await g.authorize({ orderId: 'o-approve', amountCents: 100, currency: 'EUR', card });
    assert.equal(ok.outcome, 'approved');
    assert.equal(ok.attempts, 1);
    const no = await g.authorize({
      orderId: 'o-decline',
      amountCents: 100,
      currency: 'EUR',
      card: { ...card, last4: '0002' },
    });
    assert.deepEqual([no.outcome, no.declineCode, no.attempts], ['declined', 'card_declined', 1]);
  });

  it('retries PSP errors up to maxAttempts and counts each retry', async () => {
    const { g, faults, metrics } = gateway();
    faults.set({ psp: { errorPercent: 100 } });
    const r = await g.authorize({ orderId: 'o-errors', amountCents: 100, currency: 'EUR', card });
    assert.deepEqual([r.outcome, r.attempts], ['error', 3]);
    assert.equal(await value(metrics, 'pspRetries', { operation: 'authorize' }), 2);
    assert.equal(await value(metrics, 'pspRequests', { operation: 'authorize', outcome: 'error' }), 3);
    assert.equal(psp.chargesFor('o-errors'), 0);
  });

  it('a slow PSP hits the per-attempt timeout; the retry succeeds and the card is charged once', async () => {
    // Generous margins: the first attempt is delayed far past the timeout, later ones not at all,
    // so a loaded CI machine cannot make the retry time out too.
    const { g, faults, metrics } = gateway({ attemptTimeoutMs: 700 });
    let calls = 0;
    faults.set({ psp: { latency: { distribution: 'fixed', ms: 2_000 } } });
    const decide = faults.decide.bind(faults);
    faults.decide = (dep) => (dep === 'psp' && calls++ > 0 ? undefined : decide(dep));
    const r = await g.authorize({ orderId: 'o-timeout', amountCents: 100, currency: 'EUR', card });
    assert.deepEqual([r.outcome, r.attempts], ['approved', 2]);
    assert.equal(await value(metrics, 'pspRequests', { operation: 'authorize', outcome: 'timeout' }), 1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(
      psp.chargesFor('o-timeout'),
      1,
      'the timed-out attempt and the retry share the idempotency key',
    );
  });

  it('a hedged authorization answers fast when the first request is slow, charging once', async () => {
    const { g, faults } = gateway({ hedgeAfterMs: 20, attemptTimeoutMs: 3_000 });
    let calls = 0;
    faults.set({ psp: { latency: { distribution: 'fixed', ms: 800 } } });
    const decide = faults.decide.bind(faults);
    faults.decide = (dep) => (dep === 'psp' && calls++ > 0 ? undefined : decide(dep));
    const started = performance.now();
    const r = await g.authorize({ orderId: 'o-hedge', amountCents: 100, currency: 'EUR', card });
    const ms = performance.now() - started;
    assert.equal(r.outcome, 'approved');
    assert.ok(ms < 600, `hedge answered in ${ms.toFixed(0)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 850));
    assert.equal(psp.chargesFor('o-hedge'), 1);
  });

  it('the circuit opens after consecutive failures and then fails fast without calling the PSP', async () => {
    const { g, faults, metrics } = gateway({
      maxAttempts: 1,
      breaker: { failureThreshold: 3, openMs: 60_000, halfOpenMaxCalls: 1 },
    });
    faults.set({ psp: { outage: true } });
    for (let i = 0; i < 3; i++)
      assert.equal(
        (await g.authorize({ orderId: `o-cb-${i}`, amountCents: 1, currency: 'EUR', card })).outcome,
        'error',
      );
    assert.equal(g.breaker.state, 'open');
    const requests = psp.stats().requests;
    const r = await g.authorize({ orderId: 'o-cb-open', amountCents: 1, currency: 'EUR', card });
    assert.deepEqual([r.outcome, r.attempts], ['circuit_open', 0]);
    assert.equal(psp.stats().requests, requests, 'no request reached the PSP');
    const transitions = (await metrics.breakerTransitions.get()).values;
    assert.deepEqual(
      transitions.map((v) => [v.labels.from, v.labels.to, v.value]),
      [['closed', 'open', 1]],
    );
  });
});
