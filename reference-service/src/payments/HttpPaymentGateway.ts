// The PaymentGateway adapter for an HTTP PSP: a per-attempt timeout, retries with exponential
// backoff and full jitter, a circuit breaker in front, and an optional hedged second request
// for authorizations. Every attempt (retry or hedge) of one authorization carries the same
// PSP-side idempotency key, derived from the order, so the PSP charges at most once.
//
// An operation ends approved, declined, not_charged or unknown. Only an answer that proves the
// PSP did nothing (503/429 before processing, a refused connection, a barred key, a breaker open
// before anything was sent) counts as not_charged; a timeout after the request went out, a reset
// or another 5xx is unknown, and stays unknown whatever a later attempt says short of a definitive
// answer: a charge may be on its way. Each attempt is a client span whose failure (HTTP status,
// transport error, timeout) reaches the span helper, and each outcome is a span event and a metric.
import { ATTR, FAULT_DEPENDENCIES, PSP_ROUTES, SPAN_EVENTS } from '@marketbench/contracts';
import { Pool } from 'undici';
import type {
  AttemptOutcome,
  AuthorizeRequest,
  PaymentGateway,
  PaymentResult,
  PspView,
  RefundRequest,
} from '../domain/ports.ts';
import type { FaultInjector } from '../faults/FaultInjector.ts';
import type { ServiceLog } from '../telemetry/ServiceLog.ts';
import type { ServiceMetrics } from '../telemetry/ServiceMetrics.ts';
import type { Tracing } from '../telemetry/Tracing.ts';
import { attemptTimeout } from './attemptTimeout.ts';
import { fullJitterDelay } from './backoff.ts';
import { CircuitBreaker, type CircuitBreakerOptions } from './CircuitBreaker.ts';
import { FAULT_HEADER, type SettlementReport } from './PspSimulator.ts';

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
  /** How often the resolver looks for payments to settle, ms. */
  resolveIntervalMs: number;
  /** Delay before the resolver's first try on an unknown payment, ms; doubled per try. */
  resolveDelayMs: number;
  /** Longest delay between two tries of the resolver, ms. */
  resolveDelayCapMs: number;
  /** Tries of the resolver before the order goes to payment_review. */
  resolveMaxAttempts: number;
}

type Operation = 'authorize' | 'refund' | 'lookup' | 'void' | 'capture';

interface Attempt {
  outcome: Exclude<AttemptOutcome, 'circuit_open'>;
  /** The request may have been processed without us learning the result. */
  ambiguous: boolean;
  /** A 4xx other than a decline: the PSP refused the request as it is; retrying cannot help. */
  rejected?: boolean;
  status?: number;
  body?: Record<string, unknown>;
}

interface HttpAnswer {
  statusCode: number;
  text: string;
}

const PSP_DEPENDENCY = FAULT_DEPENDENCIES[0];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const DEFINITIVE = new Set(['approved', 'declined', 'voided']);

