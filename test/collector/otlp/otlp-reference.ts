// Test-only reference codec: the OTLP messages described to protobufjs reflection from the
// field numbers of opentelemetry-proto (not from its .proto files), to encode requests and
// to decode the sample .pb files independently of the hand-written decoder; plus a tiny
// wire writer for hand-made malformed bodies.
import protobuf from 'protobufjs'

type Fields = Record<string, { type: string; id: number; rule?: 'repeated' }>

const message = (fields: Fields, oneofs?: Record<string, { oneof: string[] }>) => (oneofs ? { fields, oneofs } : { fields })
const repeated = (type: string, id: number) => ({ type, id, rule: 'repeated' as const })

const root = protobuf.Root.fromJSON({
  nested: {
    otlp: {
      nested: {
        AnyValue: message(
          {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
          { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
        ),
        ArrayValue: message({ values: repeated('AnyValue', 1) }),
        KeyValueList: message({ values: repeated('KeyValue', 1) }),
        KeyValue: message({ key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } }),
        InstrumentationScope: message({
          name: { type: 'string', id: 1 },
          version: { type: 'string', id: 2 },
          attributes: repeated('KeyValue', 3),
          droppedAttributesCount: { type: 'uint32', id: 4 },
        }),
        Resource: message({ attributes: repeated('KeyValue', 1), droppedAttributesCount: { type: 'uint32', id: 2 } }),
        ExportTraceServiceRequest: message({ resourceSpans: repeated('ResourceSpans', 1) }),
        ResourceSpans: message({ resource: { type: 'Resource', id: 1 }, scopeSpans: repeated('ScopeSpans', 2), schemaUrl: { type: 'string', id: 3 } }),
        ScopeSpans: message({ scope: { type: 'InstrumentationScope', id: 1 }, spans: repeated('Span', 2), schemaUrl: { type: 'string', id: 3 } }),
        Span: message({
          traceId: { type: 'bytes', id: 1 },
          spanId: { type: 'bytes', id: 2 },
          traceState: { type: 'string', id: 3 },
          parentSpanId: { type: 'bytes', id: 4 },
          flags: { type: 'fixed32', id: 16 },
          name: { type: 'string', id: 5 },
          kind: { type: 'int32', id: 6 },
          startTimeUnixNano: { type: 'fixed64', id: 7 },
          endTimeUnixNano: { type: 'fixed64', id: 8 },
          attributes: repeated('KeyValue', 9),
          droppedAttributesCount: { type: 'uint32', id: 10 },
          events: repeated('Event', 11),
          droppedEventsCount: { type: 'uint32', id: 12 },
          links: repeated('Link', 13),
          droppedLinksCount: { type: 'uint32', id: 14 },
          status: { type: 'Status', id: 15 },
        }),
        Event: message({
          timeUnixNano: { type: 'fixed64', id: 1 },
          name: { type: 'string', id: 2 },
          attributes: repeated('KeyValue', 3),
          droppedAttributesCount: { type: 'uint32', id: 4 },
        }),
        Link: message({
          traceId: { type: 'bytes', id: 1 },
          spanId: { type: 'bytes', id: 2 },
          traceState: { type: 'string', id: 3 },
          attributes: repeated('KeyValue', 4),
          droppedAttributesCount: { type: 'uint32', id: 5 },
          flags: { type: 'fixed32', id: 6 },
        }),
        Status: message({ message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } }),
        ExportLogsServiceRequest: message({ resourceLogs: repeated('ResourceLogs', 1) }),
        ResourceLogs: message({ resource: { type: 'Resource', id: 1 }, scopeLogs: repeated('ScopeLogs', 2), schemaUrl: { type: 'string', id: 3 } }),
        ScopeLogs: message({ scope: { type: 'InstrumentationScope', id: 1 }, logRecords: repeated('LogRecord', 2), schemaUrl: { type: 'string', id: 3 } }),
        LogRecord: message({
          timeUnixNano: { type: 'fixed64', id: 1 },
          observedTimeUnixNano: { type: 'fixed64', id: 11 },
          severityNumber: { type: 'int32', id: 2 },
          severityText: { type: 'string', id: 3 },
          body: { type: 'AnyValue', id: 5 },
          attributes: repeated('KeyValue', 6),
          droppedAttributesCount: { type: 'uint32', id: 7 },
          flags: { type: 'fixed32', id: 8 },
          traceId: { type: 'bytes', id: 9 },
          spanId: { type: 'bytes', id: 10 },
          eventName: { type: 'string', id: 12 },
        }),
        ExportTraceServiceResponse: message({ partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } }),
        ExportTracePartialSuccess: message({ rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } }),
        ExportLogsServiceResponse: message({ partialSuccess: { type: 'ExportLogsPartialSuccess', id: 1 } }),
        ExportLogsPartialSuccess: message({ rejectedLogRecords: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } }),
      },
    },
  },
})

export type OtlpMessageName = 'ExportTraceServiceRequest' | 'ExportLogsServiceRequest' | 'ExportTraceServiceResponse' | 'ExportLogsServiceResponse'

/** Encodes a plain object (protobufjs fromObject conventions: bytes as Uint8Array, 64-bit as string). */
export function encodeReference(name: OtlpMessageName, value: Record<string, unknown>): Uint8Array {
  // fromObject, not verify: it is what accepts 64-bit values as decimal strings.
  const type = root.lookupType(`otlp.${name}`)
  return type.encode(type.fromObject(value)).finish()
}

/** Decodes to a plain object: 64-bit numbers as decimal strings, bytes as hex is done by the caller. */
export function decodeReference(name: OtlpMessageName, bytes: Uint8Array): Record<string, unknown> {
  const type = root.lookupType(`otlp.${name}`)
  return type.toObject(type.decode(bytes), { longs: String, bytes: Array, defaults: false })
}

export const hexBytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'))

// A tiny wire writer for bodies no encoder would produce: truncations, wrong wire types, groups.
export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value))
  const out: number[] = []
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  }
  out.push(Number(v))
  return out
}

export const key = (field: number, wireType: number): number[] => varint((field << 3) | wireType)
export const lengthDelimited = (field: number, bytes: readonly number[]): number[] => [...key(field, 2), ...varint(bytes.length), ...bytes]
export const utf8 = (text: string): number[] => [...Buffer.from(text, 'utf8')]
export const fixed64 = (field: number, value: bigint): number[] => {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(value)
  return [...key(field, 1), ...b]
}
