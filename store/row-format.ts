// Serialises decoded rows as JSONEachRow lines in the exporter's column names. This is the
// spool's on-disk format and the writer's insert body, so it is on the hot path: no
// intermediate objects, one template string per row.
import type { AttributeMap, LogRow, SpanRow } from './rows.ts'

const NS_PER_SECOND = 1_000_000_000n

/** DateTime64(9) as `seconds.nanoseconds`, the unambiguous text form ClickHouse parses. */
export function dateTime64Text(ns: bigint): string {
  const seconds = ns / NS_PER_SECOND
  const fraction = ns % NS_PER_SECOND
  return `${seconds}.${fraction.toString().padStart(9, '0')}`
}

const json = JSON.stringify

function mapJson(map: AttributeMap): string {
  return json(map)
}

export function spanRowJson(r: SpanRow): string {
  const ev = r.events
  const ln = r.links
  return (
    `{"Timestamp":"${dateTime64Text(r.timestampNs)}","TraceId":"${r.traceId}","SpanId":"${r.spanId}",` +
    `"ParentSpanId":"${r.parentSpanId}","TraceState":${json(r.traceState)},"SpanName":${json(r.spanName)},` +
    `"SpanKind":"${r.spanKind}","ServiceName":${json(r.serviceName)},"ResourceAttributes":${mapJson(r.resourceAttributes)},` +
    `"ScopeName":${json(r.scopeName)},"ScopeVersion":${json(r.scopeVersion)},"SpanAttributes":${mapJson(r.spanAttributes)},` +
    `"Duration":"${r.durationNs}","StatusCode":"${r.statusCode}","StatusMessage":${json(r.statusMessage)},` +
    `"Events.Timestamp":[${ev.map((e) => `"${dateTime64Text(e.timestampNs)}"`).join(',')}],` +
    `"Events.Name":${json(ev.map((e) => e.name))},"Events.Attributes":[${ev.map((e) => mapJson(e.attributes)).join(',')}],` +
    `"Links.TraceId":${json(ln.map((l) => l.traceId))},"Links.SpanId":${json(ln.map((l) => l.spanId))},` +
    `"Links.TraceState":${json(ln.map((l) => l.traceState))},"Links.Attributes":[${ln.map((l) => mapJson(l.attributes)).join(',')}]}\n`
  )
}

export function logRowJson(r: LogRow): string {
  return (
    `{"Timestamp":"${dateTime64Text(r.timestampNs)}","TraceId":"${r.traceId}","SpanId":"${r.spanId}",` +
    `"TraceFlags":${r.traceFlags},"SeverityText":${json(r.severityText)},"SeverityNumber":${r.severityNumber},` +
    `"ServiceName":${json(r.serviceName)},"Body":${json(r.body)},"ResourceSchemaUrl":${json(r.resourceSchemaUrl)},` +
    `"ResourceAttributes":${mapJson(r.resourceAttributes)},"ScopeSchemaUrl":${json(r.scopeSchemaUrl)},` +
    `"ScopeName":${json(r.scopeName)},"ScopeVersion":${json(r.scopeVersion)},"ScopeAttributes":${mapJson(r.scopeAttributes)},` +
    `"LogAttributes":${mapJson(r.logAttributes)},"EventName":${json(r.eventName)}}\n`
  )
}
