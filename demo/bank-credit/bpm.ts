// The BPM engine (service bpm-engine) runs the credit_approval process model: each service
// task is a job that calls one risk microservice over REST (its CLIENT span, integration
// bpm-to-<service>; the service's SERVER span answers), in order: identity check (KYC),
// credit bureau report, anti-fraud, multi-lender (多头借贷) check, scoring, decision. The
// decision engine approves or declines simple applications alone and refers the others to
// the manual review desk; approved loans go to the core through the booking queue, and the
// customer gets an SMS. Jobs carry the process instance id in baggage, which is all the
// services know of the application. A failing bureau call (bureau_down) is retried by the
// job executor with backoff under one operation id, then parked as an incident that
// operations retry hourly once the bureau answers.
import { ROOT_CONTEXT, SpanKind, type Context } from '@opentelemetry/api'
import { DEAD_LETTER_ATTRIBUTE } from '../../processes/index.ts'
import { BusinessAttr, contextWithBusinessKeys, IntegrationError, recordBusinessEvent, type IntegrationSpanOptions } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, extract, inject, openStep, recordStep, type Carrier, type StepEnd } from '../steps.ts'
import type { BookingQueue } from './booking-queue.ts'
import { HOUR, httpAttributes, Integration, MINUTE, PROCESS, SECOND, serverAttributes, type BankCredit, type ServiceRole } from './context.ts'
import type { ApplicationRecord, BureauAnswer, Decision } from './ledger.ts'
import type { ReviewDesk } from './review.ts'

/** Waits before the 2nd, 3rd... bureau attempt; after the last, the job becomes an incident. */
const BUREAU_BACKOFF_MINUTES = [1, 2, 4, 8, 15]
export const MAX_BUREAU_ATTEMPTS = BUREAU_BACKOFF_MINUTES.length + 1
const BUREAU_TIMEOUT_MS = 20 * SECOND
const KYC_FAIL_RATE = 0.015
const FRAUD_FLAG_RATE = 0.03

interface Task {
  readonly role: ServiceRole
  readonly integration: string
  readonly target: string
  readonly method: string
  readonly route: string
  readonly host: string
}

const TASKS = {
  kyc: { role: 'kyc', integration: Integration.kyc, target: 'KYC', method: 'POST', route: '/kyc/v1/identity-verifications', host: 'kyc.bank.example.cn' },
  bureau: { role: 'bureau', integration: Integration.bureau, target: 'BUREAU', method: 'POST', route: '/credit-reports', host: 'bureau-gw.bank.example.cn' },
  antiFraud: {
    role: 'antiFraud',
    integration: Integration.antiFraud,
    target: 'ANTIFRAUD',
    method: 'POST',
    route: '/v2/assessments',
    host: 'antifraud.bank.example.cn',
  },
  multiLender: {
    role: 'multiLender',
    integration: Integration.multiLender,
    target: 'MLD',
    method: 'POST',
    route: '/multi-lending/queries',
    host: 'mld.bank.example.cn',
  },
  scoring: {
    role: 'scoring',
    integration: Integration.scoring,
    target: 'SCORING',
    method: 'POST',
    route: '/models/retail-pd/v7/score',
    host: 'scoring.bank.example.cn',
  },
  decision: {
    role: 'decision',
    integration: Integration.decision,
    target: 'DECISION',
    method: 'POST',
    route: '/decisions/credit',
    host: 'decision.bank.example.cn',
  },
  sms: { role: 'sms', integration: Integration.sms, target: 'SMS', method: 'POST', route: '/sms/send', host: 'sms.bank.example.cn' },
} as const satisfies Record<string, Task>

/** What the service's side of a call records: its SERVER span's business fields. */
type Served = Pick<IntegrationSpanOptions, 'milestone' | 'object' | 'keys' | 'attributes'>

export class Bpm {
  readonly #bc: BankCredit
  readonly #random: SeededRandom
  readonly #review: ReviewDesk
  readonly #bookings: BookingQueue
  readonly #incidents: ApplicationRecord[] = []

