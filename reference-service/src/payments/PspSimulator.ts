// A simulated payment service provider on its own loopback HTTP port, so the service's payment
// calls are real outbound HTTP (with client spans, sockets and timeouts). Like a real PSP it
// deduplicates by Idempotency-Key (however many attempts arrive for one key, the card is charged
// once), lets a merchant look an authorization up by that key, void it (or bar a key it never
// saw, so an attempt still on the wire can no longer charge), capture and refund, and keeps its
// own record of every money movement, served as a settlement report for reconciliation.

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ATTR, PSP_ROUTES, serverSpanName } from '@marketbench/contracts';
import { setHttpStatus, setSpanFailure } from '@marketbench/instrumentation';
import { propagation, ROOT_CONTEXT, type Span, SpanKind, type Tracer } from '@opentelemetry/api';

/** Header through which the service passes an injected PSP fault: `delay=<ms>[;fail=<kind>]`. */
export const FAULT_HEADER = 'marketbench-fault';

/** Card endings the simulator declines, as test cards do at real PSPs. */
export const DECLINING_LAST4: Record<string, string> = {
  '0002': 'card_declined',
  '9995': 'insufficient_funds',
};

export interface PspSimulatorOptions {
  /** Base latency of every answer, ms. */
  latencyMs: number;
  /** How many payments (and their settlement records) to remember, oldest forgotten first. */
  rememberKeys: number;
  /** Tracer of the simulator's own server spans (service.name SERVICES.psp); none: no spans. */
  tracer?: Tracer;
  /** Clock of the settlement records, ms. */
  now?: () => number;
}

export interface PspStats {
  requests: number;
  charges: number;
  declines: number;
  refunds: number;
  voids: number;
  errors: number;
}

export type PspPaymentStatus = 'authorized' | 'captured' | 'voided' | 'declined';

/** A payment as the PSP knows it, found by the merchant's idempotency key. */
export interface PspPayment {
  paymentId: string | null;
  idempotencyKey: string;
  /** The merchant's reference (our order id). */
  reference: string;
  status: PspPaymentStatus;
  amountCents: number;
  currency: string;
  refundedCents: number;
  declineCode?: string;
}

export type SettlementType = 'authorization' | 'capture' | 'void' | 'refund' | 'decline';

/** One money movement (or refusal) in the PSP's books. */
export interface SettlementRecord {
  id: string;
  type: SettlementType;
  paymentId: string | null;
  reference: string;
  idempotencyKey: string;
  amountCents: number;
  currency: string;
  /** ISO time of the movement. */
  at: string;
}

export interface SettlementTotals {
  captures: number;
  capturedCents: number;
  refunds: number;
  refundedCents: number;
  /** Captured minus refunded, cents. */
  netCents: number;
}

/** GET /v1/settlements: what the PSP says happened between `from` and `to`. */
export interface SettlementReport {
  from: string;
  to: string;
  /** False when records of the window were forgotten (rememberKeys). */
  complete: boolean;
  records: SettlementRecord[];
  totals: Record<string, SettlementTotals>;
}

interface Answer {
  status: number;
  body: string;
}

const json = (status: number, body: unknown): Answer => ({ status, body: JSON.stringify(body) });

export class PspSimulator {
  readonly #opts: Required<Omit<PspSimulatorOptions, 'tracer'>> & { tracer?: Tracer };
  readonly #answers = new Map<string, Promise<Answer>>();
  readonly #byKey = new Map<string, PspPayment>();
  readonly #byId = new Map<string, PspPayment>();
  readonly #records: Array<SettlementRecord & { ms: number }> = [];
  #forgottenBefore = -Infinity;
  readonly #chargesByKey = new Map<string, number>();
  readonly #stats: PspStats = { requests: 0, charges: 0, declines: 0, refunds: 0, voids: 0, errors: 0 };
  #server: http.Server | undefined;
  #url = '';

  constructor(opts: Partial<PspSimulatorOptions> = {}) {
    this.#opts = { latencyMs: 0, rememberKeys: 200_000, now: Date.now, ...opts };
  }

