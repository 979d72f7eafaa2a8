// The worked example of docs/semantic-conventions.md, run for real: order O-1001 goes
// CRM -> Kafka -> integration flow -> ERP (one retry) -> WMS, and every span must carry
// exactly the attributes the document lists. Change one, change the other.

import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { addBusinessKeys, IntegrationError, recordBusinessEvent, withBusinessKeys, withIntegrationSpan } from '../../sdk/index.ts'
import { extract, inject, installContextManager, makeService, type Carrier } from './otel-harness.ts'

const crm = makeService('crm-connector')
const flow = makeService('order-sync')
const wms = makeService('wms-adapter')
beforeAll(installContextManager)
afterAll(async () => {
  await Promise.all([crm.shutdown(), flow.shutdown(), wms.shutdown()])
})

const kafka = { 'messaging.system': 'kafka', 'messaging.destination.name': 'crm.orders', 'messaging.message.id': 'm-5521' }

/** crm-connector: the opportunity is won; the order goes to Kafka with its key in baggage. */
const crmPublishes = (): Promise<Carrier> =>
  withBusinessKeys({ order_id: 'O-1001' }, () =>
    withIntegrationSpan(
      crm.tracer,
      'crm.orders publish',
      {
        kind: SpanKind.PRODUCER,
        process: 'lead_to_cash',
        milestone: 'opportunity.won',
        system: 'CRM',
        object: 'opportunity',
        keys: { opportunity_id: 'OPP-88' },
        value: 1250.5,
        currency: 'EUR',
        tenant: 'acme',
        integration: 'crm-to-erp-orders',
        sourceSystem: 'CRM',
        targetSystem: 'ERP',
        attributes: { ...kafka, 'messaging.operation.type': 'send' },
      },
      () => inject(),
    ),
  )

const erpCall = { integration: 'crm-to-erp-orders', sourceSystem: 'CRM', targetSystem: 'ERP', operationId: 'crm-to-erp-orders:O-1001' }
const erpHttp = {
  'http.request.method': 'POST',
  'url.full': 'https://erp.acme.example/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder',
  'server.address': 'erp.acme.example',
}

/** order-sync: consume, post to the ERP (503, then 201 with the SO number), forward to the WMS. */
const flowRuns = (message: Carrier): Promise<Carrier> =>
  withIntegrationSpan(
    flow.tracer,
    'crm.orders process',
    { kind: SpanKind.CONSUMER, context: extract(message), ...erpCall, attributes: { ...kafka, 'messaging.operation.type': 'process' } },
    async () => {
      await withIntegrationSpan(flow.tracer, 'POST A_SalesOrder', { kind: SpanKind.CLIENT, ...erpCall, attempt: 1, attributes: erpHttp }, (span) => {
        span.setAttribute('http.response.status_code', 503)
        throw new IntegrationError('503', 'ERP answered 503 Service Unavailable')
      }).catch(() => undefined)
      const soNumber = await withIntegrationSpan(
        flow.tracer,
        'POST A_SalesOrder',
        { kind: SpanKind.CLIENT, ...erpCall, attempt: 2, attributes: erpHttp },
        (span) => {
          span.setAttribute('http.response.status_code', 201)
          recordBusinessEvent(span, {
            process: 'lead_to_cash',
            milestone: 'sales_order.created',
            system: 'ERP',
            object: 'sales_order',
            keys: { order_id: 'O-1001', so_number: '4500017' },
            eventId: 'ERP:sales_order:4500017:created',
            time: new Date('2026-03-02T09:15:04.000Z'),
          })
          return '4500017'
        },
      )
      return withBusinessKeys({ so_number: soNumber }, () =>
        withIntegrationSpan(
          flow.tracer,
          'POST /deliveries',
          {
            kind: SpanKind.CLIENT,
            integration: 'erp-to-wms-deliveries',
            sourceSystem: 'ERP',
            targetSystem: 'WMS',
            operationId: 'erp-to-wms-deliveries:4500017',
            attempt: 1,
            attributes: { 'http.request.method': 'POST', 'server.address': 'wms.acme.example' },
          },
          () => inject(),
        ),
      )
    },
  )

/** wms-adapter: receives the call, creates delivery 80001234. */
const wmsReceives = (headers: Carrier): Promise<void> =>
  withIntegrationSpan(
    wms.tracer,
    'POST /deliveries',
    {
      kind: SpanKind.SERVER,
      context: extract(headers),
      process: 'lead_to_cash',
      milestone: 'delivery.created',
      system: 'WMS',
      object: 'delivery',
      attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201 },
    },
    (span) => addBusinessKeys(span, { delivery_id: '80001234' }),
  )

