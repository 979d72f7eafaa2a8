// The stores' POS systems (service store-pos, system POS, one service for the chain's
// stores): serve the OMS's POST /store-orders (store.accepted with the store's own order
// number, or store.rejected when the goods are not there), then pick and pack the order in
// opening hours (order.picked, order.packed) and either book a courier (POST /shipments to the
// carrier, order.shipped when the courier collects) or put it on the pick-up shelf
// (order.ready_for_pickup with a pick-up code). The pick-up counter records the handover
// offline; the end-of-day batch reports it. Every sale at the till and every pick moves stock
// (synced to the central inventory); sales to members earn points (synced to the CRM).
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api'
import { addBusinessTime } from '../../core/calendar.ts'
import { recordBusinessEvent, type BusinessKeysInput } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, extract, openStep, recordStep, type Carrier as TraceCarrier } from '../steps.ts'
import { HOUR, httpAttributes, Integration, MINUTE, PROCESS, SECOND, serverAttributes, STORE_HOURS, type RetailO2O } from './context.ts'
import type { Carrier } from './carrier.ts'
import type { OnlineOrderRecord, RoutingRecord } from './ledger.ts'
import { MEMBERS, STORES, type Store } from './stores.ts'
import type { SyncFlow } from './sync-flow.ts'

const SKUS = 40
const MEMBER_SALE_SHARE = 0.7
/** Till sales per online order, chain-wide, in opening hours. */
export const IN_STORE_PER_ONLINE = 2

export interface PickupListener {
  pickedUp(order: OnlineOrderRecord, atMs: number): void
}

export interface PosSyncs {
  readonly stock: SyncFlow
  readonly points: SyncFlow
}

export class StorePos {
  readonly #ctx: RetailO2O
  readonly #random: SeededRandom
  readonly #syncs: PosSyncs
  readonly #carrier: Carrier
  readonly #pickups: PickupListener

  constructor(ctx: RetailO2O, syncs: PosSyncs, carrier: Carrier, pickups: PickupListener) {
    this.#ctx = ctx
    this.#random = ctx.world.random.fork('store-pos')
    this.#syncs = syncs
    this.#carrier = carrier
    this.#pickups = pickups
  }

  start(): void {
    this.#nextSale(this.#ctx.world.startMs)
  }

