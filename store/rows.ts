// The row shapes of the OpenTelemetry-standard tables (otel_traces, otel_logs), column for
// column as the OpenTelemetry Collector contrib ClickHouse exporter writes them. The
// collector decodes into these; the writer serialises them as JSONEachRow.
// Timestamps are nanoseconds since the epoch as bigint: DateTime64(9) needs all 19 digits.

/** Map(LowCardinality(String), String): non-string values already flattened to text. */
export type AttributeMap = Record<string, string>

export type SpanKindName = 'Unspecified' | 'Internal' | 'Server' | 'Client' | 'Producer' | 'Consumer'
export type StatusCodeName = 'Unset' | 'Ok' | 'Error'

export interface SpanEventRow {
  readonly timestampNs: bigint
  readonly name: string
  readonly attributes: AttributeMap
}

export interface SpanLinkRow {
  readonly traceId: string
  readonly spanId: string
  readonly traceState: string
  readonly attributes: AttributeMap
}

export interface SpanRow {
  readonly timestampNs: bigint
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string
  readonly traceState: string
  readonly spanName: string
  readonly spanKind: SpanKindName
  readonly serviceName: string
  readonly resourceAttributes: AttributeMap
  readonly scopeName: string
  readonly scopeVersion: string
  readonly spanAttributes: AttributeMap
  readonly durationNs: bigint
  readonly statusCode: StatusCodeName
  readonly statusMessage: string
  readonly events: readonly SpanEventRow[]
  readonly links: readonly SpanLinkRow[]
}

export interface LogRow {
  readonly timestampNs: bigint
  readonly traceId: string
  readonly spanId: string
  readonly traceFlags: number
  readonly severityText: string
  readonly severityNumber: number
  readonly serviceName: string
  readonly body: string
  readonly resourceSchemaUrl: string
  readonly resourceAttributes: AttributeMap
  readonly scopeSchemaUrl: string
  readonly scopeName: string
  readonly scopeVersion: string
  readonly scopeAttributes: AttributeMap
  readonly logAttributes: AttributeMap
  readonly eventName: string
}

/** The tables the collector writes, each with its own spool and writer. */
export type SignalTable = 'otel_traces' | 'otel_logs'
