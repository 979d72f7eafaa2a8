// Serialises decoded rows as JSONEachRow lines in the exporter's column names. This is the
// spool's on-disk format and the writer's insert body, so it is on the hot path: no
// intermediate objects, one template string per row.
//
// The output is byte for byte what JSON.stringify of each value gives (the tests hold it to a
// plain JSON.stringify reference). What makes it cheaper than calling JSON.stringify on every
// value, measured on 20k decoded integration spans (20 attributes each):
// - attribute maps still go through JSON.stringify: V8's native object serialiser beats any
//   loop in JS here, and its flat result is cheaper for the spool's Buffer.from than a rope;
// - strings that need no escaping (no `"`, `\`, control character or surrogate) are quoted
//   directly; anything else, lone surrogates included, goes to JSON.stringify as before;
// - the resource (and, for logs, scope) part of a row is reused from the previous row when
//   it is the same map object with the same names: a request's rows share them (see below);
// - a span without events or links gets its seven empty Nested columns as one constant.
import type { AttributeMap, LogRow, SpanEventRow, SpanLinkRow, SpanRow } from './rows.ts'

const NS_PER_SECOND = 1_000_000_000n

/** DateTime64(9) as `seconds.nanoseconds`, the unambiguous text form ClickHouse parses. */
export function dateTime64Text(ns: bigint): string {
  // One bigint-to-text conversion instead of a division, a remainder and two conversions.
  if (ns >= NS_PER_SECOND) {
    const digits = ns.toString()
    const point = digits.length - 9
    return `${digits.slice(0, point)}.${digits.slice(point)}`
  }
  const seconds = ns / NS_PER_SECOND
  const fraction = ns % NS_PER_SECOND
  return `${seconds}.${fraction.toString().padStart(9, '0')}`
}

const json = JSON.stringify

/**
 * A UTF-16 unit JSON.stringify might escape: anything outside the units it always copies as
 * they are, so `"`, `\`, U+0000-U+001F, and surrogates. Surrogates are matched whether paired
 * or not, which only sends well-formed astral text down the slower (still exact) path;
 * JSON.stringify writes lone surrogates as \uXXXX and we keep that. (Written as the
 * complement so that the pattern itself holds no control characters.)
 */
const NEEDS_ESCAPE = /[^\u0020\u0021\u0023-\u005b\u005d-\ud7ff\ue000-\uffff]/

/** A string as a JSON string value, exactly as JSON.stringify writes it. */
function str(s: string): string {
  if (s === '') return '""'
  return NEEDS_ESCAPE.test(s) ? json(s) : `"${s}"`
}

function mapJson(map: AttributeMap): string {
  return json(map)
}

/*
 * The last resource (and scope) part written, keyed on the identity of its attribute map and
 * the names beside it. The decoders (collector/otlp/protobuf-*.ts, json-*.ts) give every row
 * of one ResourceSpans/ResourceLogs the same resourceAttributes object, and every row of one
 * scope the same scope attributes object, fully built before the first row is made; validation
 * replaces a map that needs cutting rather than changing it (validate.ts), and nothing mutates
 * a row's maps afterwards. So consecutive rows mostly hit, and a hit is always current as long
 * as a map is not changed in place between serialising two rows that share it: rows are
 * immutable once decoded, and anything that rewrites a map (a masking hook) must give the row
 * a new map object, as validate.ts does. One entry each, so nothing is retained beyond the
 * last row's maps.
 */
let spanResource: AttributeMap | undefined
let spanService = ''
let spanScopeName = ''
let spanScopeVersion = ''
let spanResourceText = ''

/** `"ServiceName":…,"ResourceAttributes":…,"ScopeName":…,"ScopeVersion":…` of a span row. */
function spanResourceJson(r: SpanRow): string {
  if (r.resourceAttributes !== spanResource || r.serviceName !== spanService || r.scopeName !== spanScopeName || r.scopeVersion !== spanScopeVersion) {
    spanResourceText =
      `"ServiceName":${str(r.serviceName)},"ResourceAttributes":${mapJson(r.resourceAttributes)},` +
      `"ScopeName":${str(r.scopeName)},"ScopeVersion":${str(r.scopeVersion)},`
    spanResource = r.resourceAttributes
    spanService = r.serviceName
    spanScopeName = r.scopeName
    spanScopeVersion = r.scopeVersion
  }
  return spanResourceText
}

const NO_EVENTS_OR_LINKS =
  '"Events.Timestamp":[],"Events.Name":[],"Events.Attributes":[],' + '"Links.TraceId":[],"Links.SpanId":[],"Links.TraceState":[],"Links.Attributes":[]}\n'

