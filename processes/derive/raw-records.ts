// Reads the raw rows a derivation pass looks at, from otel_traces or otel_logs, as the views
// recognition works on plus what a business event needs (times, ids, links). Rows written by
// our collector and by a stock OpenTelemetry Collector look the same here.
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { RecordView } from '../definitions/index.ts'
import type { SqlCondition } from './candidate-filter.ts'
import { windowCondition, type SourceTable, type SourceWindow } from './source-window.ts'

export interface RawRecord extends RecordView {
  readonly table: SourceTable
  /** When the step happened by the record: a span's end, a log record's timestamp (ns). */
  readonly timeNs: bigint
  /** When the row reached ClickHouse (IngestedAt), ns. */
  readonly ingestedNs: bigint
  readonly traceId: string
  readonly spanId: string
  /** Linked spans as '<trace id>/<span id>', lower-case. */
  readonly links: readonly string[]
  /** Log records: SeverityNumber (0 for spans). */
  readonly severityNumber: number
}

interface SpanRowOut {
  endNs: string
  ingestedNs: string
  TraceId: string
  SpanId: string
  SpanName: string
  SpanKind: string
  ServiceName: string
  StatusCode: string
  SpanAttributes: Record<string, string>
  links: string[]
}

interface LogRowOut {
  timeNs: string
  ingestedNs: string
  TraceId: string
  SpanId: string
  EventName: string
  Body: string
  ServiceName: string
  SeverityNumber: number
  LogAttributes: Record<string, string>
}

const SPAN_KINDS: Readonly<Record<string, NonNullable<RecordView['spanKind']> | undefined>> = {
  Server: 'server',
  Client: 'client',
  Producer: 'producer',
  Consumer: 'consumer',
  Internal: 'internal',
}

// IngestedAt of rows stored before migration 3 is computed at read time; in a time window
// (backfill) those rows report "now", which is as good an observed_ts as any they could have.
export async function readRawRecords(store: StoreConnection, table: SourceTable, window: SourceWindow, filter: SqlCondition): Promise<RawRecord[]> {
  const range = windowCondition(window)
  const params = { ...range.params, ...filter.params }
  if (table === 'otel_traces') {
    const rows = await queryRows<SpanRowOut>(
      store,
      `SELECT toString(toUnixTimestamp64Nano(Timestamp) + Duration) AS endNs, toString(toUnixTimestamp64Nano(IngestedAt)) AS ingestedNs,
              TraceId, SpanId, SpanName, SpanKind, ServiceName, StatusCode, SpanAttributes,
              arrayMap((t, s) -> concat(lower(t), '/', lower(s)), Links.TraceId, Links.SpanId) AS links
       FROM otel_traces WHERE ${range.sql} AND (${filter.sql})`,
      params,
      { tag: 'derive.read-spans' },
    )
    return rows.map((r): RawRecord => {
      const spanKind = SPAN_KINDS[r.SpanKind]
      return {
        table,
        signal: 'span',
        spanName: r.SpanName,
        ...(spanKind !== undefined ? { spanKind } : {}),
        spanFailed: r.StatusCode === 'Error',
        serviceName: r.ServiceName,
        attributes: r.SpanAttributes,
        timeNs: BigInt(r.endNs),
        ingestedNs: BigInt(r.ingestedNs),
        traceId: r.TraceId.toLowerCase(),
        spanId: r.SpanId.toLowerCase(),
        links: r.links,
        severityNumber: 0,
      }
    })
  }
  const rows = await queryRows<LogRowOut>(
    store,
    `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS timeNs, toString(toUnixTimestamp64Nano(IngestedAt)) AS ingestedNs,
            TraceId, SpanId, EventName, Body, ServiceName, SeverityNumber, LogAttributes
     FROM otel_logs WHERE ${range.sql} AND (${filter.sql})`,
    params,
    { tag: 'derive.read-logs' },
  )
  return rows.map((r) => ({
    table,
    signal: 'log',
    eventName: r.EventName,
    body: r.Body,
    serviceName: r.ServiceName,
    attributes: r.LogAttributes,
    timeNs: BigInt(r.timeNs),
    ingestedNs: BigInt(r.ingestedNs),
    traceId: r.TraceId.toLowerCase(),
    spanId: r.SpanId.toLowerCase(),
    links: [],
    severityNumber: Number(r.SeverityNumber),
  }))
}