it('one lead-to-cash order crossing CRM, ERP and WMS carries the documented attributes on every span', async () => {
  await wmsReceives(await flowRuns(await crmPublishes()))

  const [published] = crm.spans()
  expect(published?.attributes).toStrictEqual({
    'business.process': 'lead_to_cash',
    'business.milestone': 'opportunity.won',
    'business.system': 'CRM',
    'business.object': 'opportunity',
    'business.key.opportunity_id': 'OPP-88',
    'business.key.order_id': 'O-1001',
    'business.value': 1250.5,
    'business.currency': 'EUR',
    'tenant.id': 'acme',
    'integration.name': 'crm-to-erp-orders',
    'integration.source.system': 'CRM',
    'integration.target.system': 'ERP',
    'messaging.system': 'kafka',
    'messaging.destination.name': 'crm.orders',
    'messaging.operation.type': 'send',
    'messaging.message.id': 'm-5521',
  })

  // End order: attempt 1, attempt 2, the WMS call, then the consumer span around them.
  const [attempt1, attempt2, toWms, consumed] = flow.spans()
  expect(consumed?.attributes).toStrictEqual({
    'business.key.order_id': 'O-1001',
    'integration.name': 'crm-to-erp-orders',
    'integration.source.system': 'CRM',
    'integration.target.system': 'ERP',
    'integration.operation.id': 'crm-to-erp-orders:O-1001',
    'messaging.system': 'kafka',
    'messaging.destination.name': 'crm.orders',
    'messaging.operation.type': 'process',
    'messaging.message.id': 'm-5521',
  })
  const erpCallAttributes = {
    'business.key.order_id': 'O-1001',
    'integration.name': 'crm-to-erp-orders',
    'integration.source.system': 'CRM',
    'integration.target.system': 'ERP',
    'integration.operation.id': 'crm-to-erp-orders:O-1001',
    ...erpHttp,
  }
  expect(attempt1?.attributes).toStrictEqual({
    ...erpCallAttributes,
    'integration.operation.attempt': 1,
    'http.response.status_code': 503,
    'error.type': '503',
  })
  expect(attempt1?.status).toStrictEqual({ code: SpanStatusCode.ERROR, message: 'ERP answered 503 Service Unavailable' })
  expect(attempt1?.events.map((event) => event.name)).toStrictEqual(['exception'])
  const soCreated = {
    'business.process': 'lead_to_cash',
    'business.milestone': 'sales_order.created',
    'business.system': 'ERP',
    'business.object': 'sales_order',
    'business.status': 'ok',
    'business.key.order_id': 'O-1001',
    'business.key.so_number': '4500017',
    'business.event.id': 'ERP:sales_order:4500017:created',
    'business.event.time': '2026-03-02T09:15:04.000Z',
  }
  expect(attempt2?.attributes).toStrictEqual({
    ...erpCallAttributes,
    ...soCreated,
    'integration.operation.attempt': 2,
    'http.response.status_code': 201,
  })
  expect(attempt2?.events.map((event) => [event.name, event.attributes])).toStrictEqual([['business.event', soCreated]])
  expect(toWms?.attributes).toStrictEqual({
    'business.key.order_id': 'O-1001',
    'business.key.so_number': '4500017',
    'integration.name': 'erp-to-wms-deliveries',
    'integration.source.system': 'ERP',
    'integration.target.system': 'WMS',
    'integration.operation.id': 'erp-to-wms-deliveries:4500017',
    'integration.operation.attempt': 1,
    'http.request.method': 'POST',
    'server.address': 'wms.acme.example',
  })

  const [received] = wms.spans()
  expect(received?.attributes).toStrictEqual({
    'business.process': 'lead_to_cash',
    'business.milestone': 'delivery.created',
    'business.system': 'WMS',
    'business.object': 'delivery',
    'business.key.order_id': 'O-1001',
    'business.key.so_number': '4500017',
    'business.key.delivery_id': '80001234',
    'http.request.method': 'POST',
    'http.response.status_code': 201,
  })

  // One trace from the CRM to the WMS: traceparent travelled beside the baggage.
  const traceIds = new Set([published, attempt1, attempt2, toWms, consumed, received].map((span) => span?.spanContext().traceId))
  expect(traceIds.size).toBe(1)
  expect(received?.parentSpanContext?.spanId).toBe(toWms?.spanContext().spanId)
  expect(consumed?.parentSpanContext?.spanId).toBe(published?.spanContext().spanId)
})
