// The export responses: empty on full success, partial_success otherwise, checked by the
// OpenTelemetry JS client's own response deserializers and an independent protobufjs codec.
import { JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { describe, expect, it } from 'vitest'
import { encodeExportResponse, encodeExportResponseJson, encodeExportResponseProtobuf, FULL_SUCCESS } from '../../../collector/otlp/index.ts'
import { decodeReference } from './otlp-reference.ts'

describe('export responses', () => {
  it('are empty on full success: no bytes in protobuf, {} in JSON', () => {
    expect(encodeExportResponseProtobuf('traces', FULL_SUCCESS)).toHaveLength(0)
    expect(encodeExportResponseJson('logs', FULL_SUCCESS)).toBe('{}')
  })

  it('carry partial_success in protobuf as the JS exporter reads it', () => {
    const bytes = encodeExportResponseProtobuf('traces', { rejected: 3, errorMessage: '3 spans rejected (missing_timestamp 3)' })
    // 0a 2a (partial_success, 42 bytes) | 08 03 (rejected_spans = 3) | 12 26 (error_message, 38 bytes) ...
    expect([...bytes.subarray(0, 6)]).toEqual([0x0a, 42, 0x08, 3, 0x12, 38])
    expect(bytes).toHaveLength(44)
    expect(decodeReference('ExportTraceServiceResponse', bytes)).toEqual({
      partialSuccess: { rejectedSpans: '3', errorMessage: '3 spans rejected (missing_timestamp 3)' },
    })
    const response = ProtobufTraceSerializer.deserializeResponse(bytes)
    expect(Number(response.partialSuccess?.rejectedSpans)).toBe(3)
    expect(response.partialSuccess?.errorMessage).toBe('3 spans rejected (missing_timestamp 3)')
  })

  it('encode large counts and non-ASCII messages', () => {
    const bytes = encodeExportResponseProtobuf('logs', { rejected: 300_000, errorMessage: 'zeitstempel ungültig' })
    expect(decodeReference('ExportLogsServiceResponse', bytes)).toEqual({
      partialSuccess: { rejectedLogRecords: '300000', errorMessage: 'zeitstempel ungültig' },
    })
    const response = ProtobufLogsSerializer.deserializeResponse(bytes)
    expect(Number(response.partialSuccess?.rejectedLogRecords)).toBe(300_000)
  })

  it('write JSON with lowerCamelCase names and the int64 count as a decimal string', () => {
    const json = encodeExportResponseJson('traces', { rejected: 3, errorMessage: 'bad ids' })
    expect(json).toBe('{"partialSuccess":{"rejectedSpans":"3","errorMessage":"bad ids"}}')
    expect(JsonTraceSerializer.deserializeResponse(new TextEncoder().encode(json))).toEqual({ partialSuccess: { rejectedSpans: '3', errorMessage: 'bad ids' } })
    expect(encodeExportResponseJson('logs', { rejected: 1, errorMessage: '' })).toBe('{"partialSuccess":{"rejectedLogRecords":"1"}}')
  })

  it('pick the encoding the request came in', () => {
    expect(encodeExportResponse('logs', 'json', 2, 'x')).toBe('{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"x"}}')
    expect(encodeExportResponse('logs', 'protobuf', 0, '')).toEqual(new Uint8Array(0))
  })
})
