// A simulated payment service provider on its own loopback HTTP port, so the service's payment
// calls are real outbound HTTP (with client spans, sockets and timeouts). It deduplicates by
// Idempotency-Key like real PSPs do, which is what makes retries and hedged requests safe:
// however many attempts arrive for one key, the card is charged once.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setHttpStatus, setSpanFailure } from '@marketbench/instrumentation';
import { ATTR, PSP_ROUTES, serverSpanName } from '@marketbench/instrumentation/names';
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
  /** How many idempotency keys to remember (oldest forgotten first). */
  rememberKeys: number;
  /** Tracer of the simulator's own server spans (service.name SERVICES.psp); none: no spans. */
  tracer?: Tracer;
}

export interface PspStats {
  requests: number;
  charges: number;
  declines: number;
  refunds: number;
  errors: number;
}

interface Answer {
  status: number;
  body: string;
}

export class PspSimulator {
  readonly #opts: PspSimulatorOptions;
  readonly #answers = new Map<string, Promise<Answer>>();
  readonly #chargesByKey = new Map<string, number>();
  readonly #stats: PspStats = { requests: 0, charges: 0, declines: 0, refunds: 0, errors: 0 };
  #server: http.Server | undefined;
  #url = '';

  constructor(opts: Partial<PspSimulatorOptions> = {}) {
    this.#opts = { latencyMs: 0, rememberKeys: 200_000, ...opts };
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
    const span = this.#opts.tracer && startServerSpan(this.#opts.tracer, req);
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
    if (res.destroyed) return;
    let answer: Answer;
    if (fault?.fail) {
      this.#stats.errors++;
      answer = {
        status: 503,
        body: JSON.stringify({ error: 'unavailable', detail: `injected ${fault.fail}` }),
      };
    } else {
      const key = req.headers['idempotency-key'];
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      if (typeof key !== 'string' || key === '') {
        answer = { status: 400, body: JSON.stringify({ error: 'idempotency_key_required' }) };
      } else {
        const scoped = `${req.url}|${key}`;
        let pending = this.#answers.get(scoped);
        if (!pending) {
          pending = Promise.resolve(this.#decide(req.url ?? '', key, body));
          this.#remember(scoped, pending);
        }
        answer = await pending;
      }
    }
    res.writeHead(answer.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(answer.body),
    });
    endSpan(true);
    res.end(answer.body);
  }

  #decide(path: string, key: string, body: Record<string, unknown>): Answer {
    if (path === PSP_ROUTES.authorize) {
      const decline = DECLINING_LAST4[String(body.last4)];
      if (decline) {
        this.#stats.declines++;
        return { status: 402, body: JSON.stringify({ status: 'declined', declineCode: decline }) };
      }
      if (!Number.isInteger(body.amountCents) || (body.amountCents as number) <= 0 || !body.token) {
        return { status: 400, body: JSON.stringify({ error: 'invalid_request' }) };
      }
      this.#stats.charges++;
      this.#chargesByKey.set(key, (this.#chargesByKey.get(key) ?? 0) + 1);
      return { status: 201, body: JSON.stringify({ status: 'captured', paymentId: `pay_${randomUUID()}` }) };
    }
    if (path === PSP_ROUTES.refund) {
      if (typeof body.paymentId !== 'string')
        return { status: 400, body: JSON.stringify({ error: 'invalid_request' }) };
      this.#stats.refunds++;
      return { status: 201, body: JSON.stringify({ status: 'refunded', refundId: `re_${randomUUID()}` }) };
    }
    return { status: 404, body: JSON.stringify({ error: 'not_found' }) };
  }

  #remember(key: string, answer: Promise<Answer>): void {
    this.#answers.set(key, answer);
    if (this.#answers.size > this.#opts.rememberKeys) {
      const oldest = this.#answers.keys().next().value as string;
      this.#answers.delete(oldest);
      this.#chargesByKey.delete(oldest.slice(oldest.indexOf('|') + 1));
    }
  }
}

/** A SERVER span continuing the caller's W3C trace context (the gateway's client span). */
function startServerSpan(tracer: Tracer, req: http.IncomingMessage): Span {
  const route = Object.values(PSP_ROUTES).find((r) => r === req.url) ?? 'unknown';
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  return tracer.startSpan(
    serverSpanName(req.method ?? 'POST', route),
    {
      kind: SpanKind.SERVER,
      attributes: {
        [ATTR.httpMethod]: req.method ?? 'POST',
        [ATTR.httpRoute]: route,
        [ATTR.urlPath]: req.url ?? '',
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
