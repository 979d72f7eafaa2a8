// startIntegrationSpan / withIntegrationSpan against the real trace SDK: the attribute set
// is checked value by value against docs/semantic-conventions.md, and failures must leave
// the exception event, error.type and status Error while the error still reaches the caller.

import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { IntegrationError, startIntegrationSpan, withIntegrationSpan } from '../../sdk/index.ts'
import { installContextManager, makeService } from './otel-harness.ts'

const erp = makeService('erp-adapter')
beforeAll(installContextManager)
beforeEach(() => erp.exporter.reset())
afterAll(() => erp.shutdown())

const onlySpan = () => {
  const spans = erp.spans()
  expect(spans).toHaveLength(1)
  const [span] = spans
  if (span === undefined) throw new Error('no span')
  return span
}

describe('startIntegrationSpan', () => {
  it('stamps exactly the documented attributes for every option', () => {
    const span = startIntegrationSpan(erp.tracer, 'POST /sap/sales-orders', {
      process: 'lead_to_cash',
      processVersion: '3',
      milestone: 'sales_order.created',
      keys: { order_id: 'O-1001', so_number: '4500017' },
      integration: 'crm-to-erp-orders',
      sourceSystem: 'CRM',
      targetSystem: 'ERP',
      system: 'ERP',
      object: 'sales_order',
      operationId: 'op-7f3a',
      attempt: 2,
      tenant: 'acme',
      value: 1250.5,
      currency: 'EUR',
      status: 'retry',
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': 'POST', customer_tier: 'gold' },
    })
    span.end()

    const exported = onlySpan()
    expect(exported.name).toBe('POST /sap/sales-orders')
    expect(exported.kind).toBe(SpanKind.CLIENT)
    expect(exported.attributes).toStrictEqual({
      'business.process': 'lead_to_cash',
      'business.process.version': '3',
      'business.milestone': 'sales_order.created',
      'business.key.order_id': 'O-1001',
      'business.key.so_number': '4500017',
      'business.object': 'sales_order',
      'business.system': 'ERP',
      'business.status': 'retry',
      'business.value': 1250.5,
      'business.currency': 'EUR',
      'tenant.id': 'acme',
      'integration.name': 'crm-to-erp-orders',
      'integration.source.system': 'CRM',
      'integration.target.system': 'ERP',
      'integration.operation.id': 'op-7f3a',
      'integration.operation.attempt': 2,
      'http.request.method': 'POST',
      customer_tier: 'gold',
    })
  })

  it('adds nothing for options left out, and defaults to an INTERNAL span', () => {
    startIntegrationSpan(erp.tracer, 'map order', { keys: { order_id: 'O-1' } }).end()
    const exported = onlySpan()
    expect(exported.kind).toBe(SpanKind.INTERNAL)
    expect(exported.attributes).toStrictEqual({ 'business.key.order_id': 'O-1' })
  })

  it('with a callback makes the span active and returns the callback result', () => {
    const result = startIntegrationSpan(erp.tracer, 'outer', { process: 'lead_to_cash' }, (span) => {
      const active = trace.getActiveSpan()
      span.end()
      return active === span ? 'active' : 'not active'
    })
    expect(result).toBe('active')
  })

  it('refuses a bad option before any span starts, naming the field', () => {
    expect(() => startIntegrationSpan(erp.tracer, 'x', { attempt: 0 })).toThrow(new TypeError('attempt must be an integer >= 1, got 0'))
    expect(() => startIntegrationSpan(erp.tracer, 'x', { keys: { 'Order-Id': 'O1' } })).toThrow(
      new TypeError('keys.Order-Id is not a valid key type: it must match /^[a-z][a-z0-9_]*$/'),
    )
    expect(() => startIntegrationSpan(erp.tracer, 'x', { currency: 'EUR' })).toThrow(new TypeError('currency needs value to be set as well'))
    expect(() => startIntegrationSpan(erp.tracer, 'x', { value: 10, currency: 'eur' })).toThrow(
      new TypeError('currency must be an ISO 4217 code such as "EUR", got "eur"'),
    )
    expect(() => startIntegrationSpan(erp.tracer, 'x', { attributes: { 'business.milestone': 'm' } })).toThrow(
      new TypeError('attributes["business.milestone"] uses the reserved prefix "business.": set it through the named option instead'),
    )
    expect(erp.spans()).toHaveLength(0)
  })
})

describe('withIntegrationSpan', () => {
  it('returns the function result and ends the span with status Unset', async () => {
    const result = await withIntegrationSpan(erp.tracer, 'post order', { milestone: 'sales_order.created' }, async () => {
      await Promise.resolve()
      return 42
    })
    expect(result).toBe(42)
    const exported = onlySpan()
    expect(exported.ended).toBe(true)
    expect(exported.status).toStrictEqual({ code: SpanStatusCode.UNSET })
  })

  it('turns a bad option into a rejection without calling the function', async () => {
    let called = false
    const pending = withIntegrationSpan(erp.tracer, 'x', { keys: { order_id: '' } }, () => {
      called = true
    })
    await expect(pending).rejects.toThrow(new TypeError('keys.order_id must be a non-empty string, got ""'))
    expect(called).toBe(false)
    expect(erp.spans()).toHaveLength(0)
  })

  it('parents a span started after an await inside the function', async () => {
    await withIntegrationSpan(erp.tracer, 'outer', {}, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      startIntegrationSpan(erp.tracer, 'inner').end()
    })
    const [inner, outer] = erp.spans()
    expect(inner?.name).toBe('inner')
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId)
  })

  it('on an exception sets status Error, error.type and the exception event, and rethrows it', async () => {
    const failure = new IntegrationError('mapping', 'no ERP material for CRM product P-9')
    await expect(
      withIntegrationSpan(erp.tracer, 'map order', { keys: { order_id: 'O-1' } }, () => {
        throw failure
      }),
    ).rejects.toBe(failure)

    const exported = onlySpan()
    expect(exported.ended).toBe(true)
    expect(exported.status).toStrictEqual({ code: SpanStatusCode.ERROR, message: 'no ERP material for CRM product P-9' })
    expect(exported.attributes).toStrictEqual({ 'business.key.order_id': 'O-1', 'error.type': 'mapping' })
    expect(exported.events).toHaveLength(1)
    const [event] = exported.events
    expect(event?.name).toBe('exception')
    expect(event?.attributes?.['exception.type']).toBe('IntegrationError')
    expect(event?.attributes?.['exception.message']).toBe('no ERP material for CRM product P-9')
    expect(String(event?.attributes?.['exception.stacktrace'])).toContain('IntegrationError: no ERP material')
  })

  it('types a fetch timeout as error.type timeout', async () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    await expect(withIntegrationSpan(erp.tracer, 'GET stock', {}, () => Promise.reject(timeout))).rejects.toBe(timeout)
    expect(onlySpan().attributes['error.type']).toBe('timeout')
  })

  it('types a timeout wrapped as the cause, and a coded error, and a plain error', async () => {
    const wrapped = new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'UND_ERR_CONNECT_TIMEOUT' }) })
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:443'), { code: 'ECONNREFUSED' })
    for (const error of [wrapped, refused, new RangeError('amount out of range')]) {
      await withIntegrationSpan(erp.tracer, 'call', {}, () => Promise.reject(error)).catch(() => undefined)
    }
    expect(erp.spans().map((span) => span.attributes['error.type'])).toStrictEqual(['timeout', 'ECONNREFUSED', 'RangeError'])
  })
})
