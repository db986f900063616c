// The log records the service writes on its own: failed payments, circuit-breaker transitions,
// fault changes, expired reservations. Backed by the telemetry's pino logger, which stamps the
// active span's trace_id/span_id and exports each record over OTLP, so a trace's logs sit next
// to it. Telemetry never breaks the host: a logger that throws is ignored.

/** Structured fields of a record (ATTR keys from the name table). */
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface ServiceLog {
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
}

/** A log that records nothing (no telemetry). */
export const NOOP_LOG: ServiceLog = { info: () => {}, warn: () => {}, error: () => {} };

type Level = keyof ServiceLog;

/** Wraps a pino-like logger so a failing sink never reaches the caller. */
export function serviceLog(logger: Record<Level, (fields: LogFields, msg: string) => void>): ServiceLog {
  const safe =
    (level: Level) =>
    (fields: LogFields, msg: string): void => {
      try {
        logger[level](fields, msg);
      } catch {
        // a broken log sink must not fail the request that logged
      }
    };
  return { info: safe('info'), warn: safe('warn'), error: safe('error') };
}
