// The ERP (service erp-gateway): answers the order integration, then runs the sales order:
// a change now and then, the credit check (sometimes blocked for hours), the stock
// reservation it asks of the WMS (POST /reservations), and the outbound delivery requests it
// publishes to erp.outbound.deliveries, one or two per order. Some orders are cancelled
// before anything ships.
import { ROOT_CONTEXT, SeverityNumber, SpanKind } from '@opentelemetry/api'
import { BusinessAttr, businessKeyAttributes, businessKeys, contextWithBusinessKeys, recordBusinessEvent } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, inject, openStep, recordStep } from '../steps.ts'
import { CURRENCY, HOUR, httpAttributes, Integration, messagingAttributes, MINUTE, PROCESS, SECOND, type LeadToCash } from './context.ts'
import type { DeliveryQueue } from './delivery-queue.ts'
import type { ErpAnswer, OrderRecord } from './ledger.ts'
import type { Wms } from './wms.ts'

const REJECT_RATE = 0.015
const CHANGE_RATE = 0.05
const CREDIT_BLOCK_RATE = 0.05
const CANCEL_RATE = 0.01
const SPLIT_DELIVERY_RATE = 0.25
const WMS_URL = 'https://wms.example.cn/api/v2/reservations'

export class Erp {
  readonly #l2c: LeadToCash
  readonly #random: SeededRandom
  readonly #wms: Wms
  readonly #deliveries: DeliveryQueue

  constructor(l2c: LeadToCash, wms: Wms, deliveries: DeliveryQueue) {
    this.#l2c = l2c
    this.#random = l2c.world.random.fork('erp')
    this.#wms = wms
    this.#deliveries = deliveries
  }

  isDown(atMs: number): boolean {
    return this.#l2c.world.faults.active('erp_down', atMs)
  }

  /** How the ERP answers a POST A_SalesOrder made at `atMs`. */
  answerSalesOrder(atMs: number): ErpAnswer {
    if (this.isDown(atMs)) return this.#random.chance(0.3) ? 'timeout' : 'unavailable'
    return this.#random.chance(REJECT_RATE) ? 'rejected' : 'created'
  }

