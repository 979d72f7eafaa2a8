// Decodes an OTLP/HTTP protobuf ExportLogsServiceRequest straight into otel_logs rows, the
// same way protobuf-traces.ts does spans. Timestamp falls back to the observed time when the
// record has none, as the contrib ClickHouse exporter does; validation comes afterwards.
import type { AttributeMap, LogRow } from '../../store/index.ts'
import { EMPTY_ATTRIBUTES, newRecordAttributes, serviceNameOf } from './attribute-text.ts'
import { I32, I64, LEN, VARINT, emptyScope, readAnyValueText, readKeyValueInto, readResourceInto, readScopeInto } from './protobuf-common.ts'
import type { ValueBounds } from './validate.ts'
import { ProtobufReader, wireTypes } from './wire-reader.ts'

// Tag constants are field << 3 | wire type, from opentelemetry-proto logs/v1 and collector/logs/v1.
const REQUEST_RESOURCE_LOGS = 0x0a
const REQUEST_FIELDS = wireTypes([1, LEN])
const RL_RESOURCE = 0x0a
const RL_SCOPE_LOGS = 0x12
const RL_SCHEMA_URL = 0x1a
const RL_FIELDS = wireTypes([1, LEN], [2, LEN], [3, LEN])
const SL_SCOPE = 0x0a
const SL_LOG_RECORDS = 0x12
const SL_SCHEMA_URL = 0x1a
const SL_FIELDS = wireTypes([1, LEN], [2, LEN], [3, LEN])

const LOG_TIME = 0x09
const LOG_SEVERITY_NUMBER = 0x10
const LOG_SEVERITY_TEXT = 0x1a
const LOG_BODY = 0x2a
const LOG_ATTRIBUTES = 0x32
const LOG_FLAGS = 0x45
const LOG_TRACE_ID = 0x4a
const LOG_SPAN_ID = 0x52
const LOG_OBSERVED_TIME = 0x59
const LOG_EVENT_NAME = 0x62
// Field 4 (a deprecated `name`) is reserved now: skipped as unknown whatever its wire type.
const LOG_FIELDS = wireTypes([1, I64], [2, VARINT], [3, LEN], [5, LEN], [6, LEN], [7, VARINT], [8, I32], [9, LEN], [10, LEN], [11, I64], [12, LEN])

interface ResourceContext {
  readonly attributes: AttributeMap
  readonly serviceName: string
  readonly schemaUrl: string
}

/** Throws WireError on malformed bytes; the index turns that into a decode failure. */
export function decodeLogsRequestProtobuf(bytes: Uint8Array): { readonly rows: LogRow[]; readonly bounds: ValueBounds } {
  const r = new ProtobufReader(bytes)
  const end = r.length
  const rows: LogRow[] = []
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === REQUEST_RESOURCE_LOGS) readResourceLogs(r, r.lengthEnd(end), rows)
    else r.skipUnknown(tag, end, REQUEST_FIELDS)
  }
  return { rows, bounds: { longestValueChars: r.longestValueChars, mostAttributes: r.mostAttributes } }
}

function readResourceLogs(r: ProtobufReader, end: number, rows: LogRow[]): void {
  // First pass: the resource and schema URL, wherever they sit; second pass: the scopes.
  const start = r.pos
  let attributes: AttributeMap = EMPTY_ATTRIBUTES
  let schemaUrl = ''
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === RL_RESOURCE) {
      if (attributes === EMPTY_ATTRIBUTES) attributes = {}
      readResourceInto(r, end, attributes)
    } else if (tag === RL_SCHEMA_URL) schemaUrl = r.string(end)
    else if (tag === RL_SCOPE_LOGS)
      r.skip(tag, end) // read in the second pass
    else r.skipUnknown(tag, end, RL_FIELDS)
  }
  r.expectEnd(end)
  r.pos = start
  const resource: ResourceContext = { attributes, serviceName: serviceNameOf(attributes), schemaUrl }
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === RL_SCOPE_LOGS) readScopeLogs(r, r.lengthEnd(end), resource, rows)
    else r.skip(tag, end)
  }
}

function readScopeLogs(r: ProtobufReader, end: number, resource: ResourceContext, rows: LogRow[]): void {
  const start = r.pos
  const scope = emptyScope()
  let scopeSchemaUrl = ''
  while (r.pos < end) {
    const tag = r.tag()
    if (tag === SL_SCOPE) readScopeInto(r, end, scope)
    else if (tag === SL_SCHEMA_URL) scopeSchemaUrl = r.string(end)
    else if (tag === SL_LOG_RECORDS)
      r.skip(tag, end) // read in the second pass
    else r.skipUnknown(tag, end, SL_FIELDS)
  }
  r.expectEnd(end)
  r.pos = start
  while (r.pos < end) {
    const tag = r.tag()
    if (tag !== SL_LOG_RECORDS) {
      r.skip(tag, end)
      continue
    }
    const recordEnd = r.lengthEnd(end)
    let timeNs = 0n
    let observedNs = 0n
    let severityNumber = 0
    let severityText = ''
    let body = ''
    let attributes: AttributeMap = EMPTY_ATTRIBUTES
    let attributeCount = 0
    let flags = 0
    let traceId = ''
    let spanId = ''
    let eventName = ''
    while (r.pos < recordEnd) {
      const field = r.tag()
      switch (field) {
        case LOG_TIME:
          timeNs = r.fixed64()
          break
        case LOG_OBSERVED_TIME:
          observedNs = r.fixed64()
          break
        case LOG_SEVERITY_NUMBER:
          severityNumber = r.uint32()
          break
        case LOG_SEVERITY_TEXT:
          severityText = r.string(recordEnd)
          break
        case LOG_BODY:
          body = readAnyValueText(r, r.lengthEnd(recordEnd))
          break
        case LOG_ATTRIBUTES:
          if (attributes === EMPTY_ATTRIBUTES) attributes = newRecordAttributes()
          readKeyValueInto(r, recordEnd, attributes)
          attributeCount++
          break
        case LOG_FLAGS:
          flags = r.fixed32()
          break
        case LOG_TRACE_ID:
          traceId = r.hex(recordEnd)
          break
        case LOG_SPAN_ID:
          spanId = r.hex(recordEnd)
          break
        case LOG_EVENT_NAME:
          eventName = r.string(recordEnd)
          break
        default:
          r.skipUnknown(field, recordEnd, LOG_FIELDS)
      }
    }
    r.expectEnd(recordEnd)
    r.noteAttributes(attributeCount)
    rows.push({
      timestampNs: timeNs === 0n ? observedNs : timeNs,
      traceId,
      spanId,
      // The columns are UInt8: the W3C trace flags are the low byte, and Go's uint8() of the
      // severity enum keeps the low byte too.
      traceFlags: flags & 0xff,
      severityText,
      severityNumber: severityNumber & 0xff,
      serviceName: resource.serviceName,
      body,
      resourceSchemaUrl: resource.schemaUrl,
      resourceAttributes: resource.attributes,
      scopeSchemaUrl,
      scopeName: scope.name,
      scopeVersion: scope.version,
      scopeAttributes: scope.attributes,
      logAttributes: attributes,
      eventName,
    })
  }
}
