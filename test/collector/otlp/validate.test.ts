// Record-level validation over decoded rows: bad ids and unusable timestamps reject one
// record each, counted by reason; too many attributes and over-long values are cut and
// counted; the good records of the same request always come through unchanged.
import { describe, expect, it } from 'vitest'
import { validateLogs, validateSpans } from '../../../collector/otlp/index.ts'
import type { LogRow, SpanRow } from '../../../store/rows.ts'

const NOW = 1_700_000_000_000_000_000n
const limits = { maxAttributesPerRecord: 3, maxAttributeValueBytes: 8, maxFutureSkewSeconds: 60, nowNs: NOW }

const resource = { 'service.name': 'svc' }
const span = (over: Partial<SpanRow> = {}): SpanRow => ({
  timestampNs: NOW - 1_000n,
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  parentSpanId: '',
  traceState: '',
  spanName: 'op',
  spanKind: 'Internal',
  serviceName: 'svc',
  resourceAttributes: resource,
  scopeName: '',
  scopeVersion: '',
  spanAttributes: {},
  durationNs: 1n,
  statusCode: 'Unset',
  statusMessage: '',
  events: [],
  links: [],
  ...over,
})
const log = (over: Partial<LogRow> = {}): LogRow => ({
  timestampNs: NOW,
  traceId: '',
  spanId: '',
  traceFlags: 0,
  severityText: '',
  severityNumber: 9,
  serviceName: '',
  body: 'short',
  resourceSchemaUrl: '',
  resourceAttributes: {},
  scopeSchemaUrl: '',
  scopeName: '',
  scopeVersion: '',
  scopeAttributes: {},
  logAttributes: {},
  eventName: '',
  ...over,
})

describe('span validation', () => {
  it('rejects bad ids and unusable timestamps one span at a time, keeping the good ones', () => {
    const good = span({ spanName: 'good' })
    const result = validateSpans(
      [
        span({ traceId: '0af7651916cd43dd8448eb211c8031' }), // 15 bytes
        good,
        span({ spanId: '' }),
        span({ parentSpanId: 'b7ad6b71692033' }), // 7 bytes
        span({ timestampNs: 0n }),
        span({ timestampNs: NOW + 61_000_000_000n }),
        span({ timestampNs: 2n ** 63n }),
        span({ events: [{ timestampNs: 2n ** 64n - 1n, name: 'late', attributes: {} }] }),
        span({ parentSpanId: '00f067aa0ba902b7', timestampNs: NOW + 60_000_000_000n, spanName: 'at the skew limit' }),
      ],
      limits,
    )
    expect(result.rows.map((r) => r.spanName)).toEqual(['good', 'at the skew limit'])
    expect(result.rows[0]).toBe(good)
    expect(result.rejected.count).toBe(7)
    expect(result.rejected.byReason).toEqual({
      invalid_trace_id: 1,
      invalid_span_id: 1,
      invalid_parent_span_id: 1,
      missing_timestamp: 1,
      timestamp_in_future: 1,
      timestamp_out_of_range: 2,
    })
    expect(result.rejected.examples).toEqual([
      'invalid_trace_id: span "op" trace id "0af7651916cd43dd8448eb211c8031" is not 16 bytes of hex',
      'invalid_span_id: span "op" span id "" is not 8 bytes of hex',
      'invalid_parent_span_id: span "op" parent span id "b7ad6b71692033" is neither empty nor 8 bytes of hex',
    ])
    expect(result.rejected.message).toMatch(
      /^7 spans rejected \(invalid_trace_id 1, invalid_span_id 1, invalid_parent_span_id 1, missing_timestamp 1, timestamp_in_future 1, timestamp_out_of_range 2\); first: invalid_trace_id: /,
    )
  })

  it('keeps the first attributes of a record over the limit and counts the rest', () => {
    const result = validateSpans([span({ spanAttributes: { a: '1', b: '2', c: '3', d: '4', e: '5' } })], limits)
    expect(result.rows[0]?.spanAttributes).toEqual({ a: '1', b: '2', c: '3' })
    expect(result.droppedAttributes).toBe(2)
  })

  it('cuts long values at a UTF-8 boundary and counts them, in spans, events, links and the shared resource once', () => {
    const sharedResource = { 'service.name': 'a-very-long-service' }
    const result = validateSpans(
      [
        span({
          resourceAttributes: sharedResource,
          spanAttributes: { euro: 'ab€€€' },
          events: [{ timestampNs: NOW, name: 'e', attributes: { k: '123456789' } }],
        }),
        span({ resourceAttributes: sharedResource, links: [{ traceId: '', spanId: '', traceState: '', attributes: { k: 'ok' } }] }),
      ],
      limits,
    )
    // 'ab€€€' is 2 + 3*3 = 11 bytes: 8 bytes would split the third euro sign, so 'ab€€' (8 bytes) it is.
    expect(result.rows[0]?.spanAttributes).toEqual({ euro: 'ab€€' })
    expect(result.rows[0]?.events[0]?.attributes).toEqual({ k: '12345678' })
    expect(result.rows[0]?.resourceAttributes).toEqual({ 'service.name': 'a-very-l' })
    expect(result.rows[1]?.resourceAttributes).toBe(result.rows[0]?.resourceAttributes)
    expect(result.rows[1]?.links[0]?.attributes).toEqual({ k: 'ok' })
    expect(result.truncatedValues).toBe(3)
    // The input rows are left as they were.
    expect(sharedResource['service.name']).toBe('a-very-long-service')
  })

  it("takes the decoder's bounds as a shortcut only when they are within the limits", () => {
    const row = span({ spanAttributes: { a: '123456789' } })
    expect(validateSpans([row], limits, { longestValueChars: 9, mostAttributes: 1 }).truncatedValues).toBe(1)
    expect(validateSpans([span()], limits, { longestValueChars: 2, mostAttributes: 1 }).rows[0]).toEqual(span())
  })
})

