// OTLP/JSON decoding: the specification's example payloads and the edge-case JSON-lines
// samples, field by field with values read from the files; the Collector receiver's
// leniencies (snake_case, enum names, integers as numbers, nulls); and bad input.
import { sharedDataPath } from '../../support/shared-data.ts'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeLogsJson, decodeTracesJson, type DecodeResult, type ValidationLimits } from '../../../collector/otlp/index.ts'
import { mapTraceRequestJson } from '../../../collector/otlp/json-traces.ts'
import type { LogRow, SpanRow } from '../../../store/rows.ts'

const data = sharedDataPath('otlp/')
const limits: ValidationLimits = {
  maxAttributesPerRecord: 128,
  maxAttributeValueBytes: 8192,
  maxFutureSkewSeconds: 86_400,
  nowNs: 1_700_000_000_000_000_000n, // 2023-11-14: after every sample timestamp
}
const read = (name: string): string => readFileSync(`${data}${name}`, 'utf8')
const lines = (name: string): string[] =>
  read(name)
    .split('\n')
    .filter((line) => line.trim() !== '')

function rowsOf<Row>(result: DecodeResult<Row>): Row[] {
  if (!result.ok) throw new Error(`expected success, got ${result.reason}: ${result.message}`)
  return result.rows
}

describe('the specification examples', () => {
  it('decodes spec-example-trace.json, upper-case ids lower-cased', () => {
    expect(rowsOf(decodeTracesJson(read('spec-example-trace.json'), limits))).toEqual([
      {
        timestampNs: 1_544_712_660_000_000_000n,
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: 'eee19b7ec3c1b173',
        traceState: '',
        spanName: "I'm a server span",
        spanKind: 'Server',
        serviceName: 'my.service',
        resourceAttributes: { 'service.name': 'my.service' },
        scopeName: 'my.library',
        scopeVersion: '1.0.0',
        spanAttributes: { 'my.span.attr': 'some value' },
        durationNs: 1_000_000_000n,
        statusCode: 'Unset',
        statusMessage: '',
        events: [],
        links: [],
      },
    ])
  })

  it('decodes spec-example-logs.json with every attribute kind flattened to text', () => {
    expect(rowsOf(decodeLogsJson(read('spec-example-logs.json'), limits))).toEqual([
      {
        timestampNs: 1_544_712_660_300_000_000n,
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        traceFlags: 0,
        severityText: 'Information',
        severityNumber: 10,
        serviceName: 'my.service',
        body: 'Example log record',
        resourceSchemaUrl: '',
        resourceAttributes: { 'service.name': 'my.service' },
        scopeSchemaUrl: '',
        scopeName: 'my.library',
        scopeVersion: '1.0.0',
        scopeAttributes: { 'my.scope.attribute': 'some scope attribute' },
        logAttributes: {
          'string.attribute': 'some string',
          'boolean.attribute': 'true',
          'int.attribute': '10',
          'double.attribute': '637.704',
          'array.attribute': '["many","values"]',
          'map.attribute': '{"some.map.key":"some value"}',
        },
        eventName: '',
      },
    ])
  })

  it('decodes spec-example-events.json: the event name, and a map body as JSON with sorted keys', () => {
    const [event] = rowsOf(decodeLogsJson(read('spec-example-events.json'), limits))
    expect(event).toMatchObject({
      timestampNs: 1_544_712_660_300_000_000n,
      eventName: 'browser.page_view',
      severityNumber: 9,
      severityText: 'test severity text',
      traceId: '',
      spanId: '',
      logAttributes: { 'event.attribute': 'some event attribute' },
      body: '{"referrer":"https://wwww.google.com","title":"Free Online GUID Generator","type":0,"url":"https://www.guidgenerator.com/online-guid-generator.aspx"}',
    })
  })
})

