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
  attemptTimeoutMs: 1_000,
  maxAttempts: 3,
  backoffBaseMs: 2,
  backoffCapMs: 10,
  hedgeAfterMs: 0,
  breaker: { failureThreshold: 100, openMs: 60_000, halfOpenMaxCalls: 1 },
  resolveIntervalMs: 1_000,
  resolveDelayMs: 1_000,
  resolveDelayCapMs: 1_000,
  resolveMaxAttempts: 1,
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
    const ok = await g.authorize({
      orderId: 'o-approve',
      pspKey: 'o-approve',
      amountCents: 100,
      currency: 'EUR',
      card,
    });
    assert.equal(ok.outcome, 'approved');
    assert.equal(ok.attempts, 1);
    const no = await g.authorize({
      orderId: 'o-decline',
      pspKey: 'o-decline',
      amountCents: 100,
      currency: 'EUR',
      card: { ...card, last4: '0002' },
    });
    assert.deepEqual([no.outcome, no.declineCode, no.attempts], ['declined', 'card_declined', 1]);
  });

  it('retries PSP errors up to maxAttempts and counts each retry', async () => {
    const { g, faults, metrics } = gateway();
    faults.set({ psp: { errorPercent: 100 } });
    const r = await g.authorize({
      orderId: 'o-errors',
      pspKey: 'o-errors',
      amountCents: 100,
      currency: 'EUR',
      card,
    });
    assert.deepEqual(
      [r.outcome, r.reason, r.attempts],
      ['not_charged', 'error', 3],
      '503s prove nothing was charged',
    );
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
    const r = await g.authorize({
      orderId: 'o-timeout',
      pspKey: 'o-timeout',
      amountCents: 100,
      currency: 'EUR',
      card,
    });
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
    const r = await g.authorize({
      orderId: 'o-hedge',
      pspKey: 'o-hedge',
      amountCents: 100,
      currency: 'EUR',
      card,
    });
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
        (
          await g.authorize({
            orderId: `o-cb-${i}`,
            pspKey: `o-cb-${i}`,
            amountCents: 1,
            currency: 'EUR',
            card,
          })
        ).outcome,
        'not_charged',
      );
    assert.equal(g.breaker.state, 'open');
    const requests = psp.stats().requests;
    const r = await g.authorize({
      orderId: 'o-cb-open',
      pspKey: 'o-cb-open',
      amountCents: 1,
      currency: 'EUR',
      card,
    });
    assert.deepEqual([r.outcome, r.reason, r.attempts], ['not_charged', 'circuit_open', 0]);
    assert.equal(psp.stats().requests, requests, 'no request reached the PSP');
    const transitions = (await metrics.breakerTransitions.get()).values;
    assert.deepEqual(
      transitions.map((v) => [v.labels.from, v.labels.to, v.value]),
      [['closed', 'open', 1]],
    );
  });

  it('a timeout after sending, then an open breaker, is unknown, never declined: the PSP did charge', async () => {
    // The double capture: attempt 1 timed out on the client while the PSP captured; the
    // breaker then opened. Treating that as a failure released the stock and forgot the key.
    const { g, faults } = gateway({
      attemptTimeoutMs: 150,
      maxAttempts: 3,
      breaker: { failureThreshold: 1, openMs: 60_000, halfOpenMaxCalls: 1 },
    });
    faults.set({ psp: { latency: { distribution: 'fixed', ms: 400 } } });
    const r = await g.authorize({
      orderId: 'o-doubt',
      pspKey: 'k-doubt',
      amountCents: 700,
      currency: 'EUR',
      card,
    });
    assert.deepEqual([r.outcome, r.reason, r.attempts], ['unknown', 'circuit_open', 1]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(psp.payment('k-doubt')?.status, 'captured', 'the PSP captured after our timeout');
  });

  it('lookup, void and capture by key: a barred key can never be charged, a capture cannot be voided', async () => {
    const { g } = gateway();
    assert.deepEqual(await g.lookup('k-never'), { kind: 'absent' });
    const barred = await g.void('k-never');
    assert.equal(barred.kind === 'found' && barred.status, 'voided');
    const late = await g.authorize({
      orderId: 'o-late',
      pspKey: 'k-never',
      amountCents: 100,
      currency: 'EUR',
      card,
    });
    assert.deepEqual([late.outcome, late.reason], ['not_charged', 'voided']);
    assert.equal(psp.chargesFor('k-never'), 0);
    const paid = await g.authorize({
      orderId: 'o-paid',
      pspKey: 'k-paid',
      amountCents: 250,
      currency: 'USD',
      card,
    });
    assert.equal(paid.outcome, 'approved');
    const seen = await g.lookup('k-paid');
    assert.deepEqual(seen, {
      kind: 'found',
      status: 'captured',
      paymentId: paid.paymentId,
      amountCents: 250,
      currency: 'USD',
      declineCode: undefined,
    });
    const refused = await g.void('k-paid');
    assert.equal(refused.kind === 'found' && refused.status, 'captured', 'a capture is refunded, not voided');
    const report = await g.settlements(0, Date.now() + 1_000);
    const mine = report.records
      .filter((r) => r.reference === 'o-paid')
      .map((r) => [r.type, r.amountCents, r.currency]);
    assert.deepEqual(mine, [
      ['authorization', 250, 'USD'],
      ['capture', 250, 'USD'],
    ]);
    assert.ok(report.totals.USD.capturedCents >= 250);
  });

  it('a refund is recorded once per key and never beyond what was captured', async () => {
    const { g } = gateway();
    const paid = await g.authorize({
      orderId: 'o-ref',
      pspKey: 'k-ref',
      amountCents: 900,
      currency: 'EUR',
      card,
    });
    const req = { orderId: 'o-ref', paymentId: paid.paymentId!, amountCents: 900, currency: 'EUR' };
    assert.equal((await g.refund(req)).outcome, 'approved');
    assert.equal((await g.refund(req)).outcome, 'approved', 'same key: the first answer again');
    const refunds = (await g.settlements(0, Date.now() + 1_000)).records.filter(
      (r) => r.reference === 'o-ref' && r.type === 'refund',
    );
    assert.equal(refunds.length, 1);
  });
});
