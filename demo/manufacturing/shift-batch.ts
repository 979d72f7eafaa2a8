// The MES's shift report (system MES_BATCH, a legacy route with no OpenTelemetry SDK): the
// shift leads confirm yield and scrap of each finished job at the shop-floor terminals; at
// the end of each shift (14:00 and 22:00 Shanghai time) the shift's confirmations go up in one
// file, and a bridge posts them to POST /v1/events (yield.reported, dated when confirmed, the
// MES job as key). Under late_batch the upload of a shift ending in the fault window arrives
// hours late.
import { wallClockToInstant, zoneOffsetMs } from '../../core/calendar.ts'
import type { SeededRandom } from '../random.ts'
import type { PostedEvent } from '../sink.ts'
import { DAY, HOUR, Integration, PROCESS, SECOND, SHIFT_BATCH_SYSTEM, type Manufacturing } from './context.ts'
import type { OrderRecord } from './ledger.ts'
import type { YieldListener } from './mes.ts'

const TIME_ZONE = 'Asia/Shanghai'
/** The shift ends, local time: the early and the late shift. */
const SHIFT_ENDS_LOCAL = [14 * HOUR, 22 * HOUR]
export const SHIFT_BATCH_LATE_DELAY = 8 * HOUR

/** The first shift end (14:00 or 22:00 local) strictly after `afterMs`. */
export function nextShiftEnd(afterMs: number): number {
  const localDayStart = Math.floor((afterMs + zoneOffsetMs(TIME_ZONE, afterMs)) / DAY) * DAY
  for (let day = localDayStart; ; day += DAY) {
    for (const end of SHIFT_ENDS_LOCAL) {
      const instant = wallClockToInstant(TIME_ZONE, day + end)
      if (instant > afterMs) return instant
    }
  }
}

export class ShiftBatch implements YieldListener {
  readonly #ctx: Manufacturing
  readonly #random: SeededRandom
  #confirmations: OrderRecord[] = []

  constructor(ctx: Manufacturing) {
    this.#ctx = ctx
    this.#random = ctx.world.random.fork('shift-batch')
  }

  start(): void {
    this.#schedule(this.#ctx.world.startMs)
  }

  confirmed(order: OrderRecord): void {
    this.#confirmations.push(order)
  }

  #schedule(afterMs: number): void {
    const nominal = nextShiftEnd(afterMs)
    // The cut-off is the shift end: what was confirmed before it is in that shift's file.
    this.#ctx.world.scheduler.at(nominal, () => {
      const batch = this.#confirmations.filter((o) => o.yieldConfirmedAt! <= nominal)
      this.#confirmations = this.#confirmations.filter((o) => o.yieldConfirmedAt! > nominal)
      const late = this.#ctx.world.faults.active('late_batch', nominal)
      if (late) this.#ctx.ledger.counters.lateBatchRuns++
      const uploadAt = nominal + (late ? SHIFT_BATCH_LATE_DELAY : 0) + this.#random.between(600, 1_200) * SECOND
      this.#ctx.world.scheduler.at(uploadAt, () => this.#upload(batch))
      this.#schedule(nominal)
    })
  }

  #upload(batch: readonly OrderRecord[]): void {
    const { ledger, world } = this.#ctx
    const now = world.scheduler.now()
    ledger.counters.batchRuns++
    if (batch.length === 0) return
    world.events.post(batch.map(report))
    for (const order of batch) order.yieldPostedAt = now
  }
}

const report = (order: OrderRecord): PostedEvent => ({
  process: PROCESS,
  milestone: 'yield.reported',
  system: SHIFT_BATCH_SYSTEM,
  object: 'mes_job',
  keys: { mes_job_id: order.mesJobId!, production_order_no: order.productionOrderNo! },
  time: new Date(order.yieldConfirmedAt!).toISOString(),
  event_id: `MES:yield:${order.mesJobId!}`,
  integration: Integration.shiftBatch,
  source_system: 'MES',
  target_system: SHIFT_BATCH_SYSTEM,
  message: `Job ${order.mesJobId!} at ${order.product.workCenter}: yield ${order.quantity}, scrap ${order.scrap ?? 0}`,
  attributes: { work_center: order.product.workCenter, yield_qty: order.quantity, scrap_qty: order.scrap ?? 0 },
})
