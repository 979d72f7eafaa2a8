// The WMS's nightly export (service wms-nightly-export): at 01:30 Shanghai time it sends the
// goods issues posted since its last run as log records "Goods issue posted for delivery
// <id>", dated when each happened (the definition recognises goods_issue.posted by that body
// and service). Under late_batch the run starts hours late and the day's goods issues arrive
// with it.
import { SeverityNumber } from '@opentelemetry/api'
import { wallClockToInstant, zoneOffsetMs } from '../../core/calendar.ts'
import { BusinessAttr, businessKeyAttributes, businessKeys } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, openStep } from '../steps.ts'
import { DAY, HOUR, MINUTE, PROCESS, SECOND, type LeadToCash } from './context.ts'
import type { DeliveryRecord, OrderRecord } from './ledger.ts'
import type { GoodsIssueListener } from './wms.ts'

const TIME_ZONE = 'Asia/Shanghai'
const RUNS_AT_LOCAL = 90 * MINUTE
export const LATE_BATCH_DELAY = 6 * HOUR

interface GoodsIssue {
  readonly order: OrderRecord
  readonly delivery: DeliveryRecord
  readonly atMs: number
}

/** The first local 01:30 strictly after `afterMs`. */
export function nextNightlyRun(afterMs: number): number {
  const localDayStart = Math.floor((afterMs + zoneOffsetMs(TIME_ZONE, afterMs)) / DAY) * DAY
  for (let day = localDayStart; ; day += DAY) {
    const run = wallClockToInstant(TIME_ZONE, day + RUNS_AT_LOCAL)
    if (run > afterMs) return run
  }
}

export class NightlyExport implements GoodsIssueListener {
  readonly #l2c: LeadToCash
  readonly #random: SeededRandom
  #pending: GoodsIssue[] = []

  constructor(l2c: LeadToCash) {
    this.#l2c = l2c
    this.#random = l2c.world.random.fork('nightly-export')
  }

  start(): void {
    this.#schedule(this.#l2c.world.startMs)
  }

  goodsIssued(order: OrderRecord, delivery: DeliveryRecord, atMs: number): void {
    this.#pending.push({ order, delivery, atMs })
  }

  #schedule(afterMs: number): void {
    const nominal = nextNightlyRun(afterMs)
    const late = this.#l2c.world.faults.active('late_batch', nominal)
    this.#l2c.world.scheduler.at(nominal + (late ? LATE_BATCH_DELAY : 0) + this.#random.between(0, 90) * SECOND, () => {
      this.#run(nominal, late)
      this.#schedule(nominal)
    })
  }

  #run(nominal: number, late: boolean): void {
    const { services, ledger, world } = this.#l2c
    const t = world.scheduler.now()
    const batch = this.#pending.filter((gi) => gi.atMs <= t)
    this.#pending = this.#pending.filter((gi) => gi.atMs > t)
    ledger.counters.exportRuns++
    if (late) ledger.counters.lateExportRuns++
    const service = services.wmsExport
    const run = openStep(
      service,
      'goods issue export',
      { attributes: { 'wms.export.records': batch.length, 'wms.export.scheduled_for': new Date(nominal).toISOString() } },
      t,
    )
    for (const { order, delivery, atMs } of batch) {
      service.logger.emit({
        timestamp: service.clock(atMs),
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        body: `Goods issue posted for delivery ${delivery.deliveryId!} (sales order ${order.soNumber!}, plant SH01)`,
        attributes: {
          [BusinessAttr.process]: PROCESS,
          [BusinessAttr.system]: 'WMS',
          [BusinessAttr.object]: 'delivery',
          'wms.plant': 'SH01',
          ...businessKeyAttributes(businessKeys({ delivery_id: delivery.deliveryId!, so_number: order.soNumber! })),
        },
        context: run.context,
      })
      delivery.exportedAt = t
    }
    ledger.counters.goodsIssuesExported += batch.length
    closeStep(run, t + 5 * SECOND + batch.length * 40)
  }
}