describe('the edge-case JSON-lines samples', () => {
  it('decodes each line of edge-traces_simple.jsonl', () => {
    const rows = lines('edge-traces_simple.jsonl').flatMap((line) => rowsOf(decodeTracesJson(line, limits)))
    expect(rows.map((r) => [r.spanName, r.spanKind, r.spanId, r.parentSpanId, r.timestampNs, r.durationNs, r.statusCode])).toEqual([
      ['GET /users', 'Internal', 'eee19b7ec3c1b174', 'eee19b7ec3c1b173', 1_640_000_000_000_000_000n, 100_000_000n, 'Unset'],
      ['SELECT * FROM users', 'Client', 'eee19b7ec3c1b175', 'eee19b7ec3c1b174', 1_640_000_000_010_000_000n, 40_000_000n, 'Unset'],
      ['Cache lookup', 'Server', 'eee19b7ec3c1b176', 'eee19b7ec3c1b174', 1_640_000_000_060_000_000n, 10_000_000n, 'Unset'],
    ])
    expect(rows.map((r) => r.spanAttributes)).toEqual([
      { 'http.method': 'GET', 'http.url': '/users', 'http.status_code': '200' },
      { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM users' },
      { 'cache.hit': 'true' },
    ])
    for (const row of rows) {
      expect(row.traceId).toBe('5b8efff798038103d269b633813fc60c')
      expect(row.serviceName).toBe('test-service')
      expect(row.resourceAttributes).toEqual({ 'service.name': 'test-service', 'host.name': 'test-host' })
      expect(row.scopeName).toBe('test-tracer')
    }
  })

  it('decodes each line of edge-logs_simple.jsonl, ids optional', () => {
    const rows = lines('edge-logs_simple.jsonl').flatMap((line) => rowsOf(decodeLogsJson(line, limits)))
    expect(rows.map((r) => [r.timestampNs, r.severityNumber, r.severityText, r.body, r.traceId, r.spanId])).toEqual([
      [1_640_000_000_000_000_000n, 9, 'INFO', 'Application started', '5b8efff798038103d269b633813fc60c', 'eee19b7ec3c1b174'],
      [1_640_000_010_000_000_000n, 13, 'WARN', 'High memory usage detected', '', ''],
      [1_640_000_020_000_000_000n, 17, 'ERROR', 'Database connection failed', '5b8efff798038103d269b633813fc60c', 'eee19b7ec3c1b175'],
    ])
    expect(rows.map((r) => r.logAttributes)).toEqual([
      { 'event.name': 'startup' },
      { 'memory.used_percent': '85' },
      { 'db.system': 'postgresql', 'error.type': 'ConnectionError' },
    ])
    expect(rows.every((r) => r.serviceName === 'test-service' && r.scopeName === 'test-logger')).toBe(true)
  })

  it('decodes edge-logs_nulls.jsonl: no resource, empty ids, an empty body', () => {
    const rows = lines('edge-logs_nulls.jsonl').flatMap((line) => rowsOf(decodeLogsJson(line, limits)))
    expect(rows.map((r) => [r.serviceName, r.severityNumber, r.severityText, r.body, r.traceId, r.spanId])).toEqual([
      ['', 9, 'INFO', 'minimal log', '', ''],
      ['', 0, '', 'no trace context', '', ''],
      ['', 9, '', '', '', ''],
    ])
  })

  it('rejects the spans of edge-traces_nulls.jsonl for their missing start time, and maps them otherwise', () => {
    for (const [i, line] of lines('edge-traces_nulls.jsonl').entries()) {
      const result = decodeTracesJson(line, limits)
      expect(result).toMatchObject({ ok: true, rows: [], rejected: { count: 1, byReason: { missing_timestamp: 1 } } })
      const [raw] = mapTraceRequestJson(JSON.parse(line)).rows
      expect(raw).toMatchObject({
        traceId: `0000000000000000000000000000000${i + 1}`,
        spanId: `000000000000000${i + 1}`,
        parentSpanId: '',
        spanKind: 'Unspecified',
        serviceName: '',
        scopeName: '',
      })
    }
  })

  it('maps the twenty events and ten links of edge-traces_deep_nesting.jsonl', () => {
    const [span] = mapTraceRequestJson(JSON.parse(read('edge-traces_deep_nesting.jsonl'))).rows
    expect(span?.spanName).toBe('deep_nested_span')
    expect(span?.events).toHaveLength(20)
    expect(span?.events[19]).toMatchObject({ name: 'event_19', timestampNs: 1_640_000_000_000_000_019n })
    expect(Object.keys(span?.events[19]?.attributes ?? {})).toHaveLength(10)
    expect(span?.events[3]?.attributes['event_attr_9']).toBe('val_9')
    expect(span?.links).toHaveLength(10)
    expect(span?.links[9]).toEqual({
      traceId: '00000000000000000000000000000009',
      spanId: '0000000000000009',
      traceState: '',
      attributes: { link_type: 'reference' },
    })
    // No start time: the whole span is rejected, with its events and links.
    expect(decodeTracesJson(read('edge-traces_deep_nesting.jsonl'), limits)).toMatchObject({
      ok: true,
      rows: [],
      rejected: { byReason: { missing_timestamp: 1 } },
    })
  })

  it('maps the fifty resource and fifty span attributes of edge-traces_large_attrs.jsonl', () => {
    const [span] = mapTraceRequestJson(JSON.parse(read('edge-traces_large_attrs.jsonl'))).rows
    expect(Object.keys(span?.resourceAttributes ?? {})).toHaveLength(50)
    expect(span?.resourceAttributes['attr_49']).toBe('value_49')
    expect(Object.keys(span?.spanAttributes ?? {})).toHaveLength(50)
    expect(span?.spanAttributes['attr_50']).toBe('value_50')
    expect(span?.spanAttributes['attr_99']).toBe('value_99')
  })

  it('accepts a timestamp just under the int64 limit only when the future skew allows it (edge-ts_boundary_logs.jsonl)', () => {
    const line = read('edge-ts_boundary_logs.jsonl')
    expect(decodeLogsJson(line, limits)).toMatchObject({ ok: true, rows: [], rejected: { byReason: { timestamp_in_future: 1 } } })
    const [row] = rowsOf(decodeLogsJson(line, { ...limits, maxFutureSkewSeconds: 10_000_000_000 }))
    expect(row?.timestampNs).toBe(9_223_372_036_854_775_000n)
    expect(row?.body).toBe('timestamp just under i64::MAX')
  })

  it('rejects a timestamp past the int64 range with a message naming it (edge-ts_overflow_logs.jsonl)', () => {
    const result = decodeLogsJson(read('edge-ts_overflow_logs.jsonl'), limits)
    expect(result).toMatchObject({ ok: true, rows: [], rejected: { count: 1, byReason: { timestamp_out_of_range: 1 } } })
    expect(result.ok && result.rejected.message).toBe(
      '1 log record rejected (timestamp_out_of_range 1); first: timestamp_out_of_range: log record timestamp 18446744073709551000 ns is past 2262-04-11, the end of DateTime64(9)',
    )
  })

  it('gives decode errors, not throws, for the malformed lines, and rejects the one with bad ids alone', () => {
    const results = read('edge-malformed.jsonl')
      .split('\n')
      .filter((l) => l !== '')
      .map((line) => decodeTracesJson(line, limits))
    expect(results.map((r) => (r.ok ? `ok rows=${r.rows.length} rejected=${r.rejected.count}` : r.reason))).toEqual([
      'ok rows=0 rejected=0', // {"invalid": ...}: an object without resourceSpans is an empty request
      'malformed_json',
      'ok rows=0 rejected=1',
      'malformed_json',
    ])
    expect(results[2]).toMatchObject({ rejected: { byReason: { invalid_trace_id: 1 } } })
  })

  it('treats the empty and whitespace-only files as empty requests', () => {
    for (const name of ['edge-empty.jsonl', 'edge-whitespace.jsonl']) {
      expect(decodeTracesJson(read(name), limits)).toMatchObject({ ok: true, rows: [] })
      expect(decodeLogsJson(Buffer.from(read(name)), limits)).toMatchObject({ ok: true, rows: [] })
    }
  })
})

describe('what the Collector receiver also accepts', () => {
  it('reads snake_case keys, enum names, integers as JSON numbers and nulls as absent', () => {
    const body = JSON.stringify({
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'orders' } }], dropped_attributes_count: null },
          scope_spans: [
            {
              scope: null,
              spans: [
                {
                  trace_id: '0AF7651916CD43DD8448EB211C80319C',
                  span_id: 'B7AD6B7169203331',
                  parent_span_id: null,
                  trace_state: 'a=1',
                  name: 'charge',
                  kind: 'SPAN_KIND_CLIENT',
                  start_time_unix_nano: 1_600_000_000_000_000_000,
                  end_time_unix_nano: '1600000000000000500',
                  attributes: [
                    { key: 'n', value: { int_value: 12 } },
                    { key: 'big', value: { intValue: '9007199254740993' } },
                    { key: 'bytes', value: { bytes_value: '-_8=' } },
                    { key: 'nan', value: { doubleValue: 'NaN' } },
                    {
                      key: 'nested',
                      value: {
                        kvlist_value: {
                          values: [
                            { key: 'x', value: { double_value: 0.1 } },
                            { key: 'n', value: null },
                          ],
                        },
                      },
                    },
                  ],
                  events: [{ time_unix_nano: '1600000000000000100', name: 'e', attributes: null }],
                  links: [{ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: '00f067aa0ba902b7', trace_state: 't=2' }],
                  status: { code: 'STATUS_CODE_ERROR', message: 'declined' },
                  unknown_future_field: { anything: [1, 2] },
                },
              ],
            },
          ],
        },
      ],
    })
    const [span] = rowsOf(decodeTracesJson(body, limits))
    expect(span).toEqual({
      timestampNs: 1_600_000_000_000_000_000n,
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanId: '',
      traceState: 'a=1',
      spanName: 'charge',
      spanKind: 'Client',
      serviceName: 'orders',
      resourceAttributes: { 'service.name': 'orders' },
      scopeName: '',
      scopeVersion: '',
      spanAttributes: { n: '12', big: '9007199254740993', bytes: '+/8=', nan: 'json: unsupported value: NaN', nested: '{"n":null,"x":0.1}' },
      durationNs: 500n,
      statusCode: 'Error',
      statusMessage: 'declined',
      events: [{ timestampNs: 1_600_000_000_000_000_100n, name: 'e', attributes: {} }],
      links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceState: 't=2', attributes: {} }],
    } satisfies SpanRow)
  })

  it('keeps every digit of 64-bit integers sent as JSON numbers past 2^53', () => {
    const body =
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"x",' +
      '"startTimeUnixNano":1699999999000000123,"endTimeUnixNano":1699999999000000999,' +
      '"attributes":[{"key":"big","value":{"intValue":9007199254740993}},{"key":"small","value":{"intValue":42}},{"key":"real","value":{"doubleValue":12345678901234567.5}}]}]}]}]}'
    const result = decodeTracesJson(body, limits)
    if (!result.ok) throw new Error(result.message)
    const [span] = result.rows
    expect(span!.timestampNs).toBe(1_699_999_999_000_000_123n)
    expect(span!.durationNs).toBe(876n)
    expect({ ...span!.spanAttributes }).toEqual({ big: '9007199254740993', small: '42', real: '12345678901234568' })
  })

  it('reads severityNumber by name and flags as a number', () => {
    const body = JSON.stringify({
      resourceLogs: [
        { scopeLogs: [{ logRecords: [{ timeUnixNano: '1600000000000000000', severityNumber: 'SEVERITY_NUMBER_WARN3', flags: 257, body: { intValue: 5 } }] }] },
      ],
    })
    const [log] = rowsOf(decodeLogsJson(body, limits))
    expect(log).toMatchObject({ severityNumber: 15, traceFlags: 1, body: '5' } satisfies Partial<LogRow>)
  })
})

