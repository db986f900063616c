// OTLP log records to `otel_logs` rows as the collector's ClickHouse exporter (exporter_logs.go)
// writes them: Timestamp falls back to ObservedTimestamp, flags and severity as uint8, body AsString.

import { OTEL_TABLES } from '@marketbench/contracts';
import { emptyRows, type MappedRows, pushRow, rejectRow } from './mappedRows.ts';
import type { LogRecord, LogsRequest } from './otlpTypes.ts';
import {
  anyValueAsString,
  attributeCount,
  attributesJson,
  checkAttributes,
  enumValue,
  idHexOrEmpty,
  serviceNameOf,
  uint64Text,
  valueAttributeCount,
} from './pdataFormat.ts';

function isZero(v: LogRecord['timeUnixNano']): boolean {
  return v == null || (typeof v === 'number' ? v === 0 : v.low === 0 && v.high === 0);
}

/** Maps an ExportLogsServiceRequest to otel_logs JSONEachRow lines. */
export function mapLogs(req: LogsRequest, out: MappedRows = emptyRows()): MappedRows {
  const max = out.limits.maxAttributes;
  for (const rl of req.resourceLogs ?? []) {
    const resourceCount = attributeCount(rl.resource?.attributes);
    const resAttrs = rl.resource?.attributes;
    const head =
      `,"ServiceName":${JSON.stringify(serviceNameOf(resAttrs))}` +
      `,"ResourceSchemaUrl":${JSON.stringify(rl.schemaUrl ?? '')}` +
      `,"ResourceAttributes":${attributesJson(resAttrs)}`;
    for (const sl of rl.scopeLogs ?? []) {
      const scope =
        `,"ScopeSchemaUrl":${JSON.stringify(sl.schemaUrl ?? '')}` +
        `,"ScopeName":${JSON.stringify(sl.scope?.name ?? '')}` +
        `,"ScopeVersion":${JSON.stringify(sl.scope?.version ?? '')}` +
        `,"ScopeAttributes":${attributesJson(sl.scope?.attributes)}`;
      const scopeCount = attributeCount(sl.scope?.attributes);
      for (const r of sl.logRecords ?? []) {
        try {
          checkAttributes(resourceCount, max, 'the resource');
          checkAttributes(scopeCount, max, 'the scope');
          checkAttributes(
            attributeCount(r.attributes) + valueAttributeCount(r.body),
            max,
            'a log record (its body included)',
          );
          const severity = enumValue(r.severityNumber, 'log severity number');
          const ts = isZero(r.timeUnixNano) ? r.observedTimeUnixNano : r.timeUnixNano;
          pushRow(
            out,
            OTEL_TABLES.logs,
            `{"Timestamp":${uint64Text(ts)}` +
              `,"TraceId":"${idHexOrEmpty(r.traceId, 16, 'log traceId')}"` +
              `,"SpanId":"${idHexOrEmpty(r.spanId, 8, 'log spanId')}"` +
              `,"TraceFlags":${(r.flags ?? 0) & 0xff}` +
              `,"SeverityText":${JSON.stringify(r.severityText ?? '')}` +
              `,"SeverityNumber":${severity & 0xff}` +
              `,"Body":${JSON.stringify(anyValueAsString(r.body))}` +
              head +
              scope +
              `,"LogAttributes":${attributesJson(r.attributes)}}`,
          );
        } catch (err) {
          rejectRow(out, err);
        }
      }
    }
  }
  return out;
}
