// An imported event as a business_events row (JSONEachRow): the activity is the milestone,
// the log's keys and related objects are kept, everything else the source said goes into the
// attributes. Times are written as UTC text, which also covers events before 1970.
import type { ImportedEvent } from './imported-event.ts'

const NS_PER_SECOND = 1_000_000_000n

/** 'YYYY-MM-DD hh:mm:ss.nnnnnnnnn' in UTC, for a DateTime64(9, 'UTC') column. */
export function utcDateTime64Text(ns: bigint): string {
  const fraction = ((ns % NS_PER_SECOND) + NS_PER_SECOND) % NS_PER_SECOND
  const seconds = (ns - fraction) / NS_PER_SECOND
  const iso = new Date(Number(seconds) * 1000).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${fraction.toString().padStart(9, '0')}`
}

export interface ImportTarget {
  readonly process: string
  readonly processVersion: string
  /** When this import ran: the rows' ObservedTs. */
  readonly observedNs: bigint
}

export function businessEventJson(event: ImportedEvent, target: ImportTarget): string {
  const attrs: Record<string, string> = { ...event.attributes }
  if (event.resource !== undefined) attrs['org:resource'] = event.resource
  return (
    JSON.stringify({
      Process: target.process,
      ProcessVersion: target.processVersion,
      EventId: event.eventId,
      Ts: utcDateTime64Text(event.timestampNs),
      ObservedTs: utcDateTime64Text(target.observedNs),
      Milestone: event.activity,
      Lifecycle: event.lifecycle,
      Status: 'ok',
      System: '',
      Keys: event.keys,
      Objects: event.objects.map((o) => ({ type: o.keyType ?? '', id: o.id, qualifier: o.qualifier ?? '' })),
      OperationId: '',
      Attempt: 0,
      Attrs: attrs,
      TraceId: '',
      SpanId: '',
      Source: 'import',
    }) + '\n'
  )
}
