// OTLP spans to `otel_traces` rows, column for column as the collector's ClickHouse exporter
// (exporter_traces.go) writes them: hex ids, pdata SpanKind/StatusCode strings, attributes through
// AsString, Duration in ns, events and links into the Nested columns, scope name and version.

import { OTEL_TABLES } from '@marketbench/contracts';
import { emptyRows, type MappedRows, pushRow, rejectRow } from './mappedRows.ts';
import type { Span, TracesRequest } from './otlpTypes.ts';
import {
  attributeCount,
  attributesJson,
  checkAttributes,
  durationText,
  enumValue,
  idHexOrEmpty,
  serviceNameOf,
  uint64Text,
} from './pdataFormat.ts';

/** pdata `ptrace.SpanKind.String()`, indexed by the proto enum value. */
export const SPAN_KIND_NAMES = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
/** pdata `ptrace.StatusCode.String()`, indexed by the proto enum value. */
export const STATUS_CODE_NAMES = ['Unset', 'Ok', 'Error'];

/** Maps an ExportTraceServiceRequest to otel_traces JSONEachRow lines. */
export function mapTraces(req: TracesRequest, out: MappedRows = emptyRows()): MappedRows {
  const max = out.limits.maxAttributes;
  for (const rs of req.resourceSpans ?? []) {
    const resAttrs = rs.resource?.attributes;
    const head = `,"ServiceName":${JSON.stringify(serviceNameOf(resAttrs))},"ResourceAttributes":${attributesJson(resAttrs)}`;
    const resourceCount = attributeCount(resAttrs);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = `,"ScopeName":${JSON.stringify(ss.scope?.name ?? '')},"ScopeVersion":${JSON.stringify(ss.scope?.version ?? '')}`;
      const scopeCount = attributeCount(ss.scope?.attributes);
      for (const span of ss.spans ?? []) {
        try {
          checkAttributes(resourceCount, max, 'the resource');
          checkAttributes(scopeCount, max, 'the scope');
          pushRow(out, OTEL_TABLES.traces, spanRow(span, head, scope, max));
        } catch (err) {
          rejectRow(out, err);
        }
      }
    }
  }
  return out;
}

function spanAttributeCount(span: Span): number {
  let n = attributeCount(span.attributes);
  if (span.events != null) for (const e of span.events) n += 1 + attributeCount(e.attributes);
  if (span.links != null) for (const l of span.links) n += 1 + attributeCount(l.attributes);
  return n;
}

function spanRow(span: Span, head: string, scope: string, maxAttributes: number): string {
  checkAttributes(spanAttributeCount(span), maxAttributes, 'a span (events and links included)');
  const status = span.status;
  const kind = enumValue(span.kind, 'span kind');
  const code = enumValue(status?.code, 'span status code');
  let row =
    `{"Timestamp":${uint64Text(span.startTimeUnixNano)}` +
    `,"TraceId":"${idHexOrEmpty(span.traceId, 16, 'span traceId')}"` +
    `,"SpanId":"${idHexOrEmpty(span.spanId, 8, 'span spanId')}"` +
    `,"ParentSpanId":"${idHexOrEmpty(span.parentSpanId, 8, 'span parentSpanId')}"` +
    `,"TraceState":${JSON.stringify(span.traceState ?? '')}` +
    `,"SpanName":${JSON.stringify(span.name ?? '')}` +
    `,"SpanKind":"${SPAN_KIND_NAMES[kind] ?? ''}"` +
    head +
    scope +
    `,"SpanAttributes":${attributesJson(span.attributes)}` +
    `,"Duration":${durationText(span.startTimeUnixNano, span.endTimeUnixNano)}` +
    `,"StatusCode":"${STATUS_CODE_NAMES[code] ?? ''}"` +
    `,"StatusMessage":${JSON.stringify(status?.message ?? '')}`;
  const events = span.events;
  if (events != null && events.length > 0) {
    let ts = '';
    let names = '';
    let attrs = '';
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const sep = i ? ',' : '';
      ts += sep + uint64Text(e.timeUnixNano);
      names += sep + JSON.stringify(e.name ?? '');
      attrs += sep + attributesJson(e.attributes);
    }
    row += `,"Events.Timestamp":[${ts}],"Events.Name":[${names}],"Events.Attributes":[${attrs}]`;
  }
  const links = span.links;
  if (links != null && links.length > 0) {
    let traceIds = '';
    let spanIds = '';
    let states = '';
    let attrs = '';
    for (let i = 0; i < links.length; i++) {
      const l = links[i];
      const sep = i ? ',' : '';
      traceIds += `${sep}"${idHexOrEmpty(l.traceId, 16, 'link traceId')}"`;
      spanIds += `${sep}"${idHexOrEmpty(l.spanId, 8, 'link spanId')}"`;
      states += sep + JSON.stringify(l.traceState ?? '');
      attrs += sep + attributesJson(l.attributes);
    }
    row += `,"Links.TraceId":[${traceIds}],"Links.SpanId":[${spanIds}],"Links.TraceState":[${states}],"Links.Attributes":[${attrs}]`;
  }
  return row + '}';
}