describe('bad OTLP/JSON', () => {
  it('refuses a top level that is not an object', () => {
    expect(decodeTracesJson('[]', limits)).toEqual({ ok: false, reason: 'invalid_otlp_json', message: 'an OTLP/JSON request is an object, got an array' })
    expect(decodeLogsJson('"text"', limits)).toEqual({ ok: false, reason: 'invalid_otlp_json', message: 'an OTLP/JSON request is an object, got a string' })
  })

  it('refuses malformed JSON and invalid UTF-8 bytes', () => {
    expect(decodeTracesJson('{"resourceSpans": [', limits)).toMatchObject({ ok: false, reason: 'malformed_json' })
    expect(decodeTracesJson(Uint8Array.from([0x7b, 0xff, 0x7d]), limits)).toMatchObject({ ok: false, reason: 'invalid_utf8' })
  })

  it('refuses a field of the wrong type, naming its path', () => {
    const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 7 }] }] }] })
    expect(decodeTracesJson(body, limits)).toEqual({
      ok: false,
      reason: 'invalid_otlp_json',
      message: 'resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got a number',
    })
    const badTime = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{}, { timeUnixNano: '12abc' }] }] }] })
    expect(decodeLogsJson(badTime, limits)).toEqual({
      ok: false,
      reason: 'invalid_otlp_json',
      message: 'resourceLogs[0].scopeLogs[0].logRecords[1].timeUnixNano: expected an unsigned integer (a decimal string or number), got "12abc"',
    })
    const badEnum = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ kind: 'SPAN_KIND_SIDEWAYS' }] }] }] })
    expect(decodeTracesJson(badEnum, limits)).toMatchObject({ ok: false, reason: 'invalid_otlp_json', message: expect.stringContaining('spans[0].kind') })
    const badValue = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'k', value: { intValue: '1.5' } }] } }] })
    expect(decodeTracesJson(badValue, limits)).toMatchObject({
      message: 'resourceSpans[0].resource.attributes[0].value.intValue: expected a 64-bit integer, got "1.5"',
    })
  })

  it('rejects only the record whose ids are not hex of the right length', () => {
    const span = (traceId: string, spanId: string, name: string) => ({ traceId, spanId, name, startTimeUnixNano: '1600000000000000000' })
    const body = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                span('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 'good'),
                span('0af7651916cd43dd8448eb211c80319', 'b7ad6b7169203331', 'short trace id'),
                span('0af7651916cd43dd8448eb211c80319z', 'b7ad6b7169203331', 'not hex'),
                span('0af7651916cd43dd8448eb211c80319c', 'b7ad6b716920333', 'short span id'),
              ],
            },
          ],
        },
      ],
    })
    const result = decodeTracesJson(body, limits)
    expect(rowsOf(result).map((r) => r.spanName)).toEqual(['good'])
    expect(result).toMatchObject({ rejected: { count: 3, byReason: { invalid_trace_id: 2, invalid_span_id: 1 } } })
  })
})
