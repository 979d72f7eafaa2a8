// recordBusinessEvent through the real logs SDK (a log record named business.event, the
// same row shape an event posted to /v1/events becomes) and onto a span; bad input throws
// a TypeError that names the field.

import { SeverityNumber, type Logger } from '@opentelemetry/api'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { businessKeys, recordBusinessEvent, startIntegrationSpan, type BusinessEvent } from '../../sdk/index.ts'
import { installContextManager, makeLogs, makeService } from './otel-harness.ts'

const logs = makeLogs()
const erp = makeService('erp-adapter')
beforeAll(installContextManager)
beforeEach(() => erp.exporter.reset())
afterAll(async () => {
  await logs.shutdown()
  await erp.shutdown()
})

const created: BusinessEvent = {
  process: 'lead_to_cash',
  milestone: 'sales_order.created',
  keys: { order_id: 'O-1001', so_number: '4500017' },
  system: 'ERP',
  eventId: 'erp-so-4500017-created',
  time: new Date('2026-03-02T09:15:00.000Z'),
  value: 1250.5,
  currency: 'EUR',
  attributes: { customer_tier: 'gold' },
}

const createdAttributes = {
  'business.process': 'lead_to_cash',
  'business.milestone': 'sales_order.created',
  'business.key.order_id': 'O-1001',
  'business.key.so_number': '4500017',
  'business.system': 'ERP',
  'business.status': 'ok',
  'business.event.id': 'erp-so-4500017-created',
  'business.value': 1250.5,
  'business.currency': 'EUR',
  customer_tier: 'gold',
}

describe('recordBusinessEvent', () => {
  it('emits a log record with eventName business.event, the attributes, and the business time as its timestamp', () => {
    const eventId = recordBusinessEvent(logs.logger, created)
    expect(eventId).toBe('erp-so-4500017-created')

    const record = logs.records().at(-1)
    expect(record?.eventName).toBe('business.event')
    expect(record?.attributes).toStrictEqual(createdAttributes)
    expect(record?.severityNumber).toBe(SeverityNumber.INFO)
    expect(record?.body).toBe('lead_to_cash: sales_order.created (ok)')
    // As for an event posted to /v1/events, the record's timestamp is the business time.
    expect(record?.hrTime).toStrictEqual([Date.parse('2026-03-02T09:15:00.000Z') / 1000, 0])
  })

  it('links the log record to the active span and gives an error event ERROR severity', () => {
    startIntegrationSpan(erp.tracer, 'post order', {}, (span) => {
      recordBusinessEvent(logs.logger, { ...created, status: 'error', eventId: 'e-err' })
      span.end()
    })
    const record = logs.records().at(-1)
    expect(record?.severityNumber).toBe(SeverityNumber.ERROR)
    expect(record?.attributes['business.status']).toBe('error')
    expect(record?.spanContext?.spanId).toBe(erp.spans().at(-1)?.spanContext().spanId)
  })

  it('makes up a UUID event id when none is given', () => {
    const { eventId: _dropped, ...withoutId } = created
    const eventId = recordBusinessEvent(logs.logger, withoutId)
    expect(eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(logs.records().at(-1)?.attributes['business.event.id']).toBe(eventId)
  })

  it('on a span adds a business.event span event and the same attributes on the span', () => {
    const span = startIntegrationSpan(erp.tracer, 'post order', { integration: 'crm-to-erp-orders' })
    recordBusinessEvent(span, created)
    span.end()

    // The span's own times are processing times, so the business time rides as an attribute.
    const onSpan = { ...createdAttributes, 'business.event.time': '2026-03-02T09:15:00.000Z' }
    const exported = erp.spans().at(-1)
    expect(exported?.events.map((event) => event.name)).toStrictEqual(['business.event'])
    expect(exported?.events[0]?.attributes).toStrictEqual(onSpan)
    expect(exported?.attributes).toStrictEqual({ ...onSpan, 'integration.name': 'crm-to-erp-orders' })
  })

  it('accepts keys built ahead with businessKeys()', () => {
    recordBusinessEvent(logs.logger, { ...created, keys: businessKeys({ order_id: 'O-5' }), eventId: 'e5' })
    expect(logs.records().at(-1)?.attributes['business.key.order_id']).toBe('O-5')
  })
})

// Plain-JS callers (and code fed from JSON) get past the types, so the runtime checks
// matter. A method signature is checked bivariantly, which lets this view take `unknown`.
interface UntypedCaller {
  record(target: Logger, event: unknown): string
}
const untyped: UntypedCaller = { record: recordBusinessEvent }

describe('recordBusinessEvent refuses bad input, naming the field', () => {
  const cases: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
    ['a key type with capitals', { keys: { OrderId: 'O1' } }, 'keys.OrderId is not a valid key type: it must match /^[a-z][a-z0-9_]*$/'],
    ['a key type starting with a digit', { keys: { '1st': 'O1' } }, 'keys.1st is not a valid key type: it must match /^[a-z][a-z0-9_]*$/'],
    ['an empty key value', { keys: { order_id: '' } }, 'keys.order_id must be a non-empty string, got ""'],
    ['a numeric key value', { keys: { order_id: 1001 } }, 'keys.order_id must be a non-empty string, got 1001'],
    ['no keys at all', { keys: {} }, 'keys must hold at least one business key, e.g. { order_id: "O1" }'],
    ['an unknown status', { status: 'done' }, 'status must be one of ok, error, retry, cancelled, paused, resumed, got "done"'],
    ['an empty milestone', { milestone: ' ' }, 'milestone must be a non-empty string, got " "'],
    ['a missing process', { process: undefined }, 'process must be a non-empty string, got undefined'],
    ['an invalid time', { time: new Date('not a date') }, 'time must be a valid Date, got Invalid Date'],
    ['a fractional attempt', { attempt: 1.5 }, 'attempt must be an integer >= 1, got 1.5'],
    ['an attempt beyond the UInt16 column', { attempt: 65_536 }, 'attempt must be at most 65535, got 65536'],
    ['too many keys', { keys: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }, 'keys holds 33 keys, at most 32 are allowed'],
    [
      'a reserved attribute name',
      { attributes: { 'sync.side': 'change' } },
      'attributes["sync.side"] uses the reserved prefix "sync.": set it through the named option instead',
    ],
  ]
  for (const [what, change, message] of cases) {
    it(`throws for ${what}`, () => {
      const before = logs.records().length
      expect(() => untyped.record(logs.logger, { ...created, ...change })).toThrow(new TypeError(message))
      expect(logs.records()).toHaveLength(before)
    })
  }
})