  salesOrderCreated(order: OrderRecord, atMs: number): void {
    const { scheduler } = this.#l2c.world
    if (this.#random.chance(CHANGE_RATE)) scheduler.at(atMs + this.#random.between(30, 90) * SECOND, () => this.#changed(order))
    const blocked = this.#random.chance(CREDIT_BLOCK_RATE)
    if (blocked) scheduler.at(atMs + this.#random.between(20, 60) * SECOND, () => this.#creditBlocked(order))
    const creditAt = atMs + (blocked ? this.#random.between(1, 6) * HOUR : this.#random.between(2, 5) * MINUTE)
    scheduler.at(creditAt, () => this.#creditCheck(order))
    if (this.#random.chance(CANCEL_RATE)) scheduler.at(atMs + this.#random.between(10, 120) * MINUTE, () => this.#cancel(order))
  }

  #changed(order: OrderRecord): void {
    const t = this.#l2c.world.scheduler.now()
    const erp = this.#l2c.services.erp
    order.changedAt = t
    recordBusinessEvent(erp.logger, {
      process: PROCESS,
      milestone: 'sales_order.changed',
      system: 'ERP',
      object: 'sales_order',
      keys: { so_number: order.soNumber! },
      eventId: `ERP:sales_order:${order.soNumber!}:changed`,
      time: erp.clock(t),
      attributes: { 'sap.changed_field': 'quantity' },
      context: ROOT_CONTEXT,
    })
  }

  #creditBlocked(order: OrderRecord): void {
    const erp = this.#l2c.services.erp
    erp.logger.emit({
      timestamp: erp.clock(this.#l2c.world.scheduler.now()),
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: `Sales order ${order.soNumber!} blocked by credit management: credit limit of customer ${order.customer.erpCustomerId} exceeded`,
      attributes: { [BusinessAttr.system]: 'ERP', ...businessKeyAttributes(businessKeys({ so_number: order.soNumber! })) },
      context: ROOT_CONTEXT,
    })
  }

  #creditCheck(order: OrderRecord): void {
    if (order.cancelledAt !== undefined) return
    const t = this.#l2c.world.scheduler.now()
    // This ERP adapter predates the conventions: it writes the sales order number as
    // sap.vbeln, which the definition reads as so_number too.
    recordStep(
      this.#l2c.services.erp,
      'credit check',
      {
        process: PROCESS,
        milestone: 'credit_check.passed',
        system: 'ERP',
        object: 'sales_order',
        keys: { erp_customer_id: order.customer.erpCustomerId },
        attributes: { 'sap.vbeln': order.soNumber!, 'sap.kunnr': order.customer.erpCustomerId },
      },
      t - this.#random.between(200, 900),
      t,
    )
    order.creditPassedAt = t
    this.#l2c.world.scheduler.at(t + this.#random.between(1, 10) * MINUTE, () => this.#reserve(order))
  }

  #reserve(order: OrderRecord): void {
    if (order.cancelledAt !== undefined) return
    const t = this.#l2c.world.scheduler.now()
    const end = t + this.#random.between(80, 400)
    const call = openStep(
      this.#l2c.services.erp,
      'POST /reservations',
      {
        kind: SpanKind.CLIENT,
        context: contextWithBusinessKeys(ROOT_CONTEXT, { order_id: order.orderId, so_number: order.soNumber! }),
        process: PROCESS,
        integration: Integration.reservations,
        sourceSystem: 'ERP',
        targetSystem: 'WMS',
        operationId: `${Integration.reservations}:${order.soNumber!}`,
        attempt: 1,
        attributes: httpAttributes('POST', WMS_URL),
      },
      t,
    )
    this.#wms.reserve(inject(call.context), order, t + 15, end - 10)
    closeStep(call, end, { attributes: { 'http.response.status_code': 201 } })
    order.plannedDeliveries = this.#random.chance(SPLIT_DELIVERY_RATE) ? 2 : 1
    const first = end + this.#random.between(5, 60) * MINUTE
    this.#l2c.world.scheduler.at(first, () => this.#publishDelivery(order, 1))
    if (order.plannedDeliveries === 2) this.#l2c.world.scheduler.at(first + this.#random.between(4, 30) * HOUR, () => this.#publishDelivery(order, 2))
  }

  #publishDelivery(order: OrderRecord, index: number): void {
    if (order.cancelledAt !== undefined) return
    const t = this.#l2c.world.scheduler.now()
    const messageId = this.#l2c.numbers.message('erp.outbound.deliveries')
    const publish = recordStep(
      this.#l2c.services.erp,
      'erp.outbound.deliveries publish',
      {
        kind: SpanKind.PRODUCER,
        context: contextWithBusinessKeys(ROOT_CONTEXT, { order_id: order.orderId, so_number: order.soNumber! }),
        process: PROCESS,
        integration: Integration.deliveries,
        sourceSystem: 'ERP',
        targetSystem: 'WMS',
        attributes: messagingAttributes('erp.outbound.deliveries', 'send', messageId),
      },
      t,
      t + 12,
    )
    order.deliveries.push({ index, publishedAt: t })
    this.#l2c.ledger.counters.deliveriesPublished++
    this.#deliveries.publish({ carrier: inject(publish.context), order, index, messageId, deliveryCount: 0 }, t + 12)
  }

  /** The customer withdraws the order; too late once a delivery request went out. */
  #cancel(order: OrderRecord): void {
    if (order.deliveries.length > 0 || order.cancelledAt !== undefined) return
    const t = this.#l2c.world.scheduler.now()
    const erp = this.#l2c.services.erp
    order.cancelledAt = t
    recordBusinessEvent(erp.logger, {
      process: PROCESS,
      milestone: 'sales_order.cancelled',
      status: 'cancelled',
      system: 'ERP',
      object: 'sales_order',
      keys: { so_number: order.soNumber!, order_id: order.orderId },
      eventId: `ERP:sales_order:${order.soNumber!}:cancelled`,
      time: erp.clock(t),
      value: order.value,
      currency: CURRENCY,
      context: ROOT_CONTEXT,
    })
  }
}
