// The manufacturing execution system (service mes-shopfloor, system MES): the
// erp.production-orders consumer puts each released production order on the plant's schedule
// as a job (production.scheduled, with the MES's job number and the work centre); in plant
// hours the line starts it (production.started: the WMS stages the components) and completes
// it (production.completed); the shift confirms yield and scrap at the terminal (reported by
// the shift batch, shift-batch.ts), and the MES books the finished goods into the warehouse
// (POST /api/inbound/receipts to the WMS, the mes-to-wms-receipts integration). Faults:
// consumer_stopped (released orders wait unscheduled), duplicate_deliveries (messages
// redelivered, consumed again as attempt 2 and recognised as scheduled), clock_skew (the MES
// clocks run behind).
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api'
import { addBusinessTime } from '../../core/calendar.ts'
import { recordBusinessEvent } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { StoppableConsumer } from '../stoppable-consumer.ts'
import { closeStep, extract, inject, openStep, recordStep } from '../steps.ts'
import { HOUR, httpAttributes, Integration, messagingAttributes, MINUTE, PLANT_HOURS, PROCESS, SECOND, type Manufacturing } from './context.ts'
import type { ProductionOrderMessage } from './erp.ts'
import type { OrderRecord } from './ledger.ts'
import type { Wms } from './wms.ts'

const REDELIVERY_RATE = 0.3
/** Scrap per job: none, or a piece or two. */
const SCRAP_RATE = 0.15

export interface YieldListener {
  confirmed(order: OrderRecord): void
}

export class Mes {
  readonly #ctx: Manufacturing
  readonly #random: SeededRandom
  readonly #wms: Wms
  readonly #shift: YieldListener
  readonly #consumer: StoppableConsumer<ProductionOrderMessage>

  constructor(ctx: Manufacturing, wms: Wms, shift: YieldListener) {
    this.#ctx = ctx
    this.#random = ctx.world.random.fork('mes')
    this.#wms = wms
    this.#shift = shift
    this.#consumer = new StoppableConsumer<ProductionOrderMessage>({
      world: ctx.world,
      random: this.#random,
      pace: { backlog: [0.5, 1.5], lone: [0.2, 3] },
      consume: (message) => this.#consume(message),
      onBacklog: (length) => {
        const counters = this.#ctx.ledger.counters
        counters.orderBacklogMax = Math.max(counters.orderBacklogMax, length)
      },
    })
  }

  receive(message: ProductionOrderMessage, atMs: number): void {
    this.#ctx.world.scheduler.at(atMs, () => {
      this.#consumer.arrive(message)
    })
  }

  /** `ms` of plant hours after `fromMs`: shop-floor work waits for the next shift. */
  #inHours(fromMs: number, ms: number): number {
    return addBusinessTime(PLANT_HOURS, new Date(fromMs), ms).getTime()
  }

  #consume(message: ProductionOrderMessage): void {
    const { world, services, ledger, numbers } = this.#ctx
    const t = world.scheduler.now()
    const { order } = message
    const productionOrderNo = order.productionOrderNo!
    const consumer = openStep(
      services.mes,
      'erp.production-orders process',
      {
        kind: SpanKind.CONSUMER,
        context: extract(message.carrier),
        integration: Integration.productionOrders,
        sourceSystem: 'ERP',
        targetSystem: 'MES',
        operationId: `${Integration.productionOrders}:${productionOrderNo}`,
        attempt: message.deliveryCount + 1,
        keys: { production_order_no: productionOrderNo },
        attributes: messagingAttributes('erp.production-orders', 'process', message.messageId),
      },
      t,
    )
    ledger.counters.orderConsumed++
    if (order.mesJobId !== undefined) ledger.counters.orderRedelivered++
    else {
      const mesJobId = numbers.mesJob()
      recordStep(
        services.mes,
        'schedule job',
        {
          context: consumer.context,
          process: PROCESS,
          milestone: 'production.scheduled',
          system: 'MES',
          object: 'mes_job',
          keys: { mes_job_id: mesJobId, production_order_no: productionOrderNo },
          attributes: { work_center: order.product.workCenter, quantity: order.quantity },
        },
        t + 10,
        t + 40,
      )
      order.mesJobId = mesJobId
      order.scheduledAt = t + 40
      world.scheduler.at(this.#inHours(t + 40, this.#random.between(10, 60) * MINUTE), () => this.#started(order))
    }
    closeStep(consumer, t + this.#random.between(50, 120))
    // At-least-once: the broker did not see the ack and delivers the message again.
    if (message.deliveryCount === 0 && world.faults.active('duplicate_deliveries', t) && this.#random.chance(REDELIVERY_RATE)) {
      this.receive({ ...message, deliveryCount: 1 }, t + this.#random.between(5, 60) * SECOND)
    }
  }

  #event(order: OrderRecord, milestone: string, t: number, attributes: Record<string, string | number> = {}): void {
    const mes = this.#ctx.services.mes
    recordBusinessEvent(mes.logger, {
      process: PROCESS,
      milestone,
      system: 'MES',
      object: 'mes_job',
      keys: { mes_job_id: order.mesJobId! },
      eventId: `MES:mes_job:${order.mesJobId!}:${milestone}`,
      time: mes.clock(t),
      attributes: { work_center: order.product.workCenter, ...attributes },
      context: ROOT_CONTEXT,
    })
  }

  #started(order: OrderRecord): void {
    const t = this.#ctx.world.scheduler.now()
    order.startedAt = t
    this.#event(order, 'production.started', t, { operation: '0010' })
    this.#wms.stage(order, t)
    const runtime = this.#random.between(1, 3) * HOUR
    this.#ctx.world.scheduler.at(this.#inHours(t, runtime), () => this.#completed(order))
  }

  #completed(order: OrderRecord): void {
    const { world } = this.#ctx
    const t = world.scheduler.now()
    order.completedAt = t
    this.#event(order, 'production.completed', t, { operation: '0030', quantity: order.quantity })
    // The shift lead confirms yield and scrap at the terminal within minutes.
    const confirmAt = t + this.#random.between(0.5, 3) * MINUTE
    world.scheduler.at(confirmAt, () => {
      order.yieldConfirmedAt = confirmAt
      order.scrap = this.#random.chance(SCRAP_RATE) ? this.#random.int(1, 2) : 0
      this.#shift.confirmed(order)
    })
    world.scheduler.at(this.#inHours(t, this.#random.between(5, 20) * MINUTE), () => this.#bookReceipt(order))
  }

  /** The pallet goes to the warehouse: the MES books the goods receipt in the WMS. */
  #bookReceipt(order: OrderRecord): void {
    const { services, world } = this.#ctx
    const t = world.scheduler.now()
    const call = openStep(
      services.mes,
      'POST /api/inbound/receipts',
      {
        kind: SpanKind.CLIENT,
        integration: Integration.receipts,
        sourceSystem: 'MES',
        targetSystem: 'WMS',
        operationId: `${Integration.receipts}:${order.mesJobId!}`,
        attempt: 1,
        keys: { mes_job_id: order.mesJobId!, production_order_no: order.productionOrderNo! },
        attributes: httpAttributes('POST', 'https://wms.plant1000.example.com/api/inbound/receipts'),
      },
      t,
    )
    const end = t + this.#random.between(200, 900)
    const handlingUnitId = this.#wms.receive(inject(call.context), order, t + 30, end - 20)
    closeStep(call, end, { keys: { handling_unit_id: handlingUnitId }, attributes: { 'http.response.status_code': 201 } })
  }
}
