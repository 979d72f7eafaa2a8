// The columns a writer supplies for each OpenTelemetry table (the exporter's own columns,
// without our MATERIALIZED or DEFAULT ones), as the structure argument of file() inserts.
import type { SignalTable } from './rows.ts'

const MAP = 'Map(String, String)'

const inputColumns: Readonly<Record<SignalTable, ReadonlyArray<readonly [string, string]>>> = {
  otel_traces: [
    ['Timestamp', 'DateTime64(9)'],
    ['TraceId', 'String'],
    ['SpanId', 'String'],
    ['ParentSpanId', 'String'],
    ['TraceState', 'String'],
    ['SpanName', 'String'],
    ['SpanKind', 'String'],
    ['ServiceName', 'String'],
    ['ResourceAttributes', MAP],
    ['ScopeName', 'String'],
    ['ScopeVersion', 'String'],
    ['SpanAttributes', MAP],
    ['Duration', 'UInt64'],
    ['StatusCode', 'String'],
    ['StatusMessage', 'String'],
    ['Events.Timestamp', 'Array(DateTime64(9))'],
    ['Events.Name', 'Array(String)'],
    ['Events.Attributes', `Array(${MAP})`],
    ['Links.TraceId', 'Array(String)'],
    ['Links.SpanId', 'Array(String)'],
    ['Links.TraceState', 'Array(String)'],
    ['Links.Attributes', `Array(${MAP})`],
  ],
  otel_logs: [
    ['Timestamp', 'DateTime64(9)'],
    ['TraceId', 'String'],
    ['SpanId', 'String'],
    ['TraceFlags', 'UInt8'],
    ['SeverityText', 'String'],
    ['SeverityNumber', 'UInt8'],
    ['ServiceName', 'String'],
    ['Body', 'String'],
    ['ResourceSchemaUrl', 'String'],
    ['ResourceAttributes', MAP],
    ['ScopeSchemaUrl', 'String'],
    ['ScopeName', 'String'],
    ['ScopeVersion', 'String'],
    ['ScopeAttributes', MAP],
    ['LogAttributes', MAP],
    ['EventName', 'String'],
  ],
}

/** `Timestamp, TraceId, ...` with each name back-quoted (Nested columns contain dots). */
export function inputColumnList(table: SignalTable): string {
  return inputColumns[table].map(([name]) => `\`${name}\``).join(', ')
}

/** `Timestamp DateTime64(9), ...`: the structure argument of file()/format(). */
export function inputStructure(table: SignalTable): string {
  return inputColumns[table].map(([name, type]) => `\`${name}\` ${type}`).join(', ')
}