  constructor(bc: BankCredit, review: ReviewDesk, bookings: BookingQueue) {
    this.#bc = bc
    this.#random = bc.world.random.fork('bpm')
    this.#review = review
    this.#bookings = bookings
  }

  start(): void {
    this.#scheduleIncidentRetry(this.#bc.world.startMs)
  }

  bureauIsDown(atMs: number): boolean {
    return this.#bc.world.faults.active('bureau_down', atMs)
  }

  /** The engine's side of the channel's start call: a new process instance for the application. */
  startInstance(carrier: Carrier, app: ApplicationRecord, bpmInstanceId: string, start: number, end: number): void {
    recordStep(
      this.#bc.services.bpm,
      'POST credit_approval/start',
      {
        kind: SpanKind.SERVER,
        context: extract(carrier),
        process: PROCESS,
        milestone: 'application.received',
        system: 'BPM',
        object: 'process_instance',
        keys: { application_id: app.applicationId, bpm_instance_id: bpmInstanceId },
        attributes: {
          ...serverAttributes('POST', '/engine-rest/process-definition/key/credit_approval/start', 200),
          'bpm.process_definition': 'credit_approval:12',
        },
      },
      start,
      end,
    )
    app.bpmInstanceId = bpmInstanceId
    app.receivedAt = end
    this.#job(end, (at) => this.#kyc(app, at))
  }

