// The erp.outbound.deliveries queue and its consumer, the erp-to-wms-deliveries flow
// (service delivery-sync): one message at a time, each a POST /deliveries to the WMS. When
// the consumer is stopped (consumer_stopped) messages wait and their orders sit after the
// stock reservation; when it restarts it drains the backlog. Under duplicate_deliveries the
// broker redelivers some messages; the copy is processed again as attempt 2.
import { SpanKind } from '@opentelemetry/api'
import type { SeededRandom } from '../random.ts'
import { StoppableConsumer } from '../stoppable-consumer.ts'
import { closeStep, extract, inject, openStep, type Carrier } from '../steps.ts'
import { httpAttributes, Integration, messagingAttributes, PROCESS, SECOND, type LeadToCash } from './context.ts'
import type { OrderRecord } from './ledger.ts'
import type { Wms } from './wms.ts'

export interface DeliveryMessage {
  readonly carrier: Carrier
  readonly order: OrderRecord
  /** Which planned delivery of the order. */
  readonly index: number
  readonly messageId: string
  /** Times the broker delivered it before. */
  readonly deliveryCount: number
}

const WMS_URL = 'https://wms.example.cn/api/v2/deliveries'
const REDELIVERY_RATE = 0.3

export class DeliveryQueue {
  readonly #l2c: LeadToCash
  readonly #wms: Wms
  readonly #random: SeededRandom
  readonly #consumer: StoppableConsumer<DeliveryMessage>

  constructor(l2c: LeadToCash, wms: Wms) {
    this.#l2c = l2c
    this.#wms = wms
    this.#random = l2c.world.random.fork('delivery-queue')
    this.#consumer = new StoppableConsumer<DeliveryMessage>({
      world: this.#l2c.world,
      random: this.#random,
      pace: { backlog: [2, 4], lone: [1, 20] },
      consume: (message) => this.#consume(message),
      onBacklog: (length) => {
        const counters = this.#l2c.ledger.counters
        counters.deliveryBacklogMax = Math.max(counters.deliveryBacklogMax, length)
      },
    })
  }

  get backlog(): number {
    return this.#consumer.backlog
  }

  publish(message: DeliveryMessage, atMs: number): void {
    this.#l2c.world.scheduler.at(atMs, () => {
      this.#consumer.arrive(message)
    })
  }

  #consume(message: DeliveryMessage): void {
    const { world, services, ledger } = this.#l2c
    const t = world.scheduler.now()
    const { order } = message
    const delivery = order.deliveries.find((d) => d.index === message.index)
    if (delivery === undefined) return
    const operation = {
      process: PROCESS,
      integration: Integration.deliveries,
      sourceSystem: 'ERP',
      targetSystem: 'WMS',
      operationId: `${Integration.deliveries}:${order.soNumber!}-${message.index}`,
      attempt: message.deliveryCount + 1,
    }
    const consumer = openStep(
      services.deliverySync,
      'erp.outbound.deliveries process',
      {
        kind: SpanKind.CONSUMER,
        context: extract(message.carrier),
        ...operation,
        attributes: messagingAttributes('erp.outbound.deliveries', 'process', message.messageId),
      },
      t,
    )
    const end = t + this.#random.between(150, 900)
    const call = openStep(
      services.deliverySync,
      'POST /deliveries',
      { kind: SpanKind.CLIENT, context: consumer.context, ...operation, attributes: httpAttributes('POST', WMS_URL) },
      t + 4,
    )
    const repeat = delivery.deliveryId !== undefined
    this.#wms.createDelivery(inject(call.context), delivery, order, t + 20, end - 15)
    closeStep(call, end, { keys: { delivery_id: delivery.deliveryId! }, attributes: { 'http.response.status_code': repeat ? 200 : 201 } })
    closeStep(consumer, end + 3)
    ledger.counters.deliveriesConsumed++
    if (repeat) ledger.counters.deliveriesRedelivered++
    // At-least-once: the broker did not see the ack and delivers the message again.
    if (message.deliveryCount === 0 && world.faults.active('duplicate_deliveries', t) && this.#random.chance(REDELIVERY_RATE)) {
      this.publish({ ...message, deliveryCount: 1 }, end + this.#random.between(5, 60) * SECOND)
    }
  }
}