  get url(): string {
    return this.#url;
  }

  stats(): PspStats {
    return { ...this.#stats };
  }

  /** Times the card behind `key` was charged (0 or 1 unless deduplication is broken). */
  chargesFor(key: string): number {
    return this.#chargesByKey.get(key) ?? 0;
  }

  /** The payment made with `key`, as the lookup route answers it. */
  payment(key: string): PspPayment | undefined {
    const p = this.#byKey.get(key);
    return p && { ...p };
  }

  /** The settlement report between two times (ms), as GET /v1/settlements answers it. */
  settlements(fromMs = 0, toMs = Number.MAX_SAFE_INTEGER): SettlementReport {
    const records: SettlementRecord[] = [];
    const totals: Record<string, SettlementTotals> = {};
    for (const { ms, ...r } of this.#records) {
      if (ms < fromMs || ms >= toMs) continue;
      records.push(r);
      if (r.type !== 'capture' && r.type !== 'refund') continue;
      totals[r.currency] ??= { captures: 0, capturedCents: 0, refunds: 0, refundedCents: 0, netCents: 0 };
      const t = totals[r.currency];
      if (r.type === 'capture') {
        t.captures++;
        t.capturedCents += r.amountCents;
        t.netCents += r.amountCents;
      } else {
        t.refunds++;
        t.refundedCents += r.amountCents;
        t.netCents -= r.amountCents;
      }
    }
    return {
      from: new Date(fromMs).toISOString(),
      to: new Date(Math.min(toMs, 8.64e15)).toISOString(),
      complete: fromMs > this.#forgottenBefore,
      records,
      totals,
    };
  }

  async start(port = 0): Promise<string> {
    const server = http.createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.#server = server;
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.#url;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.#stats.requests++;
    const url = new URL(req.url ?? '/', 'http://psp');
    const route = routeOf(url.pathname);
    const span = this.#opts.tracer && startServerSpan(this.#opts.tracer, req, route);
    let ended = false;
    // The span ends when the answer is handed to the socket: a later event ('finish', 'close')
    // can run after the caller has already read the answer and ended its client span.
    const endSpan = (answered: boolean) => {
      if (!span || ended) return;
      ended = true;
      // The semantic conventions' server rule (>= 500); a response cut off is a failure too.
      if (answered) setHttpStatus(span, res.statusCode, SpanKind.SERVER);
      else setSpanFailure(span, { type: 'aborted', message: 'connection closed before the response' });
      span.end();
    };
    res.once('close', () => endSpan(res.writableFinished));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const fault = parseFault(req.headers[FAULT_HEADER]);
    if (fault && span) {
      span.setAttributes({
        [ATTR.faultInjected]: true,
        [ATTR.faultDependency]: 'psp',
        [ATTR.faultDelayMs]: fault.delayMs,
      });
      if (fault.fail) span.setAttribute(ATTR.faultKind, fault.fail);
    }
    const delay = this.#opts.latencyMs + (fault?.delayMs ?? 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    // A request that arrived is processed even when its caller has given up (timed out, reset):
    // as at a real PSP, the charge happens whether or not anyone reads the answer.
    let answer: Answer;
    if (fault?.fail) {
      // An injected failure is answered before anything is decided: nothing was charged.
      this.#stats.errors++;
      answer = json(503, { error: 'unavailable', detail: `injected ${fault.fail}` });
    } else {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        answer = json(400, { error: 'invalid_json' });
      }
      answer ??= await this.#route(req, route, url, body);
    }
    if (res.destroyed) return;
    res.writeHead(answer.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(answer.body),
    });
    endSpan(true);
    res.end(answer.body);
  }

  async #route(
    req: http.IncomingMessage,
    route: string,
    url: URL,
    body: Record<string, unknown>,
  ): Promise<Answer> {
    const method = req.method ?? 'GET';
    if (method === 'GET' && route === PSP_ROUTES.lookup) {
      const key = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
      const payment = this.#byKey.get(key);
      return payment ? json(200, payment) : json(404, { error: 'not_found' });
    }
    if (method === 'GET' && route === PSP_ROUTES.settlements) {
      const from = parseTime(url.searchParams.get('from'), 0);
      const to = parseTime(url.searchParams.get('to'), Number.MAX_SAFE_INTEGER);
      if (from === undefined || to === undefined) return json(400, { error: 'invalid_range' });
      return json(200, this.settlements(from, to));
    }
    if (method !== 'POST') return json(404, { error: 'not_found' });
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') return json(400, { error: 'idempotency_key_required' });
    // One decision per (route, key): a retry or a hedge gets the first answer, however late it comes.
    const scoped = `${route}|${key}`;
    let pending = this.#answers.get(scoped);
    if (!pending) {
      pending = Promise.resolve(this.#decide(route, key, body));
      this.#answers.set(scoped, pending);
    }
    return pending;
  }

  #decide(route: string, key: string, body: Record<string, unknown>): Answer {
    switch (route) {
      case PSP_ROUTES.authorize:
        return this.#authorize(key, body);
      case PSP_ROUTES.void:
        return this.#void(key);
      case PSP_ROUTES.capture:
        return this.#capture(String(body.paymentId ?? ''));
      case PSP_ROUTES.refund:
        return this.#refund(key, body);
      default:
        return json(404, { error: 'not_found' });
    }
  }

  #authorize(key: string, body: Record<string, unknown>): Answer {
    const existing = this.#byKey.get(key);
    // Barred by a void that came first (the merchant gave up on this attempt): never charge.
    if (existing?.status === 'voided') return json(409, { status: 'voided', paymentId: existing.paymentId });
    const amount = body.amountCents;
    const currency = body.currency;
    if (
      !Number.isSafeInteger(amount) ||
      (amount as number) <= 0 ||
      typeof currency !== 'string' ||
      !body.token
    ) {
      return json(400, { error: 'invalid_request' });
    }
    const reference = typeof body.orderId === 'string' ? body.orderId : key;
    const payment: PspPayment = {
      paymentId: `pay_${randomUUID()}`,
      idempotencyKey: key,
      reference,
      status: 'authorized',
      amountCents: amount as number,
      currency,
      refundedCents: 0,
    };
    const decline = DECLINING_LAST4[String(body.last4)];
    if (decline) {
      this.#stats.declines++;
      payment.status = 'declined';
      payment.declineCode = decline;
      this.#remember(payment);
      this.#record('decline', payment, payment.amountCents);
      return json(402, { status: 'declined', declineCode: decline, paymentId: payment.paymentId });
    }
    this.#remember(payment);
    this.#record('authorization', payment, payment.amountCents);
    if (body.capture === false) return json(201, { status: 'authorized', paymentId: payment.paymentId });
    this.#captureNow(payment);
    return json(201, { status: 'captured', paymentId: payment.paymentId });
  }

  #void(key: string): Answer {
    const payment = this.#byKey.get(key);
    if (!payment) {
      // Never seen: bar the key, so an authorization still on its way is refused, not charged.
      const barred: PspPayment = {
        paymentId: null,
        idempotencyKey: key,
        reference: key,
        status: 'voided',
        amountCents: 0,
        currency: '',
        refundedCents: 0,
      };
      this.#remember(barred);
      this.#stats.voids++;
      return json(200, { status: 'voided', paymentId: null });
    }
    if (payment.status === 'captured') return json(409, { status: 'captured', paymentId: payment.paymentId });
    if (payment.status === 'authorized') {
      payment.status = 'voided';
      this.#stats.voids++;
      this.#record('void', payment, payment.amountCents);
    }
    return json(200, { status: payment.status, paymentId: payment.paymentId });
  }

  #capture(paymentId: string): Answer {
    const payment = this.#byId.get(paymentId);
    if (!payment) return json(404, { error: 'not_found' });
    if (payment.status === 'authorized') this.#captureNow(payment);
    if (payment.status !== 'captured') return json(409, { status: payment.status, paymentId });
    return json(201, { status: 'captured', paymentId });
  }

  #refund(key: string, body: Record<string, unknown>): Answer {
    const payment = this.#byId.get(String(body.paymentId ?? ''));
    if (!payment) return json(404, { error: 'payment_not_found' });
    const amount = body.amountCents;
    if (!Number.isSafeInteger(amount) || (amount as number) <= 0 || body.currency !== payment.currency) {
      return json(400, { error: 'invalid_request' });
    }
    if (payment.status !== 'captured' || payment.refundedCents + (amount as number) > payment.amountCents) {
      return json(409, {
        error: 'not_refundable',
        status: payment.status,
        refundedCents: payment.refundedCents,
      });
    }
    payment.refundedCents += amount as number;
    this.#stats.refunds++;
    const refundId = `re_${randomUUID()}`;
    this.#record('refund', { ...payment, idempotencyKey: key }, amount as number, refundId);
    return json(201, { status: 'refunded', refundId, paymentId: payment.paymentId });
  }

  #captureNow(payment: PspPayment): void {
    payment.status = 'captured';
    this.#stats.charges++;
    this.#chargesByKey.set(payment.idempotencyKey, (this.#chargesByKey.get(payment.idempotencyKey) ?? 0) + 1);
    this.#record('capture', payment, payment.amountCents);
  }

  #record(type: SettlementType, p: PspPayment, amountCents: number, id = `${type}_${randomUUID()}`): void {
    const ms = this.#opts.now();
    this.#records.push({
      id,
      type,
      paymentId: p.paymentId,
      reference: p.reference,
      idempotencyKey: p.idempotencyKey,
      amountCents,
      currency: p.currency,
      at: new Date(ms).toISOString(),
      ms,
    });
  }

  #remember(payment: PspPayment): void {
    this.#byKey.set(payment.idempotencyKey, payment);
    if (payment.paymentId) this.#byId.set(payment.paymentId, payment);
    if (this.#byKey.size <= this.#opts.rememberKeys) return;
    const [oldKey, oldest] = this.#byKey.entries().next().value as [string, PspPayment];
    this.#byKey.delete(oldKey);
    if (oldest.paymentId) this.#byId.delete(oldest.paymentId);
    this.#chargesByKey.delete(oldKey);
    for (const route of Object.values(PSP_ROUTES)) this.#answers.delete(`${route}|${oldKey}`);
    // Records go with their payments, oldest first: the report says when a window is incomplete.
    while (this.#records.length > this.#opts.rememberKeys * 3) {
      this.#forgottenBefore = (this.#records.shift() as { ms: number }).ms;
    }
  }
}