function eventsJson(events: readonly SpanEventRow[]): string {
  let timestamps = ''
  let names = ''
  let attributes = ''
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as SpanEventRow
    const sep = i === 0 ? '' : ','
    timestamps += `${sep}"${dateTime64Text(e.timestampNs)}"`
    names += sep + str(e.name)
    attributes += sep + mapJson(e.attributes)
  }
  return `"Events.Timestamp":[${timestamps}],"Events.Name":[${names}],"Events.Attributes":[${attributes}],`
}

function linksJson(links: readonly SpanLinkRow[]): string {
  let traceIds = ''
  let spanIds = ''
  let traceStates = ''
  let attributes = ''
  for (let i = 0; i < links.length; i++) {
    const l = links[i] as SpanLinkRow
    const sep = i === 0 ? '' : ','
    traceIds += sep + str(l.traceId)
    spanIds += sep + str(l.spanId)
    traceStates += sep + str(l.traceState)
    attributes += sep + mapJson(l.attributes)
  }
  return `"Links.TraceId":[${traceIds}],"Links.SpanId":[${spanIds}],"Links.TraceState":[${traceStates}],"Links.Attributes":[${attributes}]}\n`
}

export function spanRowJson(r: SpanRow): string {
  const ev = r.events
  const ln = r.links
  const nested = ev.length === 0 && ln.length === 0 ? NO_EVENTS_OR_LINKS : eventsJson(ev) + linksJson(ln)
  return (
    `{"Timestamp":"${dateTime64Text(r.timestampNs)}","TraceId":"${r.traceId}","SpanId":"${r.spanId}",` +
    `"ParentSpanId":"${r.parentSpanId}","TraceState":${str(r.traceState)},"SpanName":${str(r.spanName)},` +
    `"SpanKind":"${r.spanKind}",${spanResourceJson(r)}"SpanAttributes":${mapJson(r.spanAttributes)},` +
    `"Duration":"${r.durationNs}","StatusCode":"${r.statusCode}","StatusMessage":${str(r.statusMessage)},` +
    nested
  )
}

let logResource: AttributeMap | undefined
let logResourceSchemaUrl = ''
let logResourceText = ''
let logScope: AttributeMap | undefined
let logScopeSchemaUrl = ''
let logScopeName = ''
let logScopeVersion = ''
let logScopeText = ''

/** `"ResourceSchemaUrl":…,"ResourceAttributes":…,` of a log row. */
function logResourceJson(r: LogRow): string {
  if (r.resourceAttributes !== logResource || r.resourceSchemaUrl !== logResourceSchemaUrl) {
    logResourceText = `"ResourceSchemaUrl":${str(r.resourceSchemaUrl)},"ResourceAttributes":${mapJson(r.resourceAttributes)},`
    logResource = r.resourceAttributes
    logResourceSchemaUrl = r.resourceSchemaUrl
  }
  return logResourceText
}

/** `"ScopeSchemaUrl":…,"ScopeName":…,"ScopeVersion":…,"ScopeAttributes":…,` of a log row. */
function logScopeJson(r: LogRow): string {
  if (r.scopeAttributes !== logScope || r.scopeSchemaUrl !== logScopeSchemaUrl || r.scopeName !== logScopeName || r.scopeVersion !== logScopeVersion) {
    logScopeText =
      `"ScopeSchemaUrl":${str(r.scopeSchemaUrl)},"ScopeName":${str(r.scopeName)},` +
      `"ScopeVersion":${str(r.scopeVersion)},"ScopeAttributes":${mapJson(r.scopeAttributes)},`
    logScope = r.scopeAttributes
    logScopeSchemaUrl = r.scopeSchemaUrl
    logScopeName = r.scopeName
    logScopeVersion = r.scopeVersion
  }
  return logScopeText
}

export function logRowJson(r: LogRow): string {
  return (
    `{"Timestamp":"${dateTime64Text(r.timestampNs)}","TraceId":"${r.traceId}","SpanId":"${r.spanId}",` +
    `"TraceFlags":${r.traceFlags},"SeverityText":${str(r.severityText)},"SeverityNumber":${r.severityNumber},` +
    `"ServiceName":${str(r.serviceName)},"Body":${str(r.body)},${logResourceJson(r)}${logScopeJson(r)}` +
    `"LogAttributes":${mapJson(r.logAttributes)},"EventName":${str(r.eventName)}}\n`
  )
}
