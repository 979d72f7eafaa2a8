// POST /v1/events (docs/events-api.md): business events from systems without an OpenTelemetry
// SDK are stored as otel_logs rows (EventName 'business.event') carrying the attributes of
// core/semconv.ts, so the MATERIALIZED integration columns fill as for SDK-emitted records.
// Invalid events are listed by index and field; the valid ones of the same batch are stored.
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows } from '../../store/index.ts'
import { startCollector, type RunningCollector } from '../support/running-collector.ts'

let running: RunningCollector
beforeAll(async () => {
  // Retention 0 keeps rows forever: the fixed business times below must not meet the TTL.
  running = await startCollector({ retention: { tracesDays: 0, logsDays: 0 }, spool: { segmentMaxAgeMs: 50 } })
})
afterAll(async () => {
  await running.close()
})

const JSON_TYPE = 'application/json'

async function postEvents(body: unknown, headers: Record<string, string> = { 'content-type': JSON_TYPE }): Promise<Response> {
  const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)
  return fetch(`${running.url}/v1/events`, { method: 'POST', headers, body: payload })
}

/** A valid event of `process`, with the fields a test does not care about filled in. */
function event(process: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { process, milestone: 'sales_order.created', system: 'ERP', keys: { order_id: 'O-1' }, time: '2026-11-29T01:00:00Z', ...fields }
}

interface EventsAnswer {
  accepted: number
  rejected: Array<{ index: number; field: string; message: string }>
}

interface ErrorAnswer {
  code: string
  message: string
  rejected?: Array<{ index: number; field: string; message: string }>
}

async function countWhere(where: string, params: Record<string, unknown>): Promise<number> {
  const [row] = await queryRows<{ n: string }>(running.store, `SELECT count() AS n FROM otel_logs WHERE ${where}`, params, { tag: 'test.count-events' })
  return Number(row?.n ?? 0)
}

/** Waits until the spool is drained and returns the rows of `process`: a final, not a partial count. */
async function storedCount(process: string, expectedAtLeast: number): Promise<number> {
  const where = "LogAttributes['business.process'] = {process:String}"
  const deadline = Date.now() + 20_000
  for (;;) {
    await running.collector.pipeline.flush()
    const n = await countWhere(where, { process })
    const drained = running.collector.pipeline.spooledBytes === 0
    if ((n >= expectedAtLeast && drained) || Date.now() > deadline) return countWhere(where, { process })
    await new Promise((r) => setTimeout(r, 50))
  }
}

interface StoredEvent {
  EventName: string
  ServiceName: string
  Body: string
  SeverityText: string
  SeverityNumber: number
  Ts: string
  TraceId: string
  SpanId: string
  ResourceAttributes: Record<string, string>
  ScopeName: string
  ScopeVersion: string
  LogAttributes: Record<string, string>
  Milestone: string
  BusinessProcess: string
  BusinessKeys: string[]
  Integration: string
  Tenant: string
  SourceSystem: string
  TargetSystem: string
  BusinessObject: string
  BusinessSystem: string
  OperationId: string
  Attempt: number
}

/** The rows of `process`, oldest first. */
async function storedEvents(process: string, expected: number): Promise<StoredEvent[]> {
  expect(await storedCount(process, expected)).toBe(expected)
  return queryRows<StoredEvent>(
    running.store,
    `SELECT EventName, ServiceName, Body, SeverityText, SeverityNumber, toString(Timestamp, 'UTC') AS Ts, TraceId, SpanId,
            ResourceAttributes, ScopeName, ScopeVersion, LogAttributes, Milestone, BusinessProcess, BusinessKeys,
            Integration, Tenant, SourceSystem, TargetSystem, BusinessObject, BusinessSystem, OperationId, Attempt
     FROM otel_logs WHERE LogAttributes['business.process'] = {process:String}
     ORDER BY Timestamp, Body`,
    { process },
    { tag: 'test.events' },
  )
}

