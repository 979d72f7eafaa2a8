// The hand-written OTLP protobuf decoder: the sample .pb files field by field (values read
// off a hex dump), a request encoded by an independent protobufjs codec, unknown fields of
// every wire type, and malformed bodies, which must fail as a whole with a byte offset.
import { sharedDataPath } from '../../support/shared-data.ts'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeLogsProtobuf, decodeTracesProtobuf, type DecodeResult, type ValidationLimits } from '../../../collector/otlp/index.ts'
import type { LogRow, SpanRow } from '../../../store/rows.ts'
import { decodeReference, encodeReference, fixed64, hexBytes, key, lengthDelimited, utf8, varint } from './otlp-reference.ts'

const data = sharedDataPath('otlp/')
const limits: ValidationLimits = {
  maxAttributesPerRecord: 128,
  maxAttributeValueBytes: 8192,
  maxFutureSkewSeconds: 86_400,
  nowNs: 1_700_000_000_000_000_000n, // 2023-11-14: after every sample timestamp
}

function rowsOf<Row>(result: DecodeResult<Row>): Row[] {
  if (!result.ok) throw new Error(`expected success, got ${result.reason}: ${result.message}`)
  return result.rows
}

function only<Row>(result: DecodeResult<Row>): Row {
  const rows = rowsOf(result)
  expect(rows).toHaveLength(1)
  return rows[0] as Row
}

const T0 = 1_609_459_200_000_000_000n // 2021-01-01T00:00:00Z, the start time in both .pb samples

// A minimal valid span body (ids, name, start), for requests built by hand around it.
const spanFields = (extra: number[] = []): number[] => [
  ...lengthDelimited(1, [...hexBytes('0102030405060708090a0b0c0d0e0f10')]),
  ...lengthDelimited(2, [...hexBytes('a1a2a3a4a5a6a7a8')]),
  ...lengthDelimited(5, utf8('op')),
  ...fixed64(7, T0),
  ...fixed64(8, T0 + 5n),
  ...extra,
]
const traceRequest = (span: number[], scopeExtra: number[] = []): Buffer =>
  Buffer.from(lengthDelimited(1, lengthDelimited(2, [...scopeExtra, ...lengthDelimited(2, span)])))

