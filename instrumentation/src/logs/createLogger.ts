// The pino logger startTelemetry hands out. A mixin adds trace_id/span_id of the active span to
// every JSON line; a logMethod hook emits the same record through the OTel Logs SDK (which takes
// the trace context from the active context), without re-parsing pino's output. Values are
// redacted before either sink sees them.

import {
  type Attributes,
  context,
  type Logger as OtelLogger,
  SeverityNumber,
  trace,
} from '@opentelemetry/api';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import type { Redactor } from '../redaction/Redactor.ts';

const SEVERITY: Record<number, SeverityNumber> = {
  10: SeverityNumber.TRACE,
  20: SeverityNumber.DEBUG,
  30: SeverityNumber.INFO,
  40: SeverityNumber.WARN,
  50: SeverityNumber.ERROR,
  60: SeverityNumber.FATAL,
};

const LEVEL_TEXT: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

function toAttributes(obj: Record<string, unknown>, out: Attributes): void {
  for (const key in obj) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else if (v instanceof Error) {
      out['exception.type'] = v.name;
      out['exception.message'] = v.message;
      if (v.stack) out['exception.stacktrace'] = v.stack;
    } else {
      try {
        out[key] = JSON.stringify(v);
      } catch {
        out[key] = String(v);
      }
    }
  }
}

/** Settings of createLogger. */
export interface LoggerSettings {
  /** pino level. */
  level: Level | 'silent';
  /** pino destination (stdout when absent). */
  destination?: DestinationStream;
  /** OTel logger to export through (none: stdout only). */
  otelLogger?: OtelLogger;
  /** Redactor applied to merge objects and messages. */
  redactor: Redactor;
  /** Base bindings (service name). */
  base: Record<string, string>;
}

/** Builds the pino logger with trace ids and OTLP export. */
export function createLogger(settings: LoggerSettings): Logger {
  const { otelLogger, redactor } = settings;
  const options: pino.LoggerOptions = {
    level: settings.level,
    base: settings.base,
    mixin() {
      const span = trace.getSpan(context.active());
      if (!span) return {};
      const sc = span.spanContext();
      return {
        trace_id: sc.traceId,
        span_id: sc.spanId,
        trace_flags: `0${sc.traceFlags.toString(16)}`.slice(-2),
      };
    },
    hooks: {
      logMethod(args, method, level) {
        let redacted = args as unknown[];
        try {
          redacted = args.map((a) =>
            typeof a === 'string' || (a !== null && typeof a === 'object' && !(a instanceof Error))
              ? redactor.value(a)
              : a,
          );
        } catch {
          redacted = args as unknown[];
        }
        if (otelLogger) {
          try {
            const first = redacted[0];
            const attributes: Attributes = {};
            const bindings = (this as Logger).bindings();
            toAttributes(bindings, attributes);
            let body: string | undefined;
            if (first !== null && typeof first === 'object') {
              toAttributes(first as Record<string, unknown>, attributes);
              body = typeof redacted[1] === 'string' ? (redacted[1] as string) : undefined;
              if (first instanceof Error && body === undefined) body = first.message;
            } else if (typeof first === 'string') body = first;
            otelLogger.emit({
              severityNumber: SEVERITY[level] ?? SeverityNumber.INFO,
              severityText: LEVEL_TEXT[level] ?? 'INFO',
              body,
              attributes,
              context: context.active(),
            });
          } catch {
            // never break the host
          }
        }
        return method.apply(this, redacted as Parameters<typeof method>);
      },
    },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
