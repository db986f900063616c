// The PaymentGateway adapter for an HTTP PSP: a per-attempt timeout, retries with exponential
// backoff and full jitter, a circuit breaker in front, and an optional hedged second request
// for authorizations. The order id is the PSP idempotency key, so every attempt (retry or hedge)
// of one authorization charges at most once. Each attempt is a client span; each outcome is a
// span event and a metric.
import { ATTR, FAULT_DEPENDENCIES, PSP_ROUTES, SPAN_EVENTS } from '@marketbench/instrumentation/names';
import { Pool } from 'undici';
import type {
  AuthorizeRequest,
  PaymentGateway,
  PaymentOutcome,
  PaymentResult,
  RefundRequest,
} from '../domain/ports.ts';
import type { FaultInjector } from '../faults/FaultInjector.ts';
import type { ServiceLog } from '../telemetry/ServiceLog.ts';
import type { ServiceMetrics } from '../telemetry/ServiceMetrics.ts';
import type { Tracing } from '../telemetry/Tracing.ts';
import { attemptTimeout } from './attemptTimeout.ts';
import { fullJitterDelay } from './backoff.ts';
import { CircuitBreaker, type CircuitBreakerOptions } from './CircuitBreaker.ts';
import { FAULT_HEADER } from './PspSimulator.ts';

export interface PaymentPolicy {
  /** Timeout of one attempt, ms. */
  attemptTimeoutMs: number;
  /** Attempts per operation, the first included. */
  maxAttempts: number;
  /** Backoff base, ms (full jitter over base·2^n). */
  backoffBaseMs: number;
  /** Backoff cap, ms. */
  backoffCapMs: number;
  /** Send a second authorization when the first has not answered after this many ms; 0 disables. */
  hedgeAfterMs: number;
  breaker: CircuitBreakerOptions;
}

type Operation = 'authorize' | 'refund';

interface AttemptResult {
  outcome: Exclude<PaymentOutcome, 'circuit_open'>;
  paymentId?: string;
  declineCode?: string;
}

