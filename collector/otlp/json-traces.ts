// Maps a parsed OTLP/JSON ExportTraceServiceRequest onto otel_traces rows, field for field
// as protobuf-traces.ts does for the binary encoding, so both give identical rows. Throws
// JsonShapeError (with the path of the bad value) when a field has the wrong type.
import type { SpanEventRow, SpanLinkRow, SpanRow } from '../../store/index.ts'
import { SPAN_KIND_NAMES, STATUS_CODE_NAMES, serviceNameOf } from './attribute-text.ts'
import {
  JsonShapeError,
  SPAN_KIND_VALUES,
  STATUS_CODE_VALUES,
  arrayField,
  attributesField,
  enumField,
  idField,
  isObject,
  objectField,
  resourceAttributesField,
  scopeField,
  stringField,
  uint64Field,
  within,
  type JsonObject,
  type JsonScope,
} from './json-common.ts'
import type { DecodedSpans } from './protobuf-traces.ts'

const NO_EVENTS: readonly SpanEventRow[] = Object.freeze([])
const NO_LINKS: readonly SpanLinkRow[] = Object.freeze([])

function objectAt(value: unknown, what: string): JsonObject {
  if (isObject(value)) return value
  throw new JsonShapeError('', `expected ${what} object`)
}

export function mapTraceRequestJson(request: JsonObject): DecodedSpans {
  const rows: SpanRow[] = []
  let negativeDurations = 0
  const resourceSpans = arrayField(request, 'resourceSpans', 'resource_spans')
  for (let i = 0; i < resourceSpans.length; i++) {
    try {
      const rs = objectAt(resourceSpans[i], 'a ResourceSpans')
      const resourceAttributes = resourceAttributesField(rs)
      const serviceName = serviceNameOf(resourceAttributes)
      const scopeSpans = arrayField(rs, 'scopeSpans', 'scope_spans')
      for (let j = 0; j < scopeSpans.length; j++) {
        try {
          const ss = objectAt(scopeSpans[j], 'a ScopeSpans')
          const scope = scopeField(ss)
          const spans = arrayField(ss, 'spans')
          for (let k = 0; k < spans.length; k++) {
            try {
              const span = objectAt(spans[k], 'a Span')
              const row = spanRow(span, resourceAttributes, serviceName, scope)
              if (row.durationNs < 0n) {
                negativeDurations++
                rows.push({ ...row, durationNs: 0n })
              } else rows.push(row)
            } catch (error) {
              throw within(error, `spans[${k}]`)
            }
          }
        } catch (error) {
          throw within(error, `scopeSpans[${j}]`)
        }
      }
    } catch (error) {
      throw within(error, `resourceSpans[${i}]`)
    }
  }
  return { rows, negativeDurations }
}

function spanRow(span: JsonObject, resourceAttributes: SpanRow['resourceAttributes'], serviceName: string, scope: JsonScope): SpanRow {
  const startNs = uint64Field(span, 'startTimeUnixNano', 'start_time_unix_nano')
  const endNs = uint64Field(span, 'endTimeUnixNano', 'end_time_unix_nano')
  const status = objectField(span, 'status')
  const statusCode = status === undefined ? 0 : statusField(status, () => enumField(status, 'code', 'code', STATUS_CODE_VALUES))
  const statusMessage = status === undefined ? '' : statusField(status, () => stringField(status, 'message'))
  return {
    timestampNs: startNs,
    traceId: idField(span, 'traceId', 'trace_id'),
    spanId: idField(span, 'spanId', 'span_id'),
    parentSpanId: idField(span, 'parentSpanId', 'parent_span_id'),
    traceState: stringField(span, 'traceState', 'trace_state'),
    spanName: stringField(span, 'name'),
    spanKind: SPAN_KIND_NAMES[enumField(span, 'kind', 'kind', SPAN_KIND_VALUES)] ?? 'Unspecified',
    serviceName,
    resourceAttributes,
    scopeName: scope.name,
    scopeVersion: scope.version,
    spanAttributes: attributesField(span, true),
    // Negative durations are clamped (and counted) by the caller.
    durationNs: endNs - startNs,
    statusCode: STATUS_CODE_NAMES[statusCode] ?? 'Unset',
    statusMessage,
    events: eventsField(span),
    links: linksField(span),
  }
}

function statusField<T>(status: JsonObject, read: () => T): T {
  try {
    return read()
  } catch (error) {
    throw within(error, 'status')
  }
}

function eventsField(span: JsonObject): readonly SpanEventRow[] {
  const list = arrayField(span, 'events')
  if (list.length === 0) return NO_EVENTS
  const events: SpanEventRow[] = []
  for (let i = 0; i < list.length; i++) {
    try {
      const event = objectAt(list[i], 'an Event')
      events.push({
        timestampNs: uint64Field(event, 'timeUnixNano', 'time_unix_nano'),
        name: stringField(event, 'name'),
        attributes: attributesField(event),
      })
    } catch (error) {
      throw within(error, `events[${i}]`)
    }
  }
  return events
}

function linksField(span: JsonObject): readonly SpanLinkRow[] {
  const list = arrayField(span, 'links')
  if (list.length === 0) return NO_LINKS
  const links: SpanLinkRow[] = []
  for (let i = 0; i < list.length; i++) {
    try {
      const link = objectAt(list[i], 'a Link')
      links.push({
        traceId: idField(link, 'traceId', 'trace_id'),
        spanId: idField(link, 'spanId', 'span_id'),
        traceState: stringField(link, 'traceState', 'trace_state'),
        attributes: attributesField(link),
      })
    } catch (error) {
      throw within(error, `links[${i}]`)
    }
  }
  return links
}
