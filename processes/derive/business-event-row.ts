// A business event as a business_events row (kpis.md's event model), however it was made:
// derived from a span or a log record here, or read from an event log by the importer.
import { utcDateTime64Text } from '../import/index.ts'

export type EventSource = 'span' | 'log' | 'event' | 'import'

export interface BusinessEventRow {
  readonly process: string
  readonly processVersion: string
  readonly eventId: string
  readonly tsNs: bigint
  readonly observedNs: bigint
  readonly milestone: string
  readonly status: string
  readonly system: string
  readonly keys: Readonly<Record<string, string>>
  readonly operationId: string
  readonly attempt: number
  readonly attrs: Readonly<Record<string, string>>
  readonly traceId: string
  readonly spanId: string
  readonly links: readonly string[]
  readonly source: EventSource
}

export function businessEventRowJson(e: BusinessEventRow): string {
  return (
    JSON.stringify({
      Process: e.process,
      ProcessVersion: e.processVersion,
      EventId: e.eventId,
      Ts: utcDateTime64Text(e.tsNs),
      ObservedTs: utcDateTime64Text(e.observedNs),
      Milestone: e.milestone,
      Lifecycle: 'complete',
      Status: e.status,
      System: e.system,
      Keys: e.keys,
      Objects: [],
      OperationId: e.operationId,
      Attempt: e.attempt,
      Attrs: e.attrs,
      TraceId: e.traceId,
      SpanId: e.spanId,
      Links: e.links,
      Source: e.source,
    }) + '\n'
  )
}