describe('a valid event', () => {
  it('is stored as a business.event log row with the semantic-convention attributes and the integration columns filled', async () => {
    const res = await postEvents({
      events: [
        {
          event_id: 'evt-full-1',
          process: 'full_fields',
          process_version: '2026.1',
          milestone: 'sales_order.created',
          system: 'ERP',
          keys: { so_number: 'SO-9', order_id: 'O-1' },
          time: '2026-11-29T10:00:00.123456789+08:00',
          status: 'ok',
          message: 'Sales order SO-9 created for O-1',
          object: 'sales_order',
          tenant: 'acme',
          integration: 'crm-to-erp-orders',
          source_system: 'CRM',
          target_system: 'ERP',
          operation_id: 'op-77',
          attempt: 2,
          value: 1250.5,
          currency: 'CNY',
          trace_id: 'ABCDEF0123456789ABCDEF0123456789',
          span_id: '0123456789ABCDEF',
          attributes: { customer_tier: 'gold', lines: 3, rush: true },
        },
      ],
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] } satisfies EventsAnswer)
    const [row] = await storedEvents('full_fields', 1)
    expect(row).toEqual({
      EventName: 'business.event',
      ServiceName: 'ERP',
      Body: 'Sales order SO-9 created for O-1',
      SeverityText: 'INFO',
      SeverityNumber: 9,
      Ts: '2026-11-29 02:00:00.123456789',
      TraceId: 'abcdef0123456789abcdef0123456789',
      SpanId: '0123456789abcdef',
      ResourceAttributes: { 'service.name': 'ERP' },
      ScopeName: 'throughline.events',
      ScopeVersion: '1',
      LogAttributes: {
        customer_tier: 'gold',
        lines: '3',
        rush: 'true',
        'business.event.id': 'evt-full-1',
        'business.process': 'full_fields',
        'business.process.version': '2026.1',
        'business.milestone': 'sales_order.created',
        'business.status': 'ok',
        'business.system': 'ERP',
        'business.object': 'sales_order',
        'business.value': '1250.5',
        'business.currency': 'CNY',
        'business.key.so_number': 'SO-9',
        'business.key.order_id': 'O-1',
        'tenant.id': 'acme',
        'integration.name': 'crm-to-erp-orders',
        'integration.source.system': 'CRM',
        'integration.target.system': 'ERP',
        'integration.operation.id': 'op-77',
        'integration.operation.attempt': '2',
      },
      Milestone: 'sales_order.created',
      BusinessProcess: 'full_fields',
      BusinessKeys: ['order_id=O-1', 'so_number=SO-9'],
      Integration: 'crm-to-erp-orders',
      Tenant: 'acme',
      SourceSystem: 'CRM',
      TargetSystem: 'ERP',
      BusinessObject: 'sales_order',
      BusinessSystem: 'ERP',
      OperationId: 'op-77',
      Attempt: 2,
    } satisfies StoredEvent)
  })

  it('with status error is stored with SeverityText ERROR and, without a message, the milestone as Body', async () => {
    const res = await postEvents({ events: [event('error_status', { milestone: 'invoice.post_failed', system: 'FIN', status: 'error' })] })
    expect(res.status).toBe(200)
    const [row] = await storedEvents('error_status', 1)
    expect(row).toMatchObject({
      ServiceName: 'FIN',
      Body: 'invoice.post_failed',
      SeverityText: 'ERROR',
      SeverityNumber: 17,
      TraceId: '',
      SpanId: '',
      Milestone: 'invoice.post_failed',
      BusinessSystem: 'FIN',
      BusinessKeys: ['order_id=O-1'],
      Integration: '',
      Tenant: '',
      Attempt: 0,
    })
    expect(row?.LogAttributes['business.status']).toBe('error')
  })

  it('has its RFC 3339 time converted to UTC with every digit of the fraction kept', async () => {
    const times: Array<[string, string]> = [
      ['2026-11-29T10:00:00.123456789+08:00', 'nine digits, +08:00'],
      ['2026-11-28T21:30:00.5-05:00', 'one digit, -05:00'],
      ['2026-11-28T23:59:59Z', 'no fraction, Z'],
      ['2026-11-28t23:59:58.000001z', 'lower-case t and z'],
    ]
    const res = await postEvents(times.map(([time, message]) => event('rfc3339_times', { time, message })))
    expect(await res.json()).toEqual({ accepted: 4, rejected: [] } satisfies EventsAnswer)
    const rows = await storedEvents('rfc3339_times', 4)
    expect(rows.map((r) => [r.Ts, r.Body])).toEqual([
      ['2026-11-28 23:59:58.000001000', 'lower-case t and z'],
      ['2026-11-28 23:59:59.000000000', 'no fraction, Z'],
      ['2026-11-29 02:00:00.123456789', 'nine digits, +08:00'],
      ['2026-11-29 02:30:00.500000000', 'one digit, -05:00'],
    ])
  })

  it('keeps every digit of a unix-nanosecond time sent as a JSON number past 2^53', async () => {
    // JSON.stringify cannot write this number from JavaScript, so the body is written by hand.
    const body = `[${JSON.stringify(event('unix_ns_exact', { message: 'exact' })).replace('"time":"2026-11-29T01:00:00Z"', '"time":1795914000000000001')}]`
    expect(body).toContain('"time":1795914000000000001')
    const res = await postEvents(body)
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] } satisfies EventsAnswer)
    const rows = await storedEvents('unix_ns_exact', 1)
    expect(rows.map((r) => r.Ts)).toEqual(['2026-11-29 01:00:00.000000001'])
  })

  it('may give its time as unix nanoseconds, as a digit string or a JSON number', async () => {
    const res = await postEvents([
      // 1795917600 s = 2026-11-29 02:00:00 UTC
      event('unix_ns_times', { time: '1795917600123456789', message: 'digit string' }),
      // 1795914000 s = 2026-11-29 01:00:00 UTC; exactly representable as a double
      event('unix_ns_times', { time: 1795914000000000000, message: 'number' }),
    ])
    expect(await res.json()).toEqual({ accepted: 2, rejected: [] } satisfies EventsAnswer)
    const rows = await storedEvents('unix_ns_times', 2)
    expect(rows.map((r) => [r.Ts, r.Body])).toEqual([
      ['2026-11-29 01:00:00.000000000', 'number'],
      ['2026-11-29 02:00:00.123456789', 'digit string'],
    ])
  })

  it('without a time is stamped with the time it was received', async () => {
    const before = Date.now()
    const res = await postEvents(event('received_time', { time: undefined }))
    expect(res.status).toBe(200)
    const after = Date.now()
    expect(await storedCount('received_time', 1)).toBe(1)
    const [row] = await queryRows<{ Ms: string }>(
      running.store,
      "SELECT toString(toUnixTimestamp64Milli(Timestamp)) AS Ms FROM otel_logs WHERE LogAttributes['business.process'] = 'received_time'",
      {},
      { tag: 'test.received-time' },
    )
    const ms = Number(row?.Ms)
    expect(ms).toBeGreaterThanOrEqual(before)
    expect(ms).toBeLessThanOrEqual(after)
  })
})