  /** `ms` of opening hours after `fromMs`: work waits for the store to open. */
  #inHours(fromMs: number, ms: number): number {
    return addBusinessTime(STORE_HOURS, new Date(fromMs), ms).getTime()
  }

  /** Till sales arrive in opening hours only: the gaps are drawn in business time. */
  #nextSale(fromMs: number): void {
    const rate = this.#ctx.options.ordersPerHour * IN_STORE_PER_ONLINE
    if (rate <= 0) return
    const { scheduler } = this.#ctx.world
    scheduler.at(this.#inHours(fromMs, this.#random.exponential(HOUR / rate)), () => {
      this.#sale(scheduler.now())
      this.#nextSale(scheduler.now())
    })
  }

  #sale(t: number): void {
    const { numbers, services, ledger } = this.#ctx
    const store = this.#random.pick(STORES)
    const member = this.#random.chance(MEMBER_SALE_SHARE) ? this.#random.pick(MEMBERS) : undefined
    const ticket = numbers.ticket(store.storeId)
    recordStep(
      services.pos,
      'POST /sales',
      { attributes: { store_id: store.storeId, 'pos.ticket': ticket, 'pos.member': member !== undefined } },
      t - this.#random.between(20, 90) * SECOND,
      t,
    )
    ledger.inStoreSales++
    this.#moveStock(store, t + 200)
    if (member !== undefined) this.#syncs.points.change(services.pos, 'POS', member.memberId, t + 400, { member_id: member.memberId })
  }

  #moveStock(store: Store, atMs: number): void {
    const sku = `SKU${String(this.#random.int(1, SKUS)).padStart(4, '0')}`
    this.#syncs.stock.change(this.#ctx.services.pos, 'POS', `${store.storeId}/${sku}`, atMs)
  }

  /** Serves the OMS's POST /store-orders: accepts (a store order number) or declines (no stock). */
  receiveOrder(carrier: TraceCarrier, order: OnlineOrderRecord, routing: RoutingRecord, accepted: boolean, start: number, end: number): void {
    const { numbers, services, world } = this.#ctx
    const storeOrderNo = accepted ? numbers.storeOrder(routing.store.storeId) : undefined
    const keys: BusinessKeysInput =
      storeOrderNo === undefined ? { routing_id: routing.routingId } : { routing_id: routing.routingId, store_order_no: storeOrderNo }
    recordStep(
      services.pos,
      'POST /store-orders',
      {
        kind: SpanKind.SERVER,
        context: extract(carrier),
        process: PROCESS,
        milestone: accepted ? 'store.accepted' : 'store.rejected',
        system: 'POS',
        object: 'store_order',
        keys,
        attributes: { ...serverAttributes('POST', '/api/store-orders', accepted ? 201 : 200), store_id: routing.store.storeId, 'pos.order.accepted': accepted },
      },
      start,
      end,
    )
    routing.outcome = accepted ? 'accepted' : 'declined'
    routing.answeredAt = end
    if (storeOrderNo === undefined) return
    order.storeOrderNo = storeOrderNo
    order.acceptedAt = end
    const pickAt = this.#inHours(end, this.#random.between(5, 40) * MINUTE)
    world.scheduler.at(pickAt, () => this.#picked(order, routing.store))
  }

  #event(order: OnlineOrderRecord, milestone: string, keys: BusinessKeysInput, t: number, attributes: Record<string, string> = {}): void {
    const pos = this.#ctx.services.pos
    recordBusinessEvent(pos.logger, {
      process: PROCESS,
      milestone,
      system: 'POS',
      object: 'store_order',
      keys: { store_order_no: order.storeOrderNo!, ...keys },
      eventId: `POS:store_order:${order.storeOrderNo!}:${milestone}`,
      time: pos.clock(t),
      attributes: { store_id: order.routings.at(-1)!.store.storeId, ...attributes },
      context: ROOT_CONTEXT,
    })
  }

  #picked(order: OnlineOrderRecord, store: Store): void {
    const t = this.#ctx.world.scheduler.now()
    order.pickedAt = t
    this.#event(order, 'order.picked', {}, t)
    // The picked goods leave the store's stock.
    this.#moveStock(store, t + 500)
    this.#ctx.world.scheduler.at(this.#inHours(t, this.#random.between(3, 10) * MINUTE), () => this.#packed(order))
  }

  #packed(order: OnlineOrderRecord): void {
    const { world, numbers } = this.#ctx
    const t = world.scheduler.now()
    order.packedAt = t
    this.#event(order, 'order.packed', {}, t)
    if (order.fulfilment === 'pickup') {
      const readyAt = t + this.#random.between(1, 3) * MINUTE
      world.scheduler.at(readyAt, () => {
        const code = numbers.pickupCode()
        order.pickupCode = code
        order.readyAt = readyAt
        this.#event(order, 'order.ready_for_pickup', { pickup_code: code }, readyAt)
        // The customer comes in opening hours, mostly the same or the next day.
        const collectAt = this.#inHours(readyAt, Math.min(30 * HOUR, this.#random.logNormal(4 * HOUR, 0.8)))
        world.scheduler.at(collectAt, () => {
          order.pickedUpAt = collectAt
          this.#pickups.pickedUp(order, collectAt)
        })
      })
      return
    }
    this.#bookCourier(order, t + this.#random.between(1, 5) * MINUTE)
  }

  #bookCourier(order: OnlineOrderRecord, t: number): void {
    const { services, world } = this.#ctx
    world.scheduler.at(t, () => {
      const call = openStep(
        services.pos,
        'POST /shipments',
        {
          kind: SpanKind.CLIENT,
          integration: Integration.shipments,
          sourceSystem: 'POS',
          targetSystem: 'CARRIER',
          operationId: `${Integration.shipments}:${order.storeOrderNo!}`,
          attempt: 1,
          keys: { store_order_no: order.storeOrderNo! },
          attributes: httpAttributes('POST', 'https://open.carrier.example.cn/api/v1/shipments'),
        },
        t,
      )
      const end = t + this.#random.between(200, 900)
      const shipmentId = this.#carrier.book(call, order, t + 30, end - 20)
      closeStep(call, end, { keys: { shipment_id: shipmentId }, attributes: { 'http.response.status_code': 201 } })
      // The courier collects within hours, in opening hours: the order has shipped.
      const collectAt = this.#inHours(end, this.#random.between(20, 180) * MINUTE)
      world.scheduler.at(collectAt, () => {
        order.shippedAt = collectAt
        this.#event(order, 'order.shipped', { shipment_id: shipmentId }, collectAt)
        this.#carrier.collected(order, collectAt)
      })
    })
  }
}
