// An in-test OTLP/HTTP endpoint on 127.0.0.1 that decodes what the exporters send with
// OpenTelemetry's own generated protobuf code (otlp-transformer 0.57), keeps the raw bodies (so
// redaction can be checked on the bytes on the wire) and can answer slowly or fail.

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOGS_REQUEST, TRACES_REQUEST } from './otlpProto.ts';

const TRACES = TRACES_REQUEST;
const LOGS = LOGS_REQUEST;

/** A span as the sink decoded it (ids as lowercase hex). */
export interface SinkSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string }>;
  resource: Record<string, unknown>;
  scope: string;
  /** Status code (0 unset, 1 ok, 2 error) and message. */
  status: { code: number; message: string };
  /** Unix nanoseconds. */
  startNs: bigint;
  endNs: bigint;
}

/** A log record as the sink decoded it. */
export interface SinkLog {
  traceId: string;
  spanId: string;
  body: unknown;
  severityText: string;
  attributes: Record<string, unknown>;
}

function hex(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'string')
    return /^[0-9a-f]*$/i.test(v) && v.length % 2 === 0
      ? v.toLowerCase()
      : Buffer.from(v, 'base64').toString('hex');
  return '';
}

function anyValue(v: Record<string, unknown> | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v)
    return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(anyValue);
  return undefined;
}

function attrs(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of (list as Array<{ key: string; value: Record<string, unknown> }>) ?? [])
    out[kv.key] = anyValue(kv.value);
  return out;
}

/** Minimal OTLP/HTTP receiver for traces and logs. */
export class OtlpSink {
  readonly spans: SinkSpan[] = [];
  readonly logs: SinkLog[] = [];
  /** Raw request bodies, for byte-level assertions. */
  readonly bodies: Buffer[] = [];
  /** Content types seen. */
  readonly contentTypes: string[] = [];
  /** Delay before answering, ms. */
  delayMs = 0;
  /** HTTP status to answer with. */
  status = 200;
  #server = http.createServer((req, res) => this.#handle(req, res));
  #timers = new Set<NodeJS.Timeout>();

  /** Base URL (http://127.0.0.1:port) once listening. */
  url = '';

  async start(): Promise<this> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      this.bodies.push(body);
      const ct = String(req.headers['content-type'] ?? '');
      this.contentTypes.push(ct);
      if (this.status === 200) {
        try {
          this.#decode(req.url ?? '', ct, body);
        } catch (err) {
          res.writeHead(400).end(String(err));
          return;
        }
      }
      const answer = () => {
        res.writeHead(this.status, {
          'content-type': ct.includes('json') ? 'application/json' : 'application/x-protobuf',
        });
        res.end(ct.includes('json') ? '{}' : undefined);
      };
      if (this.delayMs > 0) {
        const t = setTimeout(() => {
          this.#timers.delete(t);
          answer();
        }, this.delayMs);
        this.#timers.add(t);
      } else answer();
    });
  }

  #decode(path: string, ct: string, body: Buffer): void {
    const isLogs = path.endsWith('/v1/logs');
    let obj: Record<string, unknown>;
    if (ct.includes('json')) obj = JSON.parse(body.toString('utf8'));
    else {
      const codec = isLogs ? LOGS : TRACES;
      obj = codec.toObject(codec.decode(body), { longs: String, bytes: String, defaults: false });
    }
    if (isLogs) {
      for (const rl of (obj.resourceLogs as Array<Record<string, unknown>>) ?? []) {
        for (const sl of (rl.scopeLogs as Array<Record<string, unknown>>) ?? []) {
          for (const r of (sl.logRecords as Array<Record<string, unknown>>) ?? []) {
            this.logs.push({
              traceId: hex(r.traceId),
              spanId: hex(r.spanId),
              body: anyValue(r.body as Record<string, unknown>),
              severityText: String(r.severityText ?? ''),
              attributes: attrs(r.attributes),
            });
          }
        }
      }
      return;
    }
    for (const rs of (obj.resourceSpans as Array<Record<string, unknown>>) ?? []) {
      const resource = attrs((rs.resource as { attributes?: unknown })?.attributes);
      for (const ss of (rs.scopeSpans as Array<Record<string, unknown>>) ?? []) {
        const scope = String((ss.scope as { name?: string })?.name ?? '');
        for (const s of (ss.spans as Array<Record<string, unknown>>) ?? []) {
          this.spans.push({
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            parentSpanId: hex(s.parentSpanId),
            name: String(s.name),
            kind: Number(s.kind ?? 0),
            attributes: attrs(s.attributes),
            links: ((s.links as Array<Record<string, unknown>>) ?? []).map((l) => ({
              traceId: hex(l.traceId),
              spanId: hex(l.spanId),
            })),
            resource,
            scope,
            status: {
              code: Number((s.status as { code?: unknown } | undefined)?.code ?? 0),
              message: String((s.status as { message?: unknown } | undefined)?.message ?? ''),
            },
            startNs: BigInt(String(s.startTimeUnixNano ?? 0)),
            endNs: BigInt(String(s.endTimeUnixNano ?? 0)),
          });
        }
      }
    }
  }
}

/** Polls `cond` every 20 ms until true or `timeoutMs` passes. */
export async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}
