// The order management system (service oms-router, system OMS): the ecom.orders consumer
// routes each paid online order to the nearest store with the goods, as the central
// inventory service shows them (order.routed, with the OMS's routing id), and hands it to the
// store's POS (POST /store-orders, the oms-to-pos-orders integration). A store without the
// goods declines (an oversell: the inventory view was stale); the OMS routes the order to the
// next store, and cancels it when three stores have declined. Faults: consumer_stopped (orders
// wait, paid and unrouted), pos_down (503 or a 30 s timeout, retried with backoff under one
// operation id), duplicate_deliveries (messages redelivered, consumed again as attempt 2 and
// recognised as already routed).
import { ROOT_CONTEXT, SpanKind, type Context } from '@opentelemetry/api'
import { IntegrationError, recordBusinessEvent } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { StoppableConsumer } from '../stoppable-consumer.ts'
import { closeStep, extract, inject, openStep, recordStep } from '../steps.ts'
import { httpAttributes, Integration, messagingAttributes, MINUTE, PROCESS, SECOND, type RetailO2O } from './context.ts'
import type { OnlineOrderRecord, RoutingRecord } from './ledger.ts'
import type { OrderMessage } from './shop.ts'
import type { StorePos } from './store-pos.ts'
import { storesByDistance } from './stores.ts'
import type { SyncFlow } from './sync-flow.ts'

const REDELIVERY_RATE = 0.3
const MAX_ROUTINGS = 3
/** Minutes before each retry of a failed POS call; then every 30 minutes. */
const RETRY_MINUTES = [1, 2, 4, 8, 15, 30]
const TIMEOUT_MS = 30 * SECOND
/** Oversell: the chance a store lacks goods the inventory view shows, before and as the view goes stale. */
const BASE_OVERSELL = 0.01
const MAX_OVERSELL = 0.7
const FULLY_STALE_MS = 30 * MINUTE

export class Oms {
  readonly #ctx: RetailO2O
  readonly #random: SeededRandom
  readonly #pos: StorePos
  readonly #stock: SyncFlow
  readonly #consumer: StoppableConsumer<OrderMessage>