const PSP_DEPENDENCY = FAULT_DEPENDENCIES[0];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class HttpPaymentGateway implements PaymentGateway {
  readonly #url: string;
  readonly #pool: Pool;
  readonly #policy: PaymentPolicy;
  readonly #tracing: Tracing;
  readonly #metrics: ServiceMetrics | undefined;
  readonly #faults: FaultInjector | undefined;
  readonly #random: () => number;
  readonly breaker: CircuitBreaker;

  constructor(opts: {
    url: string;
    policy: PaymentPolicy;
    tracing: Tracing;
    metrics?: ServiceMetrics;
    faults?: FaultInjector;
    /** Where breaker transitions are logged (with the trace id of the call that caused them). */
    log?: ServiceLog;
    random?: () => number;
    now?: () => number;
  }) {
    this.#url = opts.url;
    this.#pool = new Pool(opts.url, { connections: 128, keepAliveTimeout: 30_000 });
    this.#policy = opts.policy;
    this.#tracing = opts.tracing;
    this.#metrics = opts.metrics;
    this.#faults = opts.faults;
    this.#random = opts.random ?? Math.random;
    this.breaker = new CircuitBreaker(
      opts.policy.breaker,
      (from, to) => {
        this.#metrics?.breakerTransitions.inc({ from, to });
        const name =
          to === 'open'
            ? SPAN_EVENTS.circuitOpened
            : to === 'half_open'
              ? SPAN_EVENTS.circuitHalfOpen
              : SPAN_EVENTS.circuitClosed;
        this.#tracing.event(name, { [ATTR.circuitState]: to });
        const fields = { [ATTR.circuitState]: to, 'marketbench.circuit.from': from, peer: 'psp' };
        if (to === 'open') opts.log?.error(fields, 'PSP circuit breaker opened: payments fail fast');
        else opts.log?.warn(fields, `PSP circuit breaker ${to === 'closed' ? 'closed' : 'half-open'}`);
      },
      opts.now,
    );
  }

  authorize(request: AuthorizeRequest): Promise<PaymentResult> {
    const body = JSON.stringify({
      orderId: request.orderId,
      amountCents: request.amountCents,
      currency: request.currency,
      token: request.card.token,
      last4: request.card.last4,
    });
    return this.#call('authorize', PSP_ROUTES.authorize, request.orderId, body, this.#policy.hedgeAfterMs);
  }

  refund(request: RefundRequest): Promise<PaymentResult> {
    const body = JSON.stringify({
      paymentId: request.paymentId,
      amountCents: request.amountCents,
      currency: request.currency,
    });
    return this.#call('refund', PSP_ROUTES.refund, `refund:${request.orderId}`, body, 0);
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  async #call(
    op: Operation,
    route: string,
    key: string,
    body: string,
    hedgeAfterMs: number,
  ): Promise<PaymentResult> {
    let last: AttemptResult = { outcome: 'error' };
    for (let attempt = 1; attempt <= this.#policy.maxAttempts; attempt++) {
      if (!this.breaker.tryAcquire()) {
        this.#metrics?.pspRequests.inc({ operation: op, outcome: 'circuit_open' });
        this.#tracing.event(SPAN_EVENTS.pspAttempt, {
          [ATTR.paymentAttempt]: attempt,
          [ATTR.paymentOutcome]: 'circuit_open',
          [ATTR.circuitState]: this.breaker.state,
        });
        return { outcome: 'circuit_open', attempts: attempt - 1 };
      }
      last =
        hedgeAfterMs > 0
          ? await this.#hedged(op, route, key, body, attempt, hedgeAfterMs)
          : await this.#attempt(op, route, key, body, attempt);
      if (last.outcome === 'approved' || last.outcome === 'declined') {
        this.breaker.onSuccess();
        return { ...last, attempts: attempt };
      }
      this.breaker.onFailure();
      if (attempt < this.#policy.maxAttempts) {
        const delay = fullJitterDelay(
          attempt - 1,
          this.#policy.backoffBaseMs,
          this.#policy.backoffCapMs,
          this.#random,
        );
        this.#metrics?.pspRetries.inc({ operation: op });
        this.#tracing.event(SPAN_EVENTS.pspRetry, {
          [ATTR.paymentAttempt]: attempt + 1,
          'marketbench.retry.delay_ms': Math.round(delay),
        });
        await sleep(delay);
      }
    }
    return { ...last, attempts: this.#policy.maxAttempts };
  }

  /** First definitive answer of the attempt and, if it is slow, a hedge sent after `afterMs`. */
  async #hedged(
    op: Operation,
    route: string,
    key: string,
    body: string,
    attempt: number,
    afterMs: number,
  ): Promise<AttemptResult> {
    const first = this.#attempt(op, route, key, body, attempt);
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), afterMs);
    });
    const raced = await Promise.race([first, slow]);
    clearTimeout(timer);
    if (raced !== 'slow') return raced;
    this.#tracing.event(SPAN_EVENTS.pspHedge, { [ATTR.paymentAttempt]: attempt, [ATTR.paymentHedged]: true });
    const second = this.#attempt(op, route, key, body, attempt, true);
    const definitive = (p: Promise<AttemptResult>) =>
      p.then((r) => (r.outcome === 'approved' || r.outcome === 'declined' ? r : Promise.reject(r)));
    try {
      return await Promise.any([definitive(first), definitive(second)]);
    } catch {
      return first;
    }
  }

  async #attempt(
    op: Operation,
    route: string,
    key: string,
    body: string,
    attempt: number,
    hedge = false,
  ): Promise<AttemptResult> {
    const started = performance.now();
    const result = await this.#tracing.client(
      { method: 'POST', url: this.#url + route, route },
      async (traceHeaders, call) => {
        const headers: Record<string, string> = {
          ...traceHeaders,
          'content-type': 'application/json',
          'idempotency-key': key,
        };
        this.#tracing.setAttributes({ [ATTR.paymentAttempt]: attempt, [ATTR.paymentHedged]: hedge });
        const fault = this.#faults?.decide(PSP_DEPENDENCY);
        if (fault) headers[FAULT_HEADER] = `delay=${fault.delayMs}${fault.fail ? `;fail=${fault.fail}` : ''}`;
        let r: AttemptResult;
        const timeout = attemptTimeout(this.#policy.attemptTimeoutMs);
        try {
          const res = await this.#pool.request({
            path: route,
            method: 'POST',
            headers,
            body,
            signal: timeout.signal,
          });
          const text = await res.body.text();
          call.response(res.statusCode);
          if (res.statusCode === 201 || res.statusCode === 200) {
            const parsed = JSON.parse(text) as { paymentId?: string; refundId?: string };
            r = { outcome: 'approved', paymentId: parsed.paymentId ?? parsed.refundId };
          } else if (res.statusCode === 402) {
            r = {
              outcome: 'declined',
              declineCode: (JSON.parse(text) as { declineCode?: string }).declineCode,
            };
          } else {
            r = { outcome: 'error' };
          }
        } catch (err) {
          const name = (err as Error).name;
          r = { outcome: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'error' };
          call.fail(
            err,
            r.outcome === 'timeout'
              ? { type: 'timeout', message: `timeout after ${this.#policy.attemptTimeoutMs} ms` }
              : undefined,
          );
        } finally {
          timeout.clear();
          if (timeout.graced) this.#tracing.setAttributes({ [ATTR.timeoutStallGrace]: true });
        }
        this.#tracing.setAttributes({ [ATTR.paymentOutcome]: r.outcome });
        return r;
      },
    );
    const seconds = (performance.now() - started) / 1000;
    this.#metrics?.pspRequests.inc({ operation: op, outcome: result.outcome });
    this.#metrics?.pspDuration.observe({ operation: op, outcome: result.outcome }, seconds);
    this.#tracing.event(SPAN_EVENTS.pspAttempt, {
      [ATTR.paymentAttempt]: attempt,
      [ATTR.paymentOutcome]: result.outcome,
      [ATTR.paymentHedged]: hedge,
      ...(result.declineCode ? { [ATTR.paymentDeclineCode]: result.declineCode } : {}),
    });
    return result;
  }
}