describe('free-form attributes', () => {
  it('are stored whatever their name, __proto__ and toString included', async () => {
    // A computed key makes __proto__ an own property, as JSON.parse does on the server.
    const attributes = { ['__proto__']: 'proto value', toString: 'to-string value', region: 'EMEA', weight: 0.5, gift: false }
    const res = await postEvents(event('odd_attribute_names', { attributes }))
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] } satisfies EventsAnswer)
    const [row] = await storedEvents('odd_attribute_names', 1)
    const stored = Object.entries(row?.LogAttributes ?? {})
    for (const entry of [
      ['__proto__', 'proto value'],
      ['toString', 'to-string value'],
      ['region', 'EMEA'],
      ['weight', '0.5'],
      ['gift', 'false'],
    ]) {
      expect(stored).toContainEqual(entry)
    }
  })
})

describe('the collector limits (defaults: 128 attributes, 8 KiB values)', () => {
  it('keep the first 128 attributes, ours before the free-form ones, and count the dropped rest', async () => {
    // 128 free-form attributes (a000..a127) after our 6 (event id, process, milestone, status,
    // system, one key): 134 in all, so the last 6 free-form ones (a122..a127) are dropped.
    const attributes = Object.fromEntries(Array.from({ length: 128 }, (_, i) => [`a${String(i).padStart(3, '0')}`, `v${i}`]))
    const res = await postEvents(event('many_attributes', { attributes }))
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] } satisfies EventsAnswer)
    const [row] = await storedEvents('many_attributes', 1)
    const names = Object.keys(row?.LogAttributes ?? {})
    expect(names).toHaveLength(128)
    for (const ours of ['business.event.id', 'business.process', 'business.milestone', 'business.status', 'business.system', 'business.key.order_id']) {
      expect(names).toContain(ours)
    }
    expect(row?.LogAttributes['a121']).toBe('v121')
    expect(names).not.toContain('a122')
    expect(names).not.toContain('a127')
    expect(row?.BusinessKeys).toEqual(['order_id=O-1'])
  })

  it('truncate a message and an attribute value over 8 KiB at a UTF-8 boundary', async () => {
    // 8192 x '€' (3 bytes) = 24576 bytes: byte 8192 is inside the 2731st '€', so 2730 remain.
    // 5000 x 'ü' (2 bytes) = 10000 bytes: 8192 bytes end exactly after the 4096th 'ü'.
    const res = await postEvents(event('long_values', { message: '€'.repeat(8192), attributes: { note: 'ü'.repeat(5000) } }))
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] } satisfies EventsAnswer)
    const [row] = await storedEvents('long_values', 1)
    expect(row?.Body).toBe('€'.repeat(2730))
    expect(Buffer.byteLength(row?.Body ?? '', 'utf8')).toBe(8190)
    expect(row?.LogAttributes['note']).toBe('ü'.repeat(4096))
  })

  it('are counted under signal="events" on /metrics', async () => {
    const text = await (await fetch(`${running.url}/metrics`)).text()
    expect(text).toContain('throughline_collector_dropped_attributes_total{signal="events"} 6\n')
    expect(text).toContain('throughline_collector_truncated_values_total{signal="events"} 2\n')
  })
})

