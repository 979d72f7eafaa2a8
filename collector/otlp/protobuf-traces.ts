// Decodes an OTLP/HTTP protobuf ExportTraceServiceRequest straight into otel_traces rows:
// one pass over the wire bytes per span, no intermediate message objects. Validation of ids,
// timestamps and limits happens afterwards, in validate.ts, over the rows this returns.
import type { AttributeMap, SpanEventRow, SpanLinkRow, SpanRow } from '../../store/index.ts'
import { EMPTY_ATTRIBUTES, SPAN_KIND_NAMES, STATUS_CODE_NAMES, newRecordAttributes, serviceNameOf } from './attribute-text.ts'
import { I32, I64, LEN, VARINT, emptyScope, readKeyValueInto, readResourceInto, readScopeInto, type ScopeFields } from './protobuf-common.ts'
import type { ValueBounds } from './validate.ts'
import { ProtobufReader, wireTypes } from './wire-reader.ts'

// Tag constants are field << 3 | wire type, from opentelemetry-proto trace/v1 and collector/trace/v1.
const REQUEST_RESOURCE_SPANS = 0x0a
const REQUEST_FIELDS = wireTypes([1, LEN])
const RS_RESOURCE = 0x0a
const RS_SCOPE_SPANS = 0x12
const RS_FIELDS = wireTypes([1, LEN], [2, LEN], [3, LEN])
const SS_SCOPE = 0x0a
const SS_SPANS = 0x12
const SS_FIELDS = wireTypes([1, LEN], [2, LEN], [3, LEN])

const SPAN_TRACE_ID = 0x0a
const SPAN_SPAN_ID = 0x12
const SPAN_TRACE_STATE = 0x1a
const SPAN_PARENT_SPAN_ID = 0x22
const SPAN_NAME = 0x2a
const SPAN_KIND = 0x30
const SPAN_START = 0x39
const SPAN_END = 0x41
const SPAN_ATTRIBUTES = 0x4a
const SPAN_EVENTS = 0x5a
const SPAN_LINKS = 0x6a
const SPAN_STATUS = 0x7a
const SPAN_FIELDS = wireTypes(
  [1, LEN],
  [2, LEN],
  [3, LEN],
  [4, LEN],
  [5, LEN],
  [6, VARINT],
  [7, I64],
  [8, I64],
  [9, LEN],
  [10, VARINT],
  [11, LEN],
  [12, VARINT],
  [13, LEN],
  [14, VARINT],
  [15, LEN],
  [16, I32],
)

const EVENT_TIME = 0x09
const EVENT_NAME = 0x12
const EVENT_ATTRIBUTES = 0x1a
const EVENT_FIELDS = wireTypes([1, I64], [2, LEN], [3, LEN], [4, VARINT])

const LINK_TRACE_ID = 0x0a
const LINK_SPAN_ID = 0x12
const LINK_TRACE_STATE = 0x1a
const LINK_ATTRIBUTES = 0x22
const LINK_FIELDS = wireTypes([1, LEN], [2, LEN], [3, LEN], [4, LEN], [5, VARINT], [6, I32])

const STATUS_MESSAGE = 0x12
const STATUS_CODE = 0x18
// Field 1 (a deprecated code) is reserved: skipped whatever its wire type.
const STATUS_FIELDS = wireTypes([2, LEN], [3, VARINT])

const NO_EVENTS: readonly SpanEventRow[] = Object.freeze([])
const NO_LINKS: readonly SpanLinkRow[] = Object.freeze([])

/** Rows as they came off the wire, before validation. */
export interface DecodedSpans {
  readonly rows: SpanRow[]
  /** Spans whose end was before their start: stored with Duration 0. */
  readonly negativeDurations: number
  /** What the decoder saw of value lengths and map sizes; absent when it did not keep track. */
  readonly bounds?: ValueBounds
}

interface SpanContext {
  readonly resourceAttributes: AttributeMap
  readonly serviceName: string
  readonly scope: ScopeFields
  readonly rows: SpanRow[]
  negativeDurations: number
}

/** Throws WireError on malformed bytes; the index turns that into a decode failure. */
export function decodeTraceRequestProtobuf(bytes: Uint8Array): DecodedSpans {
  const r = new ProtobufReader(bytes)
  const end = r.length
  const rows: SpanRow[] = []
  let negativeDurations = 0
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === REQUEST_RESOURCE_SPANS) negativeDurations += readResourceSpans(r, r.lengthEnd(end), rows)
    else r.skipUnknown(tag, end, REQUEST_FIELDS)
  }
  return { rows, negativeDurations, bounds: { longestValueChars: r.longestValueChars, mostAttributes: r.mostAttributes } }
}

function readResourceSpans(r: ProtobufReader, end: number, rows: SpanRow[]): number {
  // Fields may come in any order, and every span needs its resource: read the resource in a
  // first pass (skipping over scope_spans costs one length read each), the spans in a second.
  const start = r.pos
  let resourceAttributes: AttributeMap = EMPTY_ATTRIBUTES
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === RS_RESOURCE) {
      if (resourceAttributes === EMPTY_ATTRIBUTES) resourceAttributes = {}
      readResourceInto(r, end, resourceAttributes)
    } else if (tag === RS_SCOPE_SPANS)
      r.skip(tag, end) // read in the second pass
    else r.skipUnknown(tag, end, RS_FIELDS)
  }
  r.expectEnd(end)
  r.pos = start
  const serviceName = serviceNameOf(resourceAttributes)
  let negativeDurations = 0
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === RS_SCOPE_SPANS) negativeDurations += readScopeSpans(r, r.lengthEnd(end), resourceAttributes, serviceName, rows)
    else r.skip(tag, end)
  }
  return negativeDurations
}