/** Transport errors that prove the request never reached the PSP. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

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

  /** Base URL of the PSP. */
  get url(): string {
    return this.#url;
  }

  authorize(request: AuthorizeRequest): Promise<PaymentResult> {
    const body = JSON.stringify({
      orderId: request.orderId,
      amountCents: request.amountCents,
      currency: request.currency,
      token: request.card.token,
      last4: request.card.last4,
    });
    return this.#call('authorize', PSP_ROUTES.authorize, request.pspKey, body, this.#policy.hedgeAfterMs);
  }

  refund(request: RefundRequest): Promise<PaymentResult> {
    const body = JSON.stringify({
      paymentId: request.paymentId,
      amountCents: request.amountCents,
      currency: request.currency,
    });
    return this.#call('refund', PSP_ROUTES.refund, `refund:${request.orderId}`, body, 0);
  }

  capture(paymentId: string): Promise<PaymentResult> {
    return this.#call(
      'capture',
      PSP_ROUTES.capture,
      `capture:${paymentId}`,
      JSON.stringify({ paymentId }),
      0,
    );
  }

  async lookup(pspKey: string): Promise<PspView> {
    const path = `${PSP_ROUTES.authorize}/by-key/${encodeURIComponent(pspKey)}`;
    return this.#view(await this.#once('lookup', 'GET', PSP_ROUTES.lookup, path, undefined, undefined));
  }

  async void(pspKey: string): Promise<PspView> {
    return this.#view(await this.#once('void', 'POST', PSP_ROUTES.void, PSP_ROUTES.void, pspKey, '{}'));
  }

  /** The PSP's settlement report between two times (ms); no faults, no breaker: an admin read. */
  async settlements(fromMs: number, toMs: number): Promise<SettlementReport> {
    const res = await this.#pool.request({
      path: `${PSP_ROUTES.settlements}?from=${Math.floor(fromMs)}&to=${Math.ceil(toMs)}`,
      method: 'GET',
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`PSP settlement report answered ${res.statusCode}: ${text}`);
    return JSON.parse(text) as SettlementReport;
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  #view(a: Attempt | 'circuit_open'): PspView {
    if (a === 'circuit_open') return { kind: 'unreachable', reason: 'circuit_open' };
    if (a.status === 404) return { kind: 'absent' };
    const b = a.body;
    if (a.status !== undefined && a.status < 500 && b && typeof b.status === 'string') {
      return {
        kind: 'found',
        status: b.status as 'authorized' | 'captured' | 'voided' | 'declined',
        paymentId: typeof b.paymentId === 'string' ? b.paymentId : null,
        amountCents: Number(b.amountCents ?? 0),
        currency: String(b.currency ?? ''),
        declineCode: typeof b.declineCode === 'string' ? b.declineCode : undefined,
      };
    }
    return { kind: 'unreachable', reason: a.outcome };
  }

  /** One attempt through the breaker (the resolver's calls: it keeps its own bounded tries). */
  async #once(
    op: Operation,
    method: 'GET' | 'POST',
    route: string,
    path: string,
    key: string | undefined,
    body: string | undefined,
  ): Promise<Attempt | 'circuit_open'> {
    if (!this.breaker.tryAcquire()) {
      this.#metrics?.pspRequests.inc({ operation: op, outcome: 'circuit_open' });
      return 'circuit_open';
    }
    const a = await this.#attempt(op, method, route, path, key, body, 1);
    if (a.status !== undefined && a.status < 500) this.breaker.onSuccess();
    else this.breaker.onFailure();
    return a;
  }

  async #call(
    op: Operation,
    route: string,
    key: string,
    body: string,
    hedgeAfterMs: number,
  ): Promise<PaymentResult> {
    let last: Attempt = { outcome: 'error', ambiguous: false };
    let ambiguous = false;
    const verdict = (attempts: number, reason: AttemptOutcome): PaymentResult => ({
      outcome: ambiguous ? 'unknown' : 'not_charged',
      attempts,
      reason,
    });
    for (let attempt = 1; attempt <= this.#policy.maxAttempts; attempt++) {
      if (!this.breaker.tryAcquire()) {
        this.#metrics?.pspRequests.inc({ operation: op, outcome: 'circuit_open' });
        this.#tracing.event(SPAN_EVENTS.pspAttempt, {
          [ATTR.paymentAttempt]: attempt,
          [ATTR.paymentOutcome]: 'circuit_open',
          [ATTR.circuitState]: this.breaker.state,
        });
        // An earlier attempt may still have charged: the open breaker does not make it a decline.
        return verdict(attempt - 1, 'circuit_open');
      }
      last =
        hedgeAfterMs > 0
          ? await this.#hedged(op, route, key, body, attempt, hedgeAfterMs)
          : await this.#attempt(op, 'POST', route, route, key, body, attempt);
      ambiguous ||= last.ambiguous;
      if (DEFINITIVE.has(last.outcome) || last.rejected) {
        this.breaker.onSuccess();
        if (last.outcome === 'approved') {
          const b = last.body ?? {};
          return {
            outcome: 'approved',
            paymentId: String(b.paymentId ?? b.refundId ?? ''),
            attempts: attempt,
          };
        }
        if (last.outcome === 'declined') {
          return {
            outcome: 'declined',
            declineCode: String(last.body?.declineCode ?? ''),
            attempts: attempt,
          };
        }
        // A barred key or a refused request: nothing was charged by this key, whatever came before.
        return { outcome: 'not_charged', attempts: attempt, reason: last.outcome };
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
    return verdict(this.#policy.maxAttempts, last.outcome);
  }

  /** First definitive answer of the attempt and, if it is slow, a hedge sent after `afterMs`. */
  async #hedged(
    op: Operation,
    route: string,
    key: string,
    body: string,
    attempt: number,
    afterMs: number,
  ): Promise<Attempt> {
    const first = this.#attempt(op, 'POST', route, route, key, body, attempt);
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), afterMs);
    });
    const raced = await Promise.race([first, slow]);
    clearTimeout(timer);
    if (raced !== 'slow') return raced;
    this.#tracing.event(SPAN_EVENTS.pspHedge, { [ATTR.paymentAttempt]: attempt, [ATTR.paymentHedged]: true });
    const second = this.#attempt(op, 'POST', route, route, key, body, attempt, true);
    const definitive = (p: Promise<Attempt>) =>
      p.then((r) => (DEFINITIVE.has(r.outcome) || r.rejected ? r : Promise.reject(r)));
    try {
      return await Promise.any([definitive(first), definitive(second)]);
    } catch {
      const [a, b] = await Promise.all([first, second]);
      return { ...a, ambiguous: a.ambiguous || b.ambiguous };
    }
  }

  async #attempt(
    op: Operation,
    method: 'GET' | 'POST',
    route: string,
    path: string,
    key: string | undefined,
    body: string | undefined,
    attempt: number,
    hedge = false,
  ): Promise<Attempt> {
    const started = performance.now();
    const timeout = attemptTimeout(this.#policy.attemptTimeoutMs);
    let result: Attempt;
    try {
      // The span helper sees the HTTP status (an error at >= 400) or the thrown transport error
      // or timeout, so a failed PSP call is a failed client span with its reason.
      result = await this.#tracing.client(
        { method, url: this.#url + path, route },
        async (traceHeaders, call): Promise<Attempt> => {
          const headers: Record<string, string> = { ...traceHeaders };
          if (body !== undefined) headers['content-type'] = 'application/json';
          if (key !== undefined) headers['idempotency-key'] = key;
          this.#tracing.setAttributes({ [ATTR.paymentAttempt]: attempt, [ATTR.paymentHedged]: hedge });
          const fault = this.#faults?.decide(PSP_DEPENDENCY);
          if (fault)
            headers[FAULT_HEADER] = `delay=${fault.delayMs}${fault.fail ? `;fail=${fault.fail}` : ''}`;
          try {
            const res = await this.#pool.request({ path, method, headers, body, signal: timeout.signal });
            const text = await res.body.text();
            call.response(res.statusCode);
            const a = classify({ statusCode: res.statusCode, text });
            this.#tracing.setAttributes({ [ATTR.paymentOutcome]: a.outcome });
            return a;
          } catch (err) {
            const name = (err as Error).name;
            this.#tracing.setAttributes({
              [ATTR.paymentOutcome]: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'error',
            });
            call.fail(
              err,
              name === 'TimeoutError' || name === 'AbortError'
                ? { type: 'timeout', message: `timeout after ${this.#policy.attemptTimeoutMs} ms` }
                : undefined,
            );
            throw err;
          }
        },
      );
    } catch (err) {
      const e = err as Error & { code?: string };
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
      result = { outcome: timedOut ? 'timeout' : 'error', ambiguous: !NOT_SENT.has(String(e.code)) };
    } finally {
      timeout.clear();
    }
    if (timeout.graced) this.#tracing.setAttributes({ [ATTR.timeoutStallGrace]: true });
    const seconds = (performance.now() - started) / 1000;
    this.#metrics?.pspRequests.inc({ operation: op, outcome: result.outcome });
    this.#metrics?.pspDuration.observe({ operation: op, outcome: result.outcome }, seconds);
    this.#tracing.event(SPAN_EVENTS.pspAttempt, {
      [ATTR.paymentAttempt]: attempt,
      [ATTR.paymentOutcome]: result.outcome,
      [ATTR.paymentHedged]: hedge,
      ...(typeof result.body?.declineCode === 'string'
        ? { [ATTR.paymentDeclineCode]: result.body.declineCode }
        : {}),
    });
    return result;
  }
}

/** What an HTTP answer of the PSP means for the money. */
function classify(answer: HttpAnswer): Attempt {
  const status = answer.statusCode;
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  if (status === 200 || status === 201) {
    if (body?.status === 'voided') return { outcome: 'voided', ambiguous: false, status, body };
    return { outcome: 'approved', ambiguous: false, status, body };
  }
  if (status === 402) return { outcome: 'declined', ambiguous: false, status, body };
  if (status === 409 && body?.status === 'voided')
    return { outcome: 'voided', ambiguous: false, status, body };
  // 503 and 429 are answered before the PSP processes anything: safe to retry, nothing charged.
  if (status === 503 || status === 429) return { outcome: 'error', ambiguous: false, status, body };
  if (status >= 500) return { outcome: 'error', ambiguous: true, status, body };
  return { outcome: 'error', ambiguous: false, rejected: true, status, body };
}