describe('protobuf traces', () => {
  it('decodes edge-otlp_traces.pb field by field', () => {
    const span: SpanRow = only(decodeTracesProtobuf(readFileSync(`${data}edge-otlp_traces.pb`), limits))
    expect(span).toEqual({
      timestampNs: T0,
      traceId: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
      spanId: '1122334455667788',
      parentSpanId: '',
      traceState: '',
      spanName: 'test_span',
      spanKind: 'Server',
      serviceName: 'trace-service',
      resourceAttributes: { 'service.name': 'trace-service', 'host.name': 'test-host' },
      scopeName: 'test-tracer',
      scopeVersion: '1.0.0',
      spanAttributes: { http_method: 'GET' },
      durationNs: 100_000_000n, // end 0x1655f29d7e71e100 - start 0x1655f29d787c0000
      statusCode: 'Unset',
      statusMessage: '',
      events: [],
      links: [],
    })
  })

  it('agrees with an independent protobufjs decoding of edge-otlp_traces.pb', () => {
    const bytes = readFileSync(`${data}edge-otlp_traces.pb`)
    const reference = decodeReference('ExportTraceServiceRequest', bytes)
    expect(reference).toMatchObject({
      resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'test_span', kind: 2, startTimeUnixNano: String(T0), endTimeUnixNano: String(T0 + 100_000_000n) }] }] }],
    })
    const span = only(decodeTracesProtobuf(bytes, limits))
    expect(span.timestampNs).toBe(T0)
  })

  it('decodes every field of a span encoded by protobufjs, attributes of all kinds flattened as the exporter does', () => {
    const kv = (k: string, value: Record<string, unknown>) => ({ key: k, value })
    const body = encodeReference('ExportTraceServiceRequest', {
      resourceSpans: [
        {
          resource: { attributes: [kv('service.name', { stringValue: 'checkout' }), kv('deployment', { stringValue: 'prod' })] },
          schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
          scopeSpans: [
            {
              scope: { name: 'lib', version: '2.1', attributes: [kv('ignored.for.spans', { boolValue: true })] },
              spans: [
                {
                  traceId: hexBytes('5B8EFFF798038103D269B633813FC60C'),
                  spanId: hexBytes('EEE19B7EC3C1B174'),
                  parentSpanId: hexBytes('EEE19B7EC3C1B173'),
                  traceState: 'vendor=abc',
                  flags: 0x301,
                  name: 'POST /orders',
                  kind: 3,
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000000250000000',
                  attributes: [
                    kv('s', { stringValue: 'text é' }),
                    kv('b', { boolValue: false }),
                    kv('i', { intValue: '-42' }),
                    kv('max', { intValue: '9223372036854775807' }),
                    kv('min', { intValue: '-9223372036854775808' }),
                    kv('d', { doubleValue: 637.704 }),
                    kv('whole', { doubleValue: 2 }),
                    kv('bytes', { bytesValue: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) }),
                    kv('arr', { arrayValue: { values: [{ stringValue: 'a"b' }, { intValue: '7' }, { doubleValue: 1.5 }, { boolValue: true }, {}] } }),
                    kv('map', {
                      kvlistValue: { values: [kv('z', { intValue: '1' }), kv('a', { arrayValue: { values: [{ bytesValue: Uint8Array.from([1, 2]) }] } })] },
                    }),
                    kv('empty', {}),
                  ],
                  droppedAttributesCount: 3,
                  events: [{ timeUnixNano: '1700000000100000000', name: 'retry', attributes: [kv('attempt', { intValue: '2' })], droppedAttributesCount: 1 }],
                  droppedEventsCount: 4,
                  links: [
                    {
                      traceId: hexBytes('000102030405060708090a0b0c0d0e0f'),
                      spanId: hexBytes('0001020304050607'),
                      traceState: 'k=v',
                      attributes: [kv('why', { stringValue: 'batch' })],
                      flags: 1,
                    },
                  ],
                  status: { code: 2, message: 'card declined' },
                },
              ],
            },
          ],
        },
      ],
    })
    const result = decodeTracesProtobuf(body, limits)
    expect(only(result)).toEqual({
      timestampNs: 1_700_000_000_000_000_000n,
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: 'eee19b7ec3c1b173',
      traceState: 'vendor=abc',
      spanName: 'POST /orders',
      spanKind: 'Client',
      serviceName: 'checkout',
      resourceAttributes: { 'service.name': 'checkout', deployment: 'prod' },
      scopeName: 'lib',
      scopeVersion: '2.1',
      spanAttributes: {
        s: 'text é',
        b: 'false',
        i: '-42',
        max: '9223372036854775807',
        min: '-9223372036854775808',
        d: '637.704',
        whole: '2',
        bytes: '3q2+7w==',
        arr: '["a\\"b",7,1.5,true,null]',
        map: '{"a":["AQI="],"z":1}',
        empty: '',
      },
      durationNs: 250_000_000n,
      statusCode: 'Error',
      statusMessage: 'card declined',
      events: [{ timestampNs: 1_700_000_000_100_000_000n, name: 'retry', attributes: { attempt: '2' } }],
      links: [{ traceId: '000102030405060708090a0b0c0d0e0f', spanId: '0001020304050607', traceState: 'k=v', attributes: { why: 'batch' } }],
    })
  })

  it('skips unknown fields of every wire type, groups included', () => {
    const unknown = [
      ...key(100, 0),
      ...varint(300),
      ...key(101, 1),
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      ...lengthDelimited(102, utf8('future field')),
      ...key(103, 5),
      1,
      2,
      3,
      4,
      ...key(104, 3),
      ...key(1, 0),
      ...varint(1),
      ...key(2, 3),
      ...key(2, 4),
      ...key(104, 4),
    ]
    const span = only(decodeTracesProtobuf(traceRequest(spanFields(unknown), unknown), limits))
    expect(span.spanName).toBe('op')
    expect(span.durationNs).toBe(5n)
  })

  it('reads the resource even when it comes after the spans on the wire', () => {
    const resource = lengthDelimited(
      1,
      lengthDelimited(1, [...lengthDelimited(1, utf8('service.name')), ...lengthDelimited(2, lengthDelimited(1, utf8('late')))]),
    )
    const scopeSpans = lengthDelimited(2, [...lengthDelimited(2, spanFields()), ...lengthDelimited(1, lengthDelimited(1, utf8('scope-after')))])
    const body = Buffer.from(lengthDelimited(1, [...scopeSpans, ...resource]))
    const span = only(decodeTracesProtobuf(body, limits))
    expect(span.serviceName).toBe('late')
    expect(span.resourceAttributes).toEqual({ 'service.name': 'late' })
    expect(span.scopeName).toBe('scope-after')
  })

  it('stores Duration 0 for a span that ends before it starts, and reports it', () => {
    const span = spanFields([...fixed64(8, T0 - 1n)])
    const result = decodeTracesProtobuf(traceRequest(span), limits)
    expect(only(result).durationNs).toBe(0n)
    expect(result.ok && result.negativeDurations).toBe(1)
  })

  it('names unknown span kinds and status codes after the zero value', () => {
    const span = spanFields([...key(6, 0), ...varint(9), ...lengthDelimited(15, [...key(3, 0), ...varint(7)])])
    const row = only(decodeTracesProtobuf(traceRequest(span), limits))
    expect(row.spanKind).toBe('Unspecified')
    expect(row.statusCode).toBe('Unset')
  })

  it('treats an empty body as a valid request with no spans', () => {
    expect(decodeTracesProtobuf(new Uint8Array(0), limits)).toMatchObject({ ok: true, rows: [], rejected: { count: 0 } })
  })

  it('keeps a genuine U+FFFD in a string while still checking UTF-8', () => {
    const span = spanFields([...lengthDelimited(5, utf8('ok \uFFFD'))])
    expect(only(decodeTracesProtobuf(traceRequest(span), limits)).spanName).toBe('ok \uFFFD')
  })
})

