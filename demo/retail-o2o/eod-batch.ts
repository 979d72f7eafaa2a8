// The stores' end-of-day batch (system POS_EOD, a legacy route with no OpenTelemetry SDK): the
// pick-up counter works offline, and at 22:30 Shanghai time, after closing, the day's
// handovers go up in the store closing file; a bridge posts them to POST /v1/events
// (order.picked_up, dated when the customer collected, the pick-up code as key). Under
// late_batch the upload of a run due in the fault window arrives hours late.
import { wallClockToInstant, zoneOffsetMs } from '../../core/calendar.ts'
import type { SeededRandom } from '../random.ts'
import type { PostedEvent } from '../sink.ts'
import { DAY, EOD_SYSTEM, HOUR, Integration, MINUTE, PROCESS, SECOND, type RetailO2O } from './context.ts'
import type { OnlineOrderRecord } from './ledger.ts'
import type { PickupListener } from './store-pos.ts'

const TIME_ZONE = 'Asia/Shanghai'
const RUNS_AT_LOCAL = 22 * HOUR + 30 * MINUTE
export const EOD_LATE_DELAY = 6 * HOUR

/** The first local 22:30 strictly after `afterMs`. */
export function nextEndOfDay(afterMs: number): number {
  const localDayStart = Math.floor((afterMs + zoneOffsetMs(TIME_ZONE, afterMs)) / DAY) * DAY
  for (let day = localDayStart; ; day += DAY) {
    const run = wallClockToInstant(TIME_ZONE, day + RUNS_AT_LOCAL)
    if (run > afterMs) return run
  }
}

export class EndOfDayBatch implements PickupListener {
  readonly #ctx: RetailO2O
  readonly #random: SeededRandom
  #handovers: OnlineOrderRecord[] = []

  constructor(ctx: RetailO2O) {
    this.#ctx = ctx
    this.#random = ctx.world.random.fork('eod-batch')
  }

  start(): void {
    this.#schedule(this.#ctx.world.startMs)
  }

  pickedUp(order: OnlineOrderRecord): void {
    this.#handovers.push(order)
  }

  #schedule(afterMs: number): void {
    const nominal = nextEndOfDay(afterMs)
    // The cut-off is the nominal run: what was handed over before it is in that day's file.
    this.#ctx.world.scheduler.at(nominal, () => {
      const batch = this.#handovers.filter((o) => o.pickedUpAt! <= nominal)
      this.#handovers = this.#handovers.filter((o) => o.pickedUpAt! > nominal)
      const late = this.#ctx.world.faults.active('late_batch', nominal)
      if (late) this.#ctx.ledger.counters.lateEodRuns++
      const uploadAt = nominal + (late ? EOD_LATE_DELAY : 0) + this.#random.between(60, 300) * SECOND
      this.#ctx.world.scheduler.at(uploadAt, () => this.#upload(batch))
      this.#schedule(nominal)
    })
  }

  #upload(batch: readonly OnlineOrderRecord[]): void {
    const { ledger, world } = this.#ctx
    const now = world.scheduler.now()
    ledger.counters.eodRuns++
    if (batch.length === 0) return
    world.events.post(batch.map(handover))
    for (const order of batch) order.pickupPostedAt = now
  }
}

const handover = (order: OnlineOrderRecord): PostedEvent => ({
  process: PROCESS,
  milestone: 'order.picked_up',
  system: EOD_SYSTEM,
  object: 'store_order',
  keys: { pickup_code: order.pickupCode!, store_order_no: order.storeOrderNo! },
  time: new Date(order.pickedUpAt!).toISOString(),
  event_id: `POS:pickup:${order.pickupCode!}`,
  integration: Integration.endOfDay,
  source_system: 'POS',
  target_system: EOD_SYSTEM,
  message: `Order ${order.storeOrderNo!} collected with pick-up code ${order.pickupCode!} at store ${order.routings.at(-1)!.store.storeId}`,
  attributes: { store_id: order.routings.at(-1)!.store.storeId },
})