  /** The job executor picks the next job up within a second or two. */
  #job(afterMs: number, run: (atMs: number) => void): void {
    const at = afterMs + this.#random.between(0.2, 2) * SECOND
    this.#bc.world.scheduler.at(at, () => run(at))
  }

  /** One service task: the engine's CLIENT span and the service's SERVER span under it. */
  #call(app: ApplicationRecord, task: Task, start: number, end: number, served: Served, status: number, extra: StepEnd = {}, attempt = 1): void {
    const { services } = this.#bc
    const context: Context = contextWithBusinessKeys(ROOT_CONTEXT, { bpm_instance_id: app.bpmInstanceId! })
    const call = openStep(
      services.bpm,
      `${task.method} ${task.route}`,
      {
        kind: SpanKind.CLIENT,
        context,
        process: PROCESS,
        integration: task.integration,
        sourceSystem: 'BPM',
        targetSystem: task.target,
        operationId: `${task.integration}:${app.bpmInstanceId!}`,
        attempt,
        attributes: { ...httpAttributes(task.method, `https://${task.host}${task.route}`), 'bpm.activity': task.role },
      },
      start,
    )
    if (status !== 0) {
      recordStep(
        services[task.role],
        `${task.method} ${task.route}`,
        {
          kind: SpanKind.SERVER,
          context: extract(inject(call.context)),
          system: task.target,
          process: PROCESS,
          ...served,
          attributes: { ...serverAttributes(task.method, task.route, status), ...served.attributes },
        },
        start + 6,
        end - 6,
      )
    }
    closeStep(call, end, { ...extra, attributes: { ...(status === 0 ? {} : { 'http.response.status_code': status }), ...extra.attributes } })
  }

  #kyc(app: ApplicationRecord, start: number): void {
    const end = start + this.#random.between(300, 1_500)
    this.#bc.world.scheduler.at(end + 5, () => {
      const failed = this.#random.chance(KYC_FAIL_RATE)
      this.#call(
        app,
        TASKS.kyc,
        start,
        end,
        {
          milestone: failed ? 'identity.failed' : 'identity.verified',
          object: 'customer',
          keys: { cif_no: app.customer.cifNo },
          attributes: { 'kyc.method': app.channel === 'online' ? 'face+id-card' : 'branch-counter', 'kyc.result': failed ? 'mismatch' : 'match' },
        },
        200,
      )
      if (failed) {
        app.identityFailedAt = end
        this.#sms(app, end, 'declined')
        return
      }
      app.identityVerifiedAt = end
      this.#job(end, (at) => this.#bureau(app, at))
    })
  }

  #bureauAnswer(atMs: number): BureauAnswer {
    if (this.bureauIsDown(atMs)) return this.#random.chance(0.3) ? 'timeout' : 'unavailable'
    return 'ok'
  }

  #bureau(app: ApplicationRecord, start: number): void {
    const answer = this.#bureauAnswer(start)
    const duration =
      answer === 'timeout' ? BUREAU_TIMEOUT_MS : answer === 'ok' ? Math.min(8 * SECOND, this.#random.logNormal(900, 0.4)) : this.#random.between(20, 300)
    const end = start + duration
    this.#bc.world.scheduler.at(end + 5, () => this.#bureauDone(app, answer, start, end))
  }

  #bureauDone(app: ApplicationRecord, answer: BureauAnswer, start: number, end: number): void {
    const { ledger, numbers } = this.#bc
    app.bureauAttempts++
    const attempt = app.bureauAttempts
    ledger.counters.bureauCalls[answer]++
    if (answer === 'ok') {
      const reportId = numbers.bureauReport()
      // The bureau is outside the bank: the engine's call, answered 200, is the milestone
      // (the definition recognises it by its span name).
      this.#call(
        app,
        TASKS.bureau,
        start,
        end,
        { keys: { bureau_report_id: reportId } },
        200,
        { keys: { bureau_report_id: reportId }, attributes: { [BusinessAttr.system]: 'BUREAU' } },
        attempt,
      )
      app.bureauReportId = reportId
      app.bureauAt = end
      this.#job(end, (at) => this.#antiFraud(app, at))
      return
    }
    // Attempts count on across incident retries: every sixth failure in a row parks the job.
    const incident = attempt % MAX_BUREAU_ATTEMPTS === 0
    const error =
      answer === 'timeout'
        ? new IntegrationError('timeout', `no answer from the credit bureau within ${BUREAU_TIMEOUT_MS / SECOND} s`)
        : new IntegrationError('503', 'credit bureau gateway answered 503 Service Unavailable')
    this.#call(
      app,
      TASKS.bureau,
      start,
      end,
      {},
      answer === 'unavailable' ? 503 : 0,
      { error, attributes: incident ? { [DEAD_LETTER_ATTRIBUTE]: 'true' } : {} },
      attempt,
    )
    if (incident) {
      app.incident = true
      ledger.counters.bureauIncidents++
      this.#incidents.push(app)
      return
    }
    const wait = BUREAU_BACKOFF_MINUTES[(attempt - 1) % MAX_BUREAU_ATTEMPTS]! * MINUTE * this.#random.between(0.9, 1.1)
    this.#bc.world.scheduler.at(end + wait, () => this.#bureau(app, this.#bc.world.scheduler.now()))
  }

  /** Operations retry the engine's incidents every hour, once the bureau answers again. */
  #scheduleIncidentRetry(fromMs: number): void {
    const next = (Math.floor(fromMs / HOUR) + 1) * HOUR + 5 * MINUTE
    this.#bc.world.scheduler.at(next, () => {
      const now = this.#bc.world.scheduler.now()
      if (this.#incidents.length > 0 && !this.bureauIsDown(now)) {
        this.#incidents.splice(0).forEach((app, i) => {
          app.incident = false
          this.#bc.ledger.counters.incidentsRetried++
          this.#bc.world.scheduler.at(now + i * 2 * SECOND, () => this.#bureau(app, this.#bc.world.scheduler.now()))
        })
      }
      this.#scheduleIncidentRetry(now)
    })
  }

  #antiFraud(app: ApplicationRecord, start: number): void {
    const end = start + this.#random.between(100, 400)
    this.#bc.world.scheduler.at(end + 5, () => {
      const flagged = this.#random.chance(FRAUD_FLAG_RATE)
      this.#call(
        app,
        TASKS.antiFraud,
        start,
        end,
        {
          milestone: flagged ? 'fraud_check.flagged' : 'fraud_check.passed',
          object: 'application',
          attributes: { 'antifraud.rule_hits': flagged ? 2 : 0, 'antifraud.device_risk': flagged ? 'high' : 'low' },
        },
        200,
      )
      app.fraudFlagged = flagged
      app.fraudCheckedAt = end
      this.#job(end, (at) => this.#multiLender(app, at))
    })
  }

  #multiLender(app: ApplicationRecord, start: number): void {
    const end = start + this.#random.between(200, 800)
    this.#bc.world.scheduler.at(end + 5, () => {
      const lenders = this.#random.weighted<number>([
        [40, 0],
        [25, 1],
        [15, 2],
        [10, 3],
        [6, 4],
        [4, 6],
      ])
      this.#call(
        app,
        TASKS.multiLender,
        start,
        end,
        {
          milestone: 'multi_lender.checked',
          object: 'customer',
          attributes: { 'mld.active_lenders': lenders, 'mld.queries_30d': lenders * 2 },
        },
        200,
      )
      app.activeLenders = lenders
      app.multiLenderAt = end
      this.#job(end, (at) => this.#scoring(app, at))
    })
  }

  #scoring(app: ApplicationRecord, start: number): void {
    const end = start + this.#random.between(50, 300)
    this.#bc.world.scheduler.at(end + 5, () => {
      const score = Math.round(this.#random.between(500, 820))
      this.#call(
        app,
        TASKS.scoring,
        start,
        end,
        { milestone: 'score.computed', object: 'application', attributes: { 'scoring.score': score, 'scoring.model': 'retail-pd-v7' } },
        200,
      )
      app.score = score
      app.scoredAt = end
      this.#job(end, (at) => this.#decide(app, at))
    })
  }

  /** The decision engine's policy; reviewers see what it could not decide. */
  #policy(app: ApplicationRecord): Decision {
    const score = app.score ?? 0
    if (score < 520 || (app.activeLenders ?? 0) >= 5) return 'declined'
    if (app.track === 'standard' || app.fraudFlagged === true) return 'referred'
    return score >= 560 ? 'approved' : 'referred'
  }

  #decide(app: ApplicationRecord, start: number): void {
    const end = start + this.#random.between(20, 120)
    this.#bc.world.scheduler.at(end + 5, () => {
      const decision = this.#policy(app)
      this.#call(app, TASKS.decision, start, end, { object: 'application' }, 200)
      const engine = this.#bc.services.decision
      recordBusinessEvent(engine.logger, {
        process: PROCESS,
        milestone: `decision.${decision}`,
        system: 'DECISION',
        object: 'application',
        keys: { bpm_instance_id: app.bpmInstanceId! },
        eventId: `DECISION:${app.bpmInstanceId!}:${decision}`,
        time: engine.clock(end - 3),
        attributes: { 'decision.policy': 'retail-credit-2026.4', 'decision.score': app.score ?? 0, loan_track: app.track },
        context: ROOT_CONTEXT,
      })
      app.decision = decision
      app.decidedAt = end
      if (decision === 'approved') this.approved(app, end)
      else if (decision === 'declined') this.#sms(app, end, 'declined')
      else this.#review.refer(app, end)
    })
  }

  /** Approved (by the engine or a reviewer): the loan goes to the core through the booking queue. */
  approved(app: ApplicationRecord, atMs: number): void {
    this.#job(atMs, (at) => this.#bookings.publish(app, at))
  }

  declined(app: ApplicationRecord, atMs: number): void {
    this.#sms(app, atMs, 'declined')
  }

  /** Tells the customer (the SMS gateway's API). */
  booked(app: ApplicationRecord, atMs: number): void {
    this.#sms(app, atMs, 'approved')
  }

  #sms(app: ApplicationRecord, afterMs: number, outcome: 'approved' | 'declined'): void {
    this.#job(afterMs, (start) => {
      const end = start + this.#random.between(40, 250)
      const messageId = this.#bc.numbers.sms()
      this.#bc.world.scheduler.at(end + 5, () => {
        this.#call(app, TASKS.sms, start, end, { keys: { sms_id: messageId }, attributes: { 'sms.template': `loan-${outcome}` } }, 202)
        this.#bc.ledger.counters.smsSent++
      })
    })
  }
}
