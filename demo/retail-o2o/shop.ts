// The online shop (service shop-web, system ECOM): customers place orders (order.placed on
// the POST /api/orders server span, with the fulfilment they chose: shipping or pick-up in a
// store) and pay through the payment gateway (payment.captured on its server span); the paid
// order goes to the OMS on the ecom.orders topic, the points it earns to the CRM. A few
// customers never pay: the shop cancels those after 30 minutes. Members also edit their
// profiles, which sync to the CRM.
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api'
import { recordBusinessEvent } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, inject, openStep, recordStep, type Carrier } from '../steps.ts'
import {
  CURRENCY,
  HOUR,
  httpAttributes,
  Integration,
  messagingAttributes,
  MINUTE,
  money,
  PROCESS,
  SECOND,
  serverAttributes,
  type RetailO2O,
} from './context.ts'
import type { Fulfilment, OnlineOrderRecord } from './ledger.ts'
import { MEMBERS } from './stores.ts'
import type { SyncFlow } from './sync-flow.ts'

export const PICKUP_SHARE = 0.45
const UNPAID_RATE = 0.02
const PAY_URL = 'https://pay.example.cn/v3/pay/transactions'

export interface OrderMessage {
  readonly carrier: Carrier
  readonly order: OnlineOrderRecord
  readonly messageId: string
  /** Times the broker delivered it before. */
  readonly deliveryCount: number
}

export interface ShopSyncs {
  readonly points: SyncFlow
  readonly members: SyncFlow
}

export class Shop {
  readonly #ctx: RetailO2O
  readonly #random: SeededRandom
  readonly #syncs: ShopSyncs
  readonly #send: (message: OrderMessage, atMs: number) => void
  readonly #memberChangesPerHour: number

  constructor(ctx: RetailO2O, syncs: ShopSyncs, send: (message: OrderMessage, atMs: number) => void, memberChangesPerHour: number) {
    this.#ctx = ctx
    this.#random = ctx.world.random.fork('shop')
    this.#syncs = syncs
    this.#send = send
    this.#memberChangesPerHour = memberChangesPerHour
  }

  start(): void {
    this.#nextOrder(this.#ctx.world.startMs)
    if (this.#memberChangesPerHour > 0) this.#nextProfileChange(this.#ctx.world.startMs)
  }

  #nextOrder(fromMs: number): void {
    const { scheduler } = this.#ctx.world
    scheduler.at(fromMs + this.#random.exponential(HOUR / this.#ctx.options.ordersPerHour), () => {
      this.#place(scheduler.now())
      this.#nextOrder(scheduler.now())
    })
  }

  #nextProfileChange(fromMs: number): void {
    const { scheduler } = this.#ctx.world
    scheduler.at(fromMs + this.#random.exponential(HOUR / this.#memberChangesPerHour), () => {
      const member = this.#random.pick(MEMBERS)
      this.#syncs.members.change(this.#ctx.services.shop, 'ECOM', member.memberId, scheduler.now(), { member_id: member.memberId })
      this.#nextProfileChange(scheduler.now())
    })
  }

  #place(t: number): void {
    const { numbers, ledger, services, world } = this.#ctx
    const member = this.#random.pick(MEMBERS)
    const fulfilment: Fulfilment = this.#random.chance(PICKUP_SHARE) ? 'pickup' : 'ship'
    const order = ledger.open({
      orderNo: numbers.onlineOrder(),
      member,
      fulfilment,
      value: money(Math.min(5_000, this.#random.logNormal(260, 0.7))),
      placedAt: t,
    })
    recordStep(
      services.shop,
      'POST /api/orders',
      {
        kind: SpanKind.SERVER,
        process: PROCESS,
        milestone: 'order.placed',
        system: 'ECOM',
        object: 'online_order',
        value: order.value,
        currency: CURRENCY,
        keys: { online_order_no: order.orderNo, member_id: member.memberId },
        attributes: { ...serverAttributes('POST', '/api/orders', 201), fulfilment },
      },
      t - this.#random.between(80, 300),
      t,
    )
    if (this.#random.chance(UNPAID_RATE)) {
      world.scheduler.at(t + 30 * MINUTE, () => this.#cancelUnpaid(order))
      return
    }
    world.scheduler.at(t + this.#random.between(15, 120) * SECOND, () => this.#pay(order))
  }

  #pay(order: OnlineOrderRecord): void {
    const { numbers, services, world } = this.#ctx
    const t = world.scheduler.now()
    const paymentId = numbers.payment()
    const call = openStep(
      services.shop,
      'POST /v3/pay/transactions',
      {
        kind: SpanKind.CLIENT,
        integration: Integration.payments,
        sourceSystem: 'ECOM',
        targetSystem: 'PAY',
        operationId: `${Integration.payments}:${order.orderNo}`,
        attempt: 1,
        keys: { online_order_no: order.orderNo },
        attributes: httpAttributes('POST', PAY_URL),
      },
      t,
    )
    const end = t + this.#random.between(300, 1_500)
    recordStep(
      services.pay,
      'POST /v3/pay/transactions',
      {
        kind: SpanKind.SERVER,
        context: call.context,
        process: PROCESS,
        milestone: 'payment.captured',
        system: 'PAY',
        object: 'payment',
        keys: { payment_id: paymentId, online_order_no: order.orderNo },
        attributes: serverAttributes('POST', '/v3/pay/transactions', 200),
      },
      t + 30,
      end - 20,
    )
    closeStep(call, end, { keys: { payment_id: paymentId }, attributes: { 'http.response.status_code': 200 } })
    order.paymentId = paymentId
    order.paidAt = end
    // Points for the purchase go to the CRM; the order to the OMS, to be routed to a store.
    this.#syncs.points.change(services.shop, 'ECOM', order.member.memberId, end + 50, { member_id: order.member.memberId })
    const messageId = numbers.message('ecom.orders')
    const publish = recordStep(
      services.shop,
      'ecom.orders publish',
      {
        kind: SpanKind.PRODUCER,
        context: call.context,
        integration: Integration.orders,
        sourceSystem: 'ECOM',
        targetSystem: 'OMS',
        keys: { online_order_no: order.orderNo },
        attributes: messagingAttributes('ecom.orders', 'send', messageId),
      },
      end + 60,
      end + 80,
    )
    this.#ctx.ledger.counters.routingMessages++
    this.#send({ carrier: inject(publish.context), order, messageId, deliveryCount: 0 }, end + 80 + this.#random.between(0.2, 2) * SECOND)
  }

  #cancelUnpaid(order: OnlineOrderRecord): void {
    const shop = this.#ctx.services.shop
    const t = this.#ctx.world.scheduler.now()
    order.cancelledAt = t
    recordBusinessEvent(shop.logger, {
      process: PROCESS,
      milestone: 'order.cancelled',
      system: 'ECOM',
      object: 'online_order',
      status: 'cancelled',
      keys: { online_order_no: order.orderNo },
      eventId: `ECOM:online_order:${order.orderNo}:cancelled`,
      time: shop.clock(t),
      attributes: { cancel_reason: 'unpaid' },
      context: ROOT_CONTEXT,
    })
  }
}
