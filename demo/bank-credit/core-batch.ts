// The core banking disbursement batch (system CORE_BATCH, a legacy route with no
// OpenTelemetry SDK): every hour at :20 the core pays out the loans booked since its last
// run, and a file bridge posts the disbursements to POST /v1/events (loan.disbursed, dated
// when the money moved, the loan account number as key). Under late_batch the upload of a
// run due in the fault window arrives hours late; the money moved on time.
import type { PostedEvent } from '../sink.ts'
import type { SeededRandom } from '../random.ts'
import type { BookingListener } from './booking-queue.ts'
import { CORE_BATCH_SYSTEM, CURRENCY, HOUR, Integration, MINUTE, PROCESS, SECOND, type BankCredit } from './context.ts'
import type { ApplicationRecord } from './ledger.ts'

export const LATE_BATCH_DELAY = 3 * HOUR
const RUNS_AT_MINUTE = 20

/** The first hh:20 strictly after `afterMs`. */
export function nextBatchRun(afterMs: number): number {
  const hour = Math.floor(afterMs / HOUR) * HOUR + RUNS_AT_MINUTE * MINUTE
  return hour > afterMs ? hour : hour + HOUR
}

export class CoreBatch implements BookingListener {
  readonly #bc: BankCredit
  readonly #random: SeededRandom
  #booked: ApplicationRecord[] = []

  constructor(bc: BankCredit) {
    this.#bc = bc
    this.#random = bc.world.random.fork('core-batch')
  }

  start(): void {
    this.#schedule(this.#bc.world.startMs)
  }

  booked(app: ApplicationRecord): void {
    this.#booked.push(app)
  }

  #schedule(afterMs: number): void {
    const nominal = nextBatchRun(afterMs)
    // The cut-off is the nominal run: what was booked before it is paid out by it.
    this.#bc.world.scheduler.at(nominal, () => {
      const batch = this.#booked.filter((a) => a.bookedAt! <= nominal)
      this.#booked = this.#booked.filter((a) => a.bookedAt! > nominal)
      batch.forEach((app, i) => (app.disbursedAt = nominal + (i + 1) * 2 * SECOND))
      const late = this.#bc.world.faults.active('late_batch', nominal)
      if (late) this.#bc.ledger.counters.lateBatchRuns++
      const uploadAt = nominal + (late ? LATE_BATCH_DELAY : 0) + this.#random.between(60, 240) * SECOND + batch.length * 2 * SECOND
      this.#bc.world.scheduler.at(uploadAt, () => this.#upload(batch))
      this.#schedule(nominal)
    })
  }

  #upload(batch: readonly ApplicationRecord[]): void {
    const { ledger, world } = this.#bc
    const now = world.scheduler.now()
    ledger.counters.batchRuns++
    if (batch.length === 0) return
    world.events.post(batch.map(disbursement))
    ledger.counters.disbursementsPosted += batch.length
    for (const app of batch) app.disbursementPostedAt = now
  }
}

const disbursement = (app: ApplicationRecord): PostedEvent => ({
  process: PROCESS,
  milestone: 'loan.disbursed',
  system: CORE_BATCH_SYSTEM,
  object: 'loan_account',
  keys: { loan_account_no: app.loanAccountNo! },
  time: new Date(app.disbursedAt!).toISOString(),
  event_id: `CORE:disbursement:${app.loanAccountNo!}`,
  value: app.amount,
  currency: CURRENCY,
  integration: Integration.disbursements,
  source_system: 'CORE',
  target_system: CORE_BATCH_SYSTEM,
  message: `Loan ${app.loanAccountNo!} disbursed ${app.amount.toFixed(2)} ${CURRENCY} to the settlement account of ${app.customer.cifNo}`,
  attributes: { 'core.batch': 'LNDISB01' },
})