describe('the derived business.event.id', () => {
  it('is the same when the same event is posted twice without event_id, and differs for another time', async () => {
    const same = event('derived_ids', { keys: { so_number: 'SO-9', order_id: 'O-1' }, time: '2026-11-29T01:00:00Z' })
    // Key order must not matter: the id hashes the keys sorted.
    const sameKeysReordered = event('derived_ids', { keys: { order_id: 'O-1', so_number: 'SO-9' }, time: '2026-11-29T01:00:00Z' })
    const later = event('derived_ids', { keys: { so_number: 'SO-9', order_id: 'O-1' }, time: '2026-11-29T01:00:01Z' })
    for (const body of [same, sameKeysReordered, later]) expect((await postEvents(body)).status).toBe(200)
    const rows = await storedEvents('derived_ids', 3)
    const ids = rows.map((r) => r.LogAttributes['business.event.id'] ?? '')
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/)
    // Rows come oldest first: the two posts of 01:00:00, then 01:00:01.
    expect(ids[0]).toBe(ids[1])
    expect(ids[2]).not.toBe(ids[0])
  })
})

describe('a mixed batch', () => {
  it('is accepted (200) for its valid events and lists each invalid one with the field at fault', async () => {
    const res = await postEvents({
      events: [
        event('mixed_batch', { message: 'valid 0' }),
        { process: 'mixed_batch', system: 'ERP', keys: { order_id: 'O-1' } },
        event('mixed_batch', { message: 'valid 2' }),
        event('mixed_batch', { keys: { 'Order-Id': 'O-1' } }),
        event('mixed_batch', { status: 'done' }),
        event('mixed_batch', { colour: 'red' }),
        event('mixed_batch', { time: '2026-11-29T10:00:00' }),
        event('mixed_batch', { time: '2100-01-01T00:00:00Z' }),
        event('mixed_batch', { currency: 'eur' }),
        event('mixed_batch', { time: '2026-02-30T00:00:00Z' }),
        event('mixed_batch', { message: 'valid 10', currency: 'EUR', value: 99.9 }),
      ],
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      accepted: 3,
      rejected: [
        { index: 1, field: 'milestone', message: 'is required' },
        { index: 3, field: 'keys.Order-Id', message: 'is not a valid key type: must match ^[a-z][a-z0-9_]{0,63}$' },
        { index: 4, field: 'status', message: 'must be one of ok, error, retry, cancelled, paused, resumed' },
        { index: 5, field: 'colour', message: 'is not a field of a business event (unknown fields are refused)' },
        { index: 6, field: 'time', message: 'must be RFC 3339 with an offset (2026-11-29T10:00:00.123Z) or unix nanoseconds' },
        { index: 7, field: 'time', message: 'is more than 86400 s in the future' },
        { index: 8, field: 'currency', message: 'must match pattern "^[A-Z]{3}$"' },
        { index: 9, field: 'time', message: 'is not a valid date' },
      ],
    } satisfies EventsAnswer)
    const rows = await storedEvents('mixed_batch', 3)
    expect(rows.map((r) => r.Body).sort()).toEqual(['valid 0', 'valid 10', 'valid 2'])
  })

  it('names the field of other invalid values too', async () => {
    const res = await postEvents([
      event('more_invalid', { keys: {} }),
      event('more_invalid', { keys: { order_id: 5 } }),
      event('more_invalid', { keys: { [`k${'x'.repeat(64)}`]: 'too long a key type' } }),
      event('more_invalid', { attempt: 0 }),
      event('more_invalid', { trace_id: 'xyz' }),
      event('more_invalid', { attributes: { nested: { a: 1 } } }),
      event('more_invalid', { process: '' }),
      event('more_invalid', { time: 1.5 }),
      null,
      event('more_invalid', { attributes: { 'business.key.invoice_no': 'INV-1' } }),
      event('more_invalid', { message: 'the only valid one' }),
    ])
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      accepted: 1,
      rejected: [
        { index: 0, field: 'keys', message: 'must not have fewer than 1 properties' },
        { index: 1, field: 'keys.order_id', message: 'must be string' },
        {
          index: 2,
          field: 'keys.kxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
          message: 'is not a valid key type: must match ^[a-z][a-z0-9_]{0,63}$',
        },
        { index: 3, field: 'attempt', message: 'must be >= 1' },
        { index: 4, field: 'trace_id', message: 'must match pattern "^[0-9a-fA-F]{32}$"' },
        { index: 5, field: 'attributes.nested', message: 'must be string' },
        { index: 6, field: 'process', message: 'must not have fewer than 1 characters' },
        { index: 7, field: 'time', message: 'must be RFC 3339 with an offset (2026-11-29T10:00:00.123Z) or unix nanoseconds' },
        { index: 8, field: '(event)', message: 'must be object' },
        {
          index: 9,
          field: 'attributes.business.key.invoice_no',
          message:
            'is not a valid attribute name: must be 1 to 256 characters, outside the business., integration., sync. and tenant. namespaces (use the named fields)',
        },
      ],
    } satisfies EventsAnswer)
    expect(await storedCount('more_invalid', 1)).toBe(1)
  })
})

