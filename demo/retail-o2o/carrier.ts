// The parcel carrier (service carrier-gateway, system CARRIER): books a shipment for a store
// (POST /shipments answers the shipment number), and once the parcel is delivered, or refused
// and sent back, calls the shop's status webhook (order.delivered / order.returned, which the
// shop records under the carrier's shipment number).
import { SpanKind } from '@opentelemetry/api'
import type { SeededRandom } from '../random.ts'
import { closeStep, openStep, recordStep, type OpenStep } from '../steps.ts'
import { HOUR, httpAttributes, Integration, PROCESS, serverAttributes, type RetailO2O } from './context.ts'
import type { OnlineOrderRecord } from './ledger.ts'

export const RETURN_RATE = 0.03

export class Carrier {
  readonly #ctx: RetailO2O
  readonly #random: SeededRandom

  constructor(ctx: RetailO2O) {
    this.#ctx = ctx
    this.#random = ctx.world.random.fork('carrier')
  }

  /** Serves a store's POST /shipments; returns the shipment number. */
  book(call: OpenStep, order: OnlineOrderRecord, start: number, end: number): string {
    const shipmentId = this.#ctx.numbers.shipment()
    recordStep(
      this.#ctx.services.carrier,
      'POST /api/v1/shipments',
      {
        kind: SpanKind.SERVER,
        context: call.context,
        keys: { shipment_id: shipmentId },
        attributes: serverAttributes('POST', '/api/v1/shipments', 201),
      },
      start,
      end,
    )
    order.shipmentId = shipmentId
    return shipmentId
  }

  /** The courier has the parcel: delivered in 12-36 hours, or refused and returned. */
  collected(order: OnlineOrderRecord, atMs: number): void {
    const returned = this.#random.chance(RETURN_RATE)
    const at = atMs + this.#random.between(12, 36) * HOUR
    this.#ctx.world.scheduler.at(at, () => this.#webhook(order, returned ? 'order.returned' : 'order.delivered', at))
  }

  #webhook(order: OnlineOrderRecord, milestone: 'order.delivered' | 'order.returned', t: number): void {
    const { services } = this.#ctx
    const shipmentId = order.shipmentId!
    const call = openStep(
      services.carrier,
      'POST /webhooks/carrier',
      {
        kind: SpanKind.CLIENT,
        integration: Integration.carrierStatus,
        sourceSystem: 'CARRIER',
        targetSystem: 'ECOM',
        operationId: `${Integration.carrierStatus}:${shipmentId}:${milestone}`,
        attempt: 1,
        keys: { shipment_id: shipmentId },
        attributes: httpAttributes('POST', 'https://shop.example.cn/webhooks/carrier'),
      },
      t,
    )
    const end = t + this.#random.between(80, 400)
    recordStep(
      services.shop,
      'POST /webhooks/carrier',
      {
        kind: SpanKind.SERVER,
        context: call.context,
        process: PROCESS,
        milestone,
        system: 'CARRIER',
        object: 'shipment',
        ...(milestone === 'order.returned' ? { status: 'cancelled' as const } : {}),
        keys: { shipment_id: shipmentId },
        attributes: serverAttributes('POST', '/webhooks/carrier', 204),
      },
      t + 20,
      end - 10,
    )
    closeStep(call, end, { attributes: { 'http.response.status_code': 204 } })
    if (milestone === 'order.returned') order.returnedAt = t
    else order.deliveredAt = t
  }
}