function readScopeSpans(r: ProtobufReader, end: number, resourceAttributes: AttributeMap, serviceName: string, rows: SpanRow[]): number {
  const start = r.pos
  const scope = emptyScope()
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === SS_SCOPE) readScopeInto(r, end, scope)
    else if (tag === SS_SPANS)
      r.skip(tag, end) // read in the second pass
    else r.skipUnknown(tag, end, SS_FIELDS)
  }
  r.expectEnd(end)
  r.pos = start
  const context: SpanContext = { resourceAttributes, serviceName, scope, rows, negativeDurations: 0 }
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === SS_SPANS) readSpan(r, r.lengthEnd(end), context)
    else r.skip(tag, end)
  }
  return context.negativeDurations
}

function readSpan(r: ProtobufReader, end: number, context: SpanContext): void {
  let traceId = ''
  let spanId = ''
  let traceState = ''
  let parentSpanId = ''
  let name = ''
  let kind = 0
  let startNs = 0n
  let endNs = 0n
  let attributes: AttributeMap = EMPTY_ATTRIBUTES
  let attributeCount = 0
  let events: SpanEventRow[] | undefined
  let links: SpanLinkRow[] | undefined
  let statusCode = 0
  let statusMessage = ''
  while (r.pos < end) {
    const tag = r.tag()
    switch (tag) {
      case SPAN_TRACE_ID:
        traceId = r.hex(end)
        break
      case SPAN_SPAN_ID:
        spanId = r.hex(end)
        break
      case SPAN_TRACE_STATE:
        traceState = r.string(end)
        break
      case SPAN_PARENT_SPAN_ID:
        parentSpanId = r.hex(end)
        break
      case SPAN_NAME:
        name = r.string(end)
        break
      case SPAN_KIND:
        kind = r.uint32()
        break
      case SPAN_START:
        startNs = r.fixed64()
        break
      case SPAN_END:
        endNs = r.fixed64()
        break
      case SPAN_ATTRIBUTES:
        if (attributes === EMPTY_ATTRIBUTES) attributes = newRecordAttributes()
        readKeyValueInto(r, end, attributes)
        attributeCount++
        break
      case SPAN_EVENTS:
        ;(events ??= []).push(readEvent(r, r.lengthEnd(end)))
        break
      case SPAN_LINKS:
        ;(links ??= []).push(readLink(r, r.lengthEnd(end)))
        break
      case SPAN_STATUS: {
        // A repeated message field merges: a later status overrides only the fields it carries.
        const statusEnd = r.lengthEnd(end)
        while (r.pos < statusEnd) {
          const statusTag = r.tag()
          if (statusTag === STATUS_MESSAGE) statusMessage = r.string(statusEnd)
          else if (statusTag === STATUS_CODE) statusCode = r.uint32()
          else r.skipUnknown(statusTag, statusEnd, STATUS_FIELDS)
        }
        r.expectEnd(statusEnd)
        break
      }
      default:
        r.skipUnknown(tag, end, SPAN_FIELDS)
    }
  }
  r.expectEnd(end)
  r.noteAttributes(attributeCount)
  let durationNs = endNs - startNs
  if (durationNs < 0n) {
    durationNs = 0n
    context.negativeDurations++
  }
  context.rows.push({
    timestampNs: startNs,
    traceId,
    spanId,
    parentSpanId,
    traceState,
    spanName: name,
    // Unknown enum values are stored as the zero value's name: the columns are LowCardinality names.
    spanKind: SPAN_KIND_NAMES[kind] ?? 'Unspecified',
    serviceName: context.serviceName,
    resourceAttributes: context.resourceAttributes,
    scopeName: context.scope.name,
    scopeVersion: context.scope.version,
    spanAttributes: attributes,
    durationNs,
    statusCode: STATUS_CODE_NAMES[statusCode] ?? 'Unset',
    statusMessage,
    events: events ?? NO_EVENTS,
    links: links ?? NO_LINKS,
  })
}

function readEvent(r: ProtobufReader, end: number): SpanEventRow {
  let timestampNs = 0n
  let name = ''
  let attributes: AttributeMap = EMPTY_ATTRIBUTES
  let count = 0
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === EVENT_TIME) timestampNs = r.fixed64()
    else if (tag === EVENT_NAME) name = r.string(end)
    else if (tag === EVENT_ATTRIBUTES) {
      if (attributes === EMPTY_ATTRIBUTES) attributes = {}
      readKeyValueInto(r, end, attributes)
      count++
    } else r.skipUnknown(tag, end, EVENT_FIELDS)
  }
  r.expectEnd(end)
  r.noteAttributes(count)
  return { timestampNs, name, attributes }
}

function readLink(r: ProtobufReader, end: number): SpanLinkRow {
  let traceId = ''
  let spanId = ''
  let traceState = ''
  let attributes: AttributeMap = EMPTY_ATTRIBUTES
  let count = 0
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === LINK_TRACE_ID) traceId = r.hex(end)
    else if (tag === LINK_SPAN_ID) spanId = r.hex(end)
    else if (tag === LINK_TRACE_STATE) traceState = r.string(end)
    else if (tag === LINK_ATTRIBUTES) {
      if (attributes === EMPTY_ATTRIBUTES) attributes = {}
      readKeyValueInto(r, end, attributes)
      count++
    } else r.skipUnknown(tag, end, LINK_FIELDS)
  }
  r.expectEnd(end)
  r.noteAttributes(count)
  return { traceId, spanId, traceState, attributes }
}