describe('a batch with nothing valid', () => {
  it('is refused with 400 TL_INVALID_EVENT listing every rejected event', async () => {
    const res = await postEvents({
      events: [{ process: 'nothing_valid', system: 'ERP', keys: { order_id: 'O-1' } }, event('nothing_valid', { keys: { 'Order-Id': 'O-1' } })],
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({
      code: 'TL_INVALID_EVENT',
      message: 'no valid event: events[0].milestone: is required; events[1].keys.Order-Id: is not a valid key type: must match ^[a-z][a-z0-9_]{0,63}$',
      rejected: [
        { index: 0, field: 'milestone', message: 'is required' },
        { index: 1, field: 'keys.Order-Id', message: 'is not a valid key type: must match ^[a-z][a-z0-9_]{0,63}$' },
      ],
    } satisfies ErrorAnswer)
    expect(await storedCount('nothing_valid', 0)).toBe(0)
  })

  it('is refused the same way when the body is one invalid event object', async () => {
    const res = await postEvents({ process: 'single_invalid', system: 'ERP', keys: { order_id: 'O-1' } })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      code: 'TL_INVALID_EVENT',
      message: 'no valid event: events[0].milestone: is required',
      rejected: [{ index: 0, field: 'milestone', message: 'is required' }],
    } satisfies ErrorAnswer)
  })

  it('is refused with 400 TL_INVALID_EVENT when the events list is empty or not a list', async () => {
    const empty = await postEvents({ events: [] })
    expect(empty.status).toBe(400)
    expect(await empty.json()).toEqual({ code: 'TL_INVALID_EVENT', message: 'events: must contain at least one event' } satisfies ErrorAnswer)
    const notList = await postEvents({ events: 'none' })
    expect(notList.status).toBe(400)
    expect(await notList.json()).toEqual({
      code: 'TL_INVALID_EVENT',
      message: 'body must be {"events": [...]}, an array of events, or one event object',
    } satisfies ErrorAnswer)
  })
})

