// The WMS (service wms-adapter): serves POST /reservations (stock.reserved) and
// POST /deliveries (the definition recognises delivery.created from this server span).
// A redelivered request for a delivery it already made is answered 200 with the same
// delivery: idempotent. Picking and shipping take hours; the goods issue then waits for the
// nightly export.
import { SpanKind } from '@opentelemetry/api'
import type { SeededRandom } from '../random.ts'
import { extract, recordStep, type Carrier } from '../steps.ts'
import { HOUR, PROCESS, type LeadToCash } from './context.ts'
import type { DeliveryRecord, OrderRecord } from './ledger.ts'

export interface GoodsIssueListener {
  goodsIssued(order: OrderRecord, delivery: DeliveryRecord, atMs: number): void
}

export class Wms {
  readonly #l2c: LeadToCash
  readonly #random: SeededRandom
  readonly #listeners: readonly GoodsIssueListener[]

  constructor(l2c: LeadToCash, listeners: readonly GoodsIssueListener[]) {
    this.#l2c = l2c
    this.#random = l2c.world.random.fork('wms')
    this.#listeners = listeners
  }

  reserve(carrier: Carrier, order: OrderRecord, start: number, end: number): void {
    const reservationId = this.#l2c.numbers.reservation()
    recordStep(
      this.#l2c.services.wms,
      'POST /reservations',
      {
        kind: SpanKind.SERVER,
        context: extract(carrier),
        process: PROCESS,
        milestone: 'stock.reserved',
        system: 'WMS',
        object: 'reservation',
        keys: { reservation_id: reservationId },
        attributes: { 'http.request.method': 'POST', 'http.route': '/api/v2/reservations', 'http.response.status_code': 201 },
      },
      start,
      end,
    )
    order.reservationId = reservationId
    order.reservedAt = end
  }

  /** Serves one POST /deliveries; the first request for a delivery creates it. */
  createDelivery(carrier: Carrier, delivery: DeliveryRecord, order: OrderRecord, start: number, end: number): void {
    const existing = delivery.deliveryId
    const deliveryId = existing ?? this.#l2c.numbers.delivery()
    recordStep(
      this.#l2c.services.wms,
      'POST /deliveries',
      {
        kind: SpanKind.SERVER,
        context: extract(carrier),
        process: PROCESS,
        system: 'WMS',
        object: 'delivery',
        keys: { delivery_id: deliveryId },
        attributes: { 'http.request.method': 'POST', 'http.route': '/api/v2/deliveries', 'http.response.status_code': existing === undefined ? 201 : 200 },
      },
      start,
      end,
    )
    if (existing !== undefined) return
    delivery.deliveryId = deliveryId
    delivery.createdAt = end
    const issuedAt = end + this.#random.between(1, 8) * HOUR
    this.#l2c.world.scheduler.at(issuedAt, () => {
      delivery.goodsIssueAt = issuedAt
      for (const listener of this.#listeners) listener.goodsIssued(order, delivery, issuedAt)
    })
  }
}
