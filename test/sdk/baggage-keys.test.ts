// Business keys travel in W3C baggage: the upstream service puts them in, the headers carry
// them (inject/extract through a plain carrier object, as over HTTP or a queue), and a
// span in the downstream service, which never saw the order, is stamped with them.

import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { businessKeysFromBaggage, contextWithBusinessKeys, startIntegrationSpan, withBusinessKeys } from '../../sdk/index.ts'
import { extract, inject, installContextManager, makeService } from './otel-harness.ts'

const crm = makeService('crm-connector')
const wms = makeService('wms-adapter')
beforeAll(installContextManager)
afterAll(async () => {
  await crm.shutdown()
  await wms.shutdown()
})

describe('business keys in baggage', () => {
  it('are stamped on a child span in another service after inject/extract through a carrier', () => {
    const headers = withBusinessKeys({ order_id: 'O-1001', so_number: '4500017' }, () =>
      startIntegrationSpan(crm.tracer, 'publish order', {}, (span) => {
        const carrier = inject()
        span.end()
        return carrier
      }),
    )
    expect(headers['baggage']).toBe('business.key.order_id=O-1001,business.key.so_number=4500017')

    const received = extract(headers)
    startIntegrationSpan(wms.tracer, 'create delivery', { context: received, keys: { delivery_id: '80001234' } }).end()

    const [sent] = crm.spans()
    const [child] = wms.spans()
    expect(child?.resource.attributes['service.name']).toBe('wms-adapter')
    expect(child?.spanContext().traceId).toBe(sent?.spanContext().traceId)
    expect(child?.parentSpanContext?.spanId).toBe(sent?.spanContext().spanId)
    expect(child?.attributes).toStrictEqual({
      'business.key.order_id': 'O-1001',
      'business.key.so_number': '4500017',
      'business.key.delivery_id': '80001234',
    })
  })

  it('are read from the active context too, after context.with on the extracted one', () => {
    const received = extract({ baggage: 'business.key.order_id=O-7' })
    context.with(received, () => startIntegrationSpan(wms.tracer, 'pick', {}).end())
    expect(wms.spans().at(-1)?.attributes).toStrictEqual({ 'business.key.order_id': 'O-7' })
  })

  it('lose to an explicit key of the same type', () => {
    const ctx = contextWithBusinessKeys(ROOT_CONTEXT, { order_id: 'from-baggage' })
    startIntegrationSpan(wms.tracer, 'pick', { context: ctx, keys: { order_id: 'explicit' } }).end()
    expect(wms.spans().at(-1)?.attributes).toStrictEqual({ 'business.key.order_id': 'explicit' })
  })

  it('keep the baggage entries that are not business keys', () => {
    const start = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ 'tenant.id': { value: 'acme' } }))
    const withKeys = contextWithBusinessKeys(start, { order_id: 'O-1' })
    expect(inject(withKeys)['baggage']).toBe('tenant.id=acme,business.key.order_id=O-1')
  })

  it('survive an await inside withBusinessKeys', async () => {
    const keys = await withBusinessKeys({ order_id: 'O-2' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      return businessKeysFromBaggage()
    })
    expect(keys).toStrictEqual({ order_id: 'O-2' })
  })

  it('skip malformed entries from upstream instead of failing the downstream service', () => {
    const received = extract({ baggage: 'business.key.Order-Id=x,business.key.order_id=O-3,business.key.=y,other=z' })
    expect(businessKeysFromBaggage(received)).toStrictEqual({ order_id: 'O-3' })
  })

  it('are percent-encoded on the wire and decoded on arrival', () => {
    const carrier = inject(contextWithBusinessKeys(ROOT_CONTEXT, { customer_id: 'Müller & Söhne, GmbH' }))
    expect(carrier['baggage']).toBe('business.key.customer_id=M%C3%BCller%20%26%20S%C3%B6hne%2C%20GmbH')
    expect(businessKeysFromBaggage(extract(carrier))).toStrictEqual({ customer_id: 'Müller & Söhne, GmbH' })
  })
})