function routeOf(pathname: string): string {
  if (pathname.startsWith('/v1/authorizations/by-key/')) return PSP_ROUTES.lookup;
  return Object.values(PSP_ROUTES).find((r) => r === pathname) ?? 'unknown';
}

/** Epoch ms or an ISO time; `fallback` when absent, undefined when unreadable. */
function parseTime(raw: string | null, fallback: number): number | undefined {
  if (raw === null || raw === '') return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** A SERVER span continuing the caller's W3C trace context (the gateway's client span). */
function startServerSpan(tracer: Tracer, req: http.IncomingMessage, route: string): Span {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  return tracer.startSpan(
    serverSpanName(req.method ?? 'POST', route),
    {
      kind: SpanKind.SERVER,
      attributes: {
        [ATTR.httpMethod]: req.method ?? 'POST',
        [ATTR.httpRoute]: route,
        [ATTR.urlPath]: (req.url ?? '').split('?')[0],
      },
    },
    parent,
  );
}

export function parseFault(
  header: string | string[] | undefined,
): { delayMs: number; fail?: string } | undefined {
  if (typeof header !== 'string') return undefined;
  let delayMs = 0;
  let fail: string | undefined;
  for (const part of header.split(';')) {
    const [k, v] = part.split('=');
    if (k === 'delay') delayMs = Number(v) || 0;
    else if (k === 'fail') fail = v;
  }
  return { delayMs, fail };
}