describe('log validation', () => {
  it('allows empty ids but rejects malformed ones, and applies the observed-time result as given', () => {
    const result = validateLogs(
      [
        log({ body: 'no ids' }),
        log({ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', body: 'both ids' }),
        log({ traceId: 'abc' }),
        log({ spanId: 'eee19b7ec3c1b17' }),
        log({ timestampNs: 0n }),
      ],
      limits,
    )
    expect(result.rows.map((r) => r.body)).toEqual(['no ids', 'both ids'])
    expect(result.rejected.byReason).toEqual({ invalid_trace_id: 1, invalid_span_id: 1, missing_timestamp: 1 })
    expect(result.rejected.message.startsWith('3 log records rejected')).toBe(true)
  })

  it('cuts a long body and counts it, with too many log attributes', () => {
    const result = validateLogs([log({ body: 'ümlaut-body', logAttributes: { a: '', b: '', c: '', d: '' } })], limits)
    // 'ü' is 2 bytes: the first 8 bytes are 'ümlaut-'.
    expect(result.rows[0]?.body).toBe('ümlaut-')
    expect(result.rows[0]?.logAttributes).toEqual({ a: '', b: '', c: '' })
    expect(result.truncatedValues).toBe(1)
    expect(result.droppedAttributes).toBe(1)
  })

  it('keeps __proto__ an ordinary attribute key when a map is rebuilt', () => {
    const attributes: Record<string, string> = {}
    Object.defineProperty(attributes, '__proto__', { value: '123456789', enumerable: true, writable: true, configurable: true })
    const [row] = validateLogs([log({ logAttributes: attributes })], limits).rows
    expect(Object.keys(row?.logAttributes ?? {})).toEqual(['__proto__'])
    expect(JSON.stringify(row?.logAttributes)).toBe('{"__proto__":"12345678"}')
  })
})
