// The manual review desk (service review-workbench): the BPM engine's user task for the
// applications the decision engine referred. Credit officers work the desk's calendar
// (REVIEW_CALENDAR): a task waits for an officer to claim it, then takes some working
// minutes; the officer approves or declines (review.approved / review.declined, logged with
// the task id and the process instance id) and the engine carries on.
import { ROOT_CONTEXT, SeverityNumber } from '@opentelemetry/api'
import { addBusinessTime } from '../../core/calendar.ts'
import { BusinessAttr, businessKeyAttributes, businessKeys, recordBusinessEvent } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import type { Bpm } from './bpm.ts'
import { MINUTE, PROCESS, REVIEW_CALENDAR, type BankCredit } from './context.ts'
import type { ApplicationRecord } from './ledger.ts'

export class ReviewDesk {
  readonly #bc: BankCredit
  readonly #random: SeededRandom
  #bpm: Bpm | undefined

  constructor(bc: BankCredit) {
    this.#bc = bc
    this.#random = bc.world.random.fork('review')
  }

  connect(bpm: Bpm): void {
    this.#bpm = bpm
  }

  refer(app: ApplicationRecord, atMs: number): void {
    const taskId = this.#bc.numbers.reviewTask()
    app.reviewTaskId = taskId
    const desk = this.#bc.services.review
    desk.logger.emit({
      timestamp: desk.clock(atMs + 500),
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: `Review task ${taskId} created for process instance ${app.bpmInstanceId!} (${app.track}, ${app.amount} CNY)`,
      attributes: { [BusinessAttr.system]: 'REVIEW', ...businessKeyAttributes(businessKeys({ review_task_id: taskId, bpm_instance_id: app.bpmInstanceId! })) },
      context: ROOT_CONTEXT,
    })
    // Waiting to be claimed, then the officer's own work, both in the desk's working time.
    const workingMs = (this.#random.between(10, 150) + this.#random.between(8, 40)) * MINUTE
    const doneAt = addBusinessTime(REVIEW_CALENDAR, new Date(atMs), workingMs).getTime()
    this.#bc.world.scheduler.at(doneAt, () => this.#complete(app, doneAt))
  }

  #complete(app: ApplicationRecord, atMs: number): void {
    const good = (app.score ?? 0) >= 560 && app.fraudFlagged !== true
    const outcome = this.#random.chance(good ? 0.9 : 0.4) ? 'approved' : 'declined'
    const desk = this.#bc.services.review
    recordBusinessEvent(desk.logger, {
      process: PROCESS,
      milestone: `review.${outcome}`,
      system: 'REVIEW',
      object: 'review_task',
      keys: { bpm_instance_id: app.bpmInstanceId!, review_task_id: app.reviewTaskId! },
      eventId: `REVIEW:${app.reviewTaskId!}:${outcome}`,
      time: desk.clock(atMs),
      attributes: { 'review.officer': `CO-${this.#random.int(101, 118)}`, loan_track: app.track },
      context: ROOT_CONTEXT,
    })
    app.reviewedAt = atMs
    app.reviewOutcome = outcome
    if (outcome === 'approved') this.#bpm?.approved(app, atMs)
    else this.#bpm?.declined(app, atMs)
  }
}
