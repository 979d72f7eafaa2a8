// Maps a parsed OTLP/JSON ExportLogsServiceRequest onto otel_logs rows, field for field as
// protobuf-logs.ts does for the binary encoding. Throws JsonShapeError (with the path of the
// bad value) when a field has the wrong type.
import type { AttributeMap, LogRow } from '../../store/index.ts'
import { serviceNameOf } from './attribute-text.ts'
import {
  JsonShapeError,
  SEVERITY_NUMBER_VALUES,
  anyValueText,
  arrayField,
  attributesField,
  enumField,
  field,
  idField,
  isObject,
  resourceAttributesField,
  scopeField,
  stringField,
  uint32Field,
  uint64Field,
  within,
  type JsonObject,
  type JsonScope,
} from './json-common.ts'

function objectAt(value: unknown, what: string): JsonObject {
  if (isObject(value)) return value
  throw new JsonShapeError('', `expected ${what} object`)
}

interface ResourceContext {
  readonly attributes: AttributeMap
  readonly serviceName: string
  readonly schemaUrl: string
}

export function mapLogsRequestJson(request: JsonObject): { readonly rows: LogRow[] } {
  const rows: LogRow[] = []
  const resourceLogs = arrayField(request, 'resourceLogs', 'resource_logs')
  for (let i = 0; i < resourceLogs.length; i++) {
    try {
      const rl = objectAt(resourceLogs[i], 'a ResourceLogs')
      const attributes = resourceAttributesField(rl)
      const resource: ResourceContext = {
        attributes,
        serviceName: serviceNameOf(attributes),
        schemaUrl: stringField(rl, 'schemaUrl', 'schema_url'),
      }
      const scopeLogs = arrayField(rl, 'scopeLogs', 'scope_logs')
      for (let j = 0; j < scopeLogs.length; j++) {
        try {
          const sl = objectAt(scopeLogs[j], 'a ScopeLogs')
          const scope = scopeField(sl)
          const scopeSchemaUrl = stringField(sl, 'schemaUrl', 'schema_url')
          const records = arrayField(sl, 'logRecords', 'log_records')
          for (let k = 0; k < records.length; k++) {
            try {
              rows.push(logRow(objectAt(records[k], 'a LogRecord'), resource, scope, scopeSchemaUrl))
            } catch (error) {
              throw within(error, `logRecords[${k}]`)
            }
          }
        } catch (error) {
          throw within(error, `scopeLogs[${j}]`)
        }
      }
    } catch (error) {
      throw within(error, `resourceLogs[${i}]`)
    }
  }
  return { rows }
}

function logRow(record: JsonObject, resource: ResourceContext, scope: JsonScope, scopeSchemaUrl: string): LogRow {
  const timeNs = uint64Field(record, 'timeUnixNano', 'time_unix_nano')
  let body: string
  try {
    body = anyValueText(field(record, 'body'))
  } catch (error) {
    throw within(error, 'body')
  }
  return {
    timestampNs: timeNs === 0n ? uint64Field(record, 'observedTimeUnixNano', 'observed_time_unix_nano') : timeNs,
    traceId: idField(record, 'traceId', 'trace_id'),
    spanId: idField(record, 'spanId', 'span_id'),
    traceFlags: uint32Field(record, 'flags') & 0xff,
    severityText: stringField(record, 'severityText', 'severity_text'),
    severityNumber: enumField(record, 'severityNumber', 'severity_number', SEVERITY_NUMBER_VALUES) & 0xff,
    serviceName: resource.serviceName,
    body,
    resourceSchemaUrl: resource.schemaUrl,
    resourceAttributes: resource.attributes,
    scopeSchemaUrl,
    scopeName: scope.name,
    scopeVersion: scope.version,
    scopeAttributes: scope.attributes,
    logAttributes: attributesField(record, true),
    eventName: stringField(record, 'eventName', 'event_name'),
  }
}