describe('malformed protobuf', () => {
  const failureOf = (body: Uint8Array) => {
    const result = decodeTracesProtobuf(body, limits)
    if (result.ok) throw new Error('expected a decode error')
    return result
  }

  it('fails every truncation of the sample request as a whole, with a byte offset, never by throwing', () => {
    const bytes = readFileSync(`${data}edge-otlp_traces.pb`)
    for (let cut = 1; cut < bytes.length; cut++) {
      const failure = failureOf(bytes.subarray(0, cut))
      expect(failure.reason).toBe('malformed_protobuf')
      expect(failure.message).toMatch(/at byte offset \d+$/)
    }
  })

  it('names the field and offset of a known field sent with the wrong wire type', () => {
    // name (field 5) sent as a varint instead of length-delimited.
    const body = traceRequest(spanFields([...key(5, 0), ...varint(1)]))
    expect(failureOf(body)).toEqual({
      ok: false,
      reason: 'malformed_protobuf',
      message: expect.stringMatching(/^wrong wire type 0 for field 5 at byte offset \d+$/),
    })
  })

  it('refuses invalid UTF-8 in a string field with reason invalid_utf8', () => {
    const body = traceRequest(spanFields([...lengthDelimited(5, [0x6f, 0xff, 0xfe])]))
    const failure = failureOf(body)
    expect(failure.reason).toBe('invalid_utf8')
    expect(failure.message).toMatch(/not valid UTF-8 at byte offset \d+/)
  })

  it('refuses invalid UTF-8 in an attribute key', () => {
    const attribute = lengthDelimited(9, [...lengthDelimited(1, [0xc3, 0x28]), ...lengthDelimited(2, lengthDelimited(1, utf8('v')))])
    expect(failureOf(traceRequest(spanFields(attribute))).reason).toBe('invalid_utf8')
  })

  it('refuses wire types 6 and 7, a stray end-group, a varint over 10 bytes and a length past the end', () => {
    expect(failureOf(Buffer.from([...key(1, 6)])).message).toBe('invalid wire type 6 for field 1 at byte offset 1')
    expect(failureOf(Buffer.from([...key(9, 7)])).message).toBe('invalid wire type 7 for field 9 at byte offset 1')
    expect(failureOf(Buffer.from([...key(9, 4)])).message).toBe('unexpected end group for field 9 at byte offset 1')
    expect(failureOf(Buffer.from([...key(9, 0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).message).toBe(
      'varint longer than 10 bytes at byte offset 1',
    )
    expect(failureOf(Buffer.from([...key(1, 2), 5, 0x0a])).message).toBe('length 5 runs past the end of its message at byte offset 1')
  })

  it('refuses a nested message whose fields overrun its declared length', () => {
    // ResourceSpans claims 3 bytes, but its first field is a 4-byte string.
    const body = Buffer.from([...key(1, 2), 3, ...key(3, 2), 2, 0x61, 0x62])
    expect(failureOf(body).reason).toBe('malformed_protobuf')
  })
})

describe('protobuf logs', () => {
  it('decodes edge-otlp_logs.pb field by field', () => {
    const log: LogRow = only(decodeLogsProtobuf(readFileSync(`${data}edge-otlp_logs.pb`), limits))
    expect(log).toEqual({
      timestampNs: T0,
      traceId: '',
      spanId: '',
      traceFlags: 0,
      severityText: 'INFO',
      severityNumber: 9,
      serviceName: 'logs-service',
      body: 'Test log message',
      resourceSchemaUrl: '',
      resourceAttributes: { 'service.name': 'logs-service', 'host.name': 'test-host' },
      scopeSchemaUrl: '',
      scopeName: 'test-logger',
      scopeVersion: '1.0.0',
      scopeAttributes: {},
      logAttributes: { module: 'test-module' },
      eventName: '',
    })
    expect(decodeReference('ExportLogsServiceRequest', readFileSync(`${data}edge-otlp_logs.pb`))).toMatchObject({
      resourceLogs: [
        { scopeLogs: [{ logRecords: [{ timeUnixNano: String(T0), severityNumber: 9, severityText: 'INFO', body: { stringValue: 'Test log message' } }] }] },
      ],
    })
  })

  it('decodes a protobufjs-encoded record: observed-time fallback, flags low byte, schema URLs, event name, map body', () => {
    const body = encodeReference('ExportLogsServiceRequest', {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing' } }] },
          schemaUrl: 'https://schema/r',
          scopeLogs: [
            {
              scope: { name: 'audit', version: '3', attributes: [{ key: 'team', value: { stringValue: 'fin' } }] },
              schemaUrl: 'https://schema/s',
              logRecords: [
                {
                  observedTimeUnixNano: '1600000000000000001',
                  severityNumber: 17,
                  severityText: 'ERROR',
                  body: {
                    kvlistValue: {
                      values: [
                        { key: 'order', value: { stringValue: 'O-1' } },
                        { key: 'amount', value: { doubleValue: 12.5 } },
                      ],
                    },
                  },
                  attributes: [{ key: 'retry', value: { boolValue: true } }],
                  flags: 0x101,
                  traceId: hexBytes('5B8EFFF798038103D269B633813FC60C'),
                  spanId: hexBytes('EEE19B7EC3C1B174'),
                  eventName: 'invoice.failed',
                },
              ],
            },
          ],
        },
      ],
    })
    expect(only(decodeLogsProtobuf(body, limits))).toEqual({
      timestampNs: 1_600_000_000_000_000_001n,
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      traceFlags: 1,
      severityText: 'ERROR',
      severityNumber: 17,
      serviceName: 'billing',
      body: '{"amount":12.5,"order":"O-1"}',
      resourceSchemaUrl: 'https://schema/r',
      resourceAttributes: { 'service.name': 'billing' },
      scopeSchemaUrl: 'https://schema/s',
      scopeName: 'audit',
      scopeVersion: '3',
      scopeAttributes: { team: 'fin' },
      logAttributes: { retry: 'true' },
      eventName: 'invoice.failed',
    })
  })

  it('treats an empty body as a valid request with no log records', () => {
    expect(decodeLogsProtobuf(Buffer.alloc(0), limits)).toMatchObject({ ok: true, rows: [] })
  })
})