describe('request-level refusals', () => {
  it('refuses a body that is not JSON with 400 TL_MALFORMED_PAYLOAD', async () => {
    const res = await postEvents('{"events": [ {"process": ')
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ code: 'TL_MALFORMED_PAYLOAD', message: expect.stringMatching(/^body is not valid UTF-8 JSON: /) })
  })

  it('refuses invalid UTF-8 with 400 TL_MALFORMED_PAYLOAD', async () => {
    const bytes = Buffer.from(JSON.stringify(event('bad_utf8', { message: 'caf-X' })))
    bytes[bytes.indexOf('-X') + 1] = 0xff
    const res = await postEvents(bytes)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ code: 'TL_MALFORMED_PAYLOAD', message: expect.stringMatching(/^body is not valid UTF-8 JSON: /) })
  })

  it('refuses text/plain, a missing Content-Type and protobuf with 415 TL_UNSUPPORTED_MEDIA_TYPE', async () => {
    const body = JSON.stringify(event('wrong_type'))
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'content-type': 'text/plain' }, 'Content-Type "text/plain" is not supported; /v1/events takes application/json'],
      [{}, 'Content-Type (missing) is not supported; /v1/events takes application/json'],
      [{ 'content-type': 'application/x-protobuf' }, 'Content-Type "application/x-protobuf" is not supported; /v1/events takes application/json'],
    ]
    for (const [headers, message] of cases) {
      // A Uint8Array body, so fetch adds no Content-Type of its own.
      const res = await postEvents(Buffer.from(body), headers)
      expect(res.status).toBe(415)
      expect(await res.json()).toEqual({ code: 'TL_UNSUPPORTED_MEDIA_TYPE', message } satisfies ErrorAnswer)
    }
    expect(await storedCount('wrong_type', 0)).toBe(0)
  })

  it('accepts application/json with a charset parameter', async () => {
    const res = await postEvents(event('charset'), { 'content-type': 'application/json; charset=utf-8' })
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] } satisfies EventsAnswer)
  })

  it('refuses more than 10,000 events with 413 TL_PAYLOAD_TOO_LARGE and stores none of them', async () => {
    const events = Array.from({ length: 10_001 }, (_, i) => event('too_many', { keys: { order_id: `O-${i}` } }))
    const res = await postEvents({ events })
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({ code: 'TL_PAYLOAD_TOO_LARGE', message: 'events: at most 10000 events per request' } satisfies ErrorAnswer)
    expect(await storedCount('too_many', 0)).toBe(0)
  })

  it('accepts exactly 10,000 events', async () => {
    const events = Array.from({ length: 10_000 }, (_, i) => event('ten_thousand', { keys: { order_id: `O-${i}` } }))
    const res = await postEvents({ events })
    expect(await res.json()).toEqual({ accepted: 10_000, rejected: [] } satisfies EventsAnswer)
    expect(await storedCount('ten_thousand', 10_000)).toBe(10_000)
  })
})

describe('body forms', () => {
  it('accepts a bare array of events', async () => {
    const res = await postEvents([event('bare_array', { message: 'a' }), event('bare_array', { message: 'b' })])
    expect(await res.json()).toEqual({ accepted: 2, rejected: [] } satisfies EventsAnswer)
    expect(await storedCount('bare_array', 2)).toBe(2)
  })

  it('accepts one event object as the whole body', async () => {
    const res = await postEvents(event('single_object'))
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] } satisfies EventsAnswer)
    expect(await storedCount('single_object', 1)).toBe(1)
  })

  it('accepts a gzip-compressed body', async () => {
    const body = gzipSync(Buffer.from(JSON.stringify({ events: [event('gzip_body', { message: 'a' }), event('gzip_body', { message: 'b' })] })))
    const res = await postEvents(body, { 'content-type': JSON_TYPE, 'content-encoding': 'gzip' })
    expect(await res.json()).toEqual({ accepted: 2, rejected: [] } satisfies EventsAnswer)
    expect(await storedCount('gzip_body', 2)).toBe(2)
  })

  it('refuses a gzip body that does not decompress with 400 TL_BAD_CONTENT_ENCODING', async () => {
    const res = await postEvents(Buffer.from('not gzip at all'), { 'content-type': JSON_TYPE, 'content-encoding': 'gzip' })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ code: 'TL_BAD_CONTENT_ENCODING', message: expect.stringMatching(/^body is not valid gzip: /) })
  })
})

describe('metrics', () => {
  it('counts received events and rejected ones under signal="events"', async () => {
    const text = await (await fetch(`${running.url}/metrics`)).text()
    // Rejected above: 8 (mixed batch) + 10 (more invalid) + 2 (nothing valid) + 1 (single invalid).
    expect(text).toContain('throughline_collector_rejected_records_total{signal="events",reason="invalid_event"} 21\n')
  })
})
