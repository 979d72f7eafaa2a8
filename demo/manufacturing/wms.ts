// The warehouse management system (service wms-warehouse, system WMS): serves the MES's goods
// receipt of finished goods (POST /api/inbound/receipts: goods.received with the handling
// unit it labels the pallet with), stages the components a job consumes, serves the ERP's
// outbound deliveries (POST /api/outbound/deliveries), picks and ships them in plant hours
// (goods.issued) and hands the pallet to the carrier, whose proof of delivery goes to the ERP.
// Every stock movement is published to the stock sync job (finished goods per sales order,
// components per material), which pushes it to the ERP.
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api'
import { addBusinessTime } from '../../core/calendar.ts'
import { recordBusinessEvent } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { extract, recordStep, type Carrier } from '../steps.ts'
import { HOUR, MINUTE, PLANT, PLANT_HOURS, PROCESS, SECOND, serverAttributes, type Manufacturing } from './context.ts'
import type { OrderRecord } from './ledger.ts'
import type { StockSync } from './stock-sync.ts'

export interface Delivered {
  proofOfDelivery(order: OrderRecord, atMs: number): void
}

export class Wms {
  readonly #ctx: Manufacturing
  readonly #random: SeededRandom
  readonly #stock: StockSync
  readonly #carrier: Delivered

  constructor(ctx: Manufacturing, stock: StockSync, carrier: Delivered) {
    this.#ctx = ctx
    this.#random = ctx.world.random.fork('wms')
    this.#stock = stock
    this.#carrier = carrier
  }

  /** `ms` of plant hours after `fromMs`: warehouse work waits for the next shift. */
  #inHours(fromMs: number, ms: number): number {
    return addBusinessTime(PLANT_HOURS, new Date(fromMs), ms).getTime()
  }

  /** Serves the MES's goods receipt: the pallet is labelled and put away. */
  receive(carrier: Carrier, order: OrderRecord, start: number, end: number): string {
    const { services, numbers } = this.#ctx
    const handlingUnitId = numbers.handlingUnit()
    recordStep(
      services.wms,
      'POST /api/inbound/receipts',
      {
        kind: SpanKind.SERVER,
        context: extract(carrier),
        process: PROCESS,
        milestone: 'goods.received',
        system: 'WMS',
        object: 'handling_unit',
        keys: { handling_unit_id: handlingUnitId, production_order_no: order.productionOrderNo! },
        attributes: { ...serverAttributes('POST', '/api/inbound/receipts', 201), material: order.product.material, quantity: order.quantity },
      },
      start,
      end,
    )
    order.handlingUnitId = handlingUnitId
    order.receivedAt = end
    // Sales-order stock: the finished goods belong to this order.
    this.#stock.change({
      entityType: 'finished_goods',
      entityId: `${PLANT}/${order.product.material}/${order.salesOrderNo}`,
      changedAtMs: end + 100,
      keys: { production_order_no: order.productionOrderNo! },
      movementType: '101',
      order,
    })
    return handlingUnitId
  }

  /** A job starts: its components leave the warehouse for the line, one a second. */
  stage(order: OrderRecord, atMs: number): void {
    const { scheduler } = this.#ctx.world
    order.product.components.forEach((material, i) => {
      const changedAtMs = atMs + (i + 1) * SECOND
      scheduler.at(changedAtMs, () => {
        this.#stock.change({ entityType: 'raw_material', entityId: `${PLANT}/${material}`, changedAtMs, keys: {}, movementType: '261' })
      })
    })
  }

  /** Serves the ERP's outbound delivery: picked and shipped in plant hours. */
  receiveDelivery(carrier: Carrier, order: OrderRecord, start: number, end: number): void {
    const { services, world } = this.#ctx
    recordStep(
      services.wms,
      'POST /api/outbound/deliveries',
      {
        kind: SpanKind.SERVER,
        context: extract(carrier),
        keys: { delivery_no: order.deliveryNo! },
        attributes: serverAttributes('POST', '/api/outbound/deliveries', 201),
      },
      start,
      end,
    )
    world.scheduler.at(this.#inHours(end, this.#random.between(30, 180) * MINUTE), () => this.#ship(order))
  }

  #ship(order: OrderRecord): void {
    const { services, world } = this.#ctx
    const t = world.scheduler.now()
    order.issuedAt = t
    recordBusinessEvent(services.wms.logger, {
      process: PROCESS,
      milestone: 'goods.issued',
      system: 'WMS',
      object: 'outbound_delivery',
      keys: { delivery_no: order.deliveryNo!, handling_unit_id: order.handlingUnitId! },
      eventId: `WMS:outbound_delivery:${order.deliveryNo!}:goods.issued`,
      time: services.wms.clock(t),
      attributes: { material: order.product.material },
      context: ROOT_CONTEXT,
    })
    this.#stock.change({
      entityType: 'finished_goods',
      entityId: `${PLANT}/${order.product.material}/${order.salesOrderNo}`,
      changedAtMs: t + 200,
      keys: { delivery_no: order.deliveryNo! },
      movementType: '601',
    })
    const at = t + this.#random.between(12, 48) * HOUR
    world.scheduler.at(at, () => this.#carrier.proofOfDelivery(order, at))
  }
}