  constructor(ctx: RetailO2O, pos: StorePos, stock: SyncFlow) {
    this.#ctx = ctx
    this.#random = ctx.world.random.fork('oms')
    this.#consumer = new StoppableConsumer<OrderMessage>({
      world: this.#ctx.world,
      random: this.#random,
      pace: { backlog: [0.5, 1.5], lone: [0.2, 3] },
      consume: (message) => this.#consume(message),
      onBacklog: (length) => {
        const counters = this.#ctx.ledger.counters
        counters.routingBacklogMax = Math.max(counters.routingBacklogMax, length)
      },
    })
    this.#pos = pos
    this.#stock = stock
  }

  receive(message: OrderMessage, atMs: number): void {
    this.#ctx.world.scheduler.at(atMs, () => {
      this.#consumer.arrive(message)
    })
  }

  #consume(message: OrderMessage): void {
    const { world, services, ledger } = this.#ctx
    const t = world.scheduler.now()
    const { order } = message
    const consumer = openStep(
      services.oms,
      'ecom.orders process',
      {
        kind: SpanKind.CONSUMER,
        context: extract(message.carrier),
        integration: Integration.orders,
        sourceSystem: 'ECOM',
        targetSystem: 'OMS',
        operationId: `${Integration.orders}:${order.orderNo}`,
        attempt: message.deliveryCount + 1,
        keys: { online_order_no: order.orderNo },
        attributes: messagingAttributes('ecom.orders', 'process', message.messageId),
      },
      t,
    )
    ledger.counters.routingConsumed++
    const repeat = order.routings.length > 0
    if (repeat) ledger.counters.routingRedelivered++
    else this.#route(order, consumer.context, t + 10)
    closeStep(consumer, t + this.#random.between(20, 80))
    // At-least-once: the broker did not see the ack and delivers the message again.
    if (message.deliveryCount === 0 && world.faults.active('duplicate_deliveries', t) && this.#random.chance(REDELIVERY_RATE)) {
      this.receive({ ...message, deliveryCount: 1 }, t + this.#random.between(5, 60) * SECOND)
    }
  }

  /** Chance that a store lacks what the inventory view shows at `atMs`: grows as the view goes stale. */
  #oversellChance(atMs: number): number {
    return BASE_OVERSELL + (MAX_OVERSELL - BASE_OVERSELL) * Math.min(1, this.#stock.staleness(atMs) / FULLY_STALE_MS)
  }

  #route(order: OnlineOrderRecord, context: Context, t: number): void {
    const { numbers, services } = this.#ctx
    const declined = new Set(order.routings.map((r) => r.store.storeId))
    const store = storesByDistance(order.member).find((s) => !declined.has(s.storeId))
    if (store === undefined || order.routings.length >= MAX_ROUTINGS) return this.#cancel(order, t)
    const routing: RoutingRecord = { routingId: numbers.routing(), store, routedAt: t + 15 }
    order.routings.push(routing)
    const step = recordStep(
      services.oms,
      'route order',
      {
        context,
        process: PROCESS,
        milestone: 'order.routed',
        system: 'OMS',
        object: 'routing',
        keys: { online_order_no: order.orderNo, routing_id: routing.routingId },
        attributes: { store_id: store.storeId, fulfilment: order.fulfilment, 'oms.routing.attempt': order.routings.length },
      },
      t,
      t + 15,
    )
    this.#callPos(order, routing, 1, step.context, t + 20)
  }

  #callPos(order: OnlineOrderRecord, routing: RoutingRecord, attempt: number, context: Context, t: number): void {
    const { services, world, ledger } = this.#ctx
    order.posAttempts++
    const call = openStep(
      services.oms,
      'POST /store-orders',
      {
        kind: SpanKind.CLIENT,
        context,
        integration: Integration.storeOrders,
        sourceSystem: 'OMS',
        targetSystem: 'POS',
        operationId: `${Integration.storeOrders}:${routing.routingId}`,
        attempt,
        keys: { routing_id: routing.routingId },
        attributes: {
          ...httpAttributes('POST', `https://pos-${routing.store.storeId.toLowerCase()}.stores.example.cn/api/store-orders`),
          store_id: routing.store.storeId,
        },
      },
      t,
    )
    if (world.faults.active('pos_down', t)) {
      const timeout = this.#random.chance(0.3)
      const end = t + (timeout ? TIMEOUT_MS : this.#random.between(100, 900))
      closeStep(
        call,
        end,
        timeout
          ? { error: new IntegrationError('timeout', `store POS ${routing.store.storeId} did not answer within 30 s`) }
          : {
              attributes: { 'http.response.status_code': 503 },
              error: new IntegrationError('503', `store POS ${routing.store.storeId} answered 503 Service Unavailable`),
            },
      )
      ledger.counters.posCalls[timeout ? 'timeout' : 'unavailable']++
      const wait = (RETRY_MINUTES[attempt - 1] ?? 30) * MINUTE
      world.scheduler.at(end + wait, () => this.#callPos(order, routing, attempt + 1, context, world.scheduler.now()))
      return
    }
    const end = t + this.#random.between(150, 700)
    const accepted = !this.#random.chance(this.#oversellChance(t))
    this.#pos.receiveOrder(inject(call.context), order, routing, accepted, t + 20, end - 15)
    // A declined order is a business answer, not a failed call: 200 with accepted=false.
    closeStep(call, end, { attributes: { 'http.response.status_code': accepted ? 201 : 200, 'pos.order.accepted': accepted } })
    ledger.counters.posCalls[accepted ? 'accepted' : 'declined']++
    if (!accepted) world.scheduler.at(end + this.#random.between(1, 5) * SECOND, () => this.#route(order, ROOT_CONTEXT, world.scheduler.now()))
  }

  #cancel(order: OnlineOrderRecord, t: number): void {
    const oms = this.#ctx.services.oms
    order.cancelledAt = t
    recordBusinessEvent(oms.logger, {
      process: PROCESS,
      milestone: 'order.cancelled',
      status: 'cancelled',
      system: 'OMS',
      object: 'online_order',
      keys: { online_order_no: order.orderNo },
      eventId: `OMS:online_order:${order.orderNo}:cancelled`,
      time: oms.clock(t),
      attributes: { cancel_reason: 'no_store_with_stock' },
      context: ROOT_CONTEXT,
    })
  }
}
