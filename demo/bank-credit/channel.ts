// The channel (service loan-channel): customers apply online (the mobile app, 24x7) or at a
// branch (office hours). The channel's API takes the application (application.submitted,
// its SERVER span) and starts the BPM engine's credit_approval process with it over REST
// (channel-to-bpm); the engine answers with its process instance id.
import { ROOT_CONTEXT, SpanKind, type Context } from '@opentelemetry/api'
import { zoneOffsetMs } from '../../core/calendar.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, inject, openStep } from '../steps.ts'
import type { Bpm } from './bpm.ts'
import { BANK_CUSTOMERS } from './customers.ts'
import { CURRENCY, DAY, HOUR, httpAttributes, Integration, PROCESS, SECOND, serverAttributes, type BankCredit } from './context.ts'
import type { ApplicationRecord, LoanTrack } from './ledger.ts'

/** Small online consumer loans up to this amount are the simple track. */
export const SIMPLE_LIMIT = 50_000
const BRANCH_SHARE = 0.15
const BPM_URL = 'https://bpm.bank.example.cn/engine-rest/process-definition/key/credit_approval/start'

export class Channel {
  readonly #bc: BankCredit
  readonly #bpm: Bpm
  readonly #random: SeededRandom

  constructor(bc: BankCredit, bpm: Bpm) {
    this.#bc = bc
    this.#bpm = bpm
    this.#random = bc.world.random.fork('channel')
  }

  start(): void {
    this.#next(this.#bc.world.startMs)
  }

  #next(fromMs: number): void {
    const { scheduler } = this.#bc.world
    scheduler.at(fromMs + this.#random.exponential(HOUR / this.#bc.options.ordersPerHour), () => {
      this.#apply(scheduler.now())
      this.#next(scheduler.now())
    })
  }

  #apply(t: number): void {
    const { ledger, numbers, services } = this.#bc
    const localHour = ((((t + zoneOffsetMs('Asia/Shanghai', t)) % DAY) + DAY) % DAY) / HOUR
    // Branches take applications in office hours only; the app is open all day.
    const channel = localHour >= 9 && localHour < 17 && this.#random.chance(BRANCH_SHARE) ? 'branch' : 'online'
    const amount = Math.round(channel === 'online' ? this.#random.logNormal(20_000, 0.6) : this.#random.logNormal(200_000, 0.6))
    const track: LoanTrack = channel === 'online' && amount <= SIMPLE_LIMIT ? 'simple' : 'standard'
    const app: ApplicationRecord = ledger.open({
      applicationId: numbers.application(),
      customer: this.#random.pick(BANK_CUSTOMERS),
      channel,
      track,
      amount,
      submittedAt: t,
    })
    const server = openStep(
      services.channel,
      'POST /api/v1/loan-applications',
      {
        kind: SpanKind.SERVER,
        context: ROOT_CONTEXT,
        process: PROCESS,
        milestone: 'application.submitted',
        system: 'CHANNEL',
        object: 'application',
        keys: { application_id: app.applicationId, channel_user_id: app.customer.channelUserId },
        value: amount,
        currency: CURRENCY,
        attributes: {
          ...serverAttributes('POST', '/api/v1/loan-applications', 201),
          loan_track: track,
          loan_channel: channel,
          loan_product: track === 'simple' ? 'e-consumer' : 'consumer',
        },
      },
      t - this.#random.between(150, 600),
    )
    closeStep(server, t)
    // The BPM call follows the response: the app shows "submitted" at once.
    const start = t + this.#random.between(0.2, 1.5) * SECOND
    const end = start + this.#random.between(80, 400)
    this.#bc.world.scheduler.at(end + 5, () => this.#startProcess(app, server.context, start, end))
  }

  #startProcess(app: ApplicationRecord, parent: Context, start: number, end: number): void {
    const { services, numbers } = this.#bc
    const call = openStep(
      services.channel,
      'POST credit_approval/start',
      {
        kind: SpanKind.CLIENT,
        context: parent,
        process: PROCESS,
        integration: Integration.applications,
        sourceSystem: 'CHANNEL',
        targetSystem: 'BPM',
        operationId: `${Integration.applications}:${app.applicationId}`,
        attempt: 1,
        keys: { application_id: app.applicationId },
        attributes: httpAttributes('POST', BPM_URL),
      },
      start,
    )
    const bpmInstanceId = numbers.bpmInstance()
    this.#bpm.startInstance(inject(call.context), app, bpmInstanceId, start + 10, end - 10)
    closeStep(call, end, { keys: { bpm_instance_id: bpmInstanceId }, attributes: { 'http.response.status_code': 200 } })
  }
}
