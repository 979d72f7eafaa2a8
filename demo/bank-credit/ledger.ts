// What the bank credit simulation did, as the systems did it: every application with its
// numbers and the simulated instant of each step, and counters per integration. The run's
// report; the tests compare the KPIs against it.
import type { BankCustomer } from './customers.ts'

/** Simple: small online consumer loans the decision engine may approve alone. Standard: every other, reviewed by a person. */
export type LoanTrack = 'simple' | 'standard'
export type Decision = 'approved' | 'declined' | 'referred'
export type BureauAnswer = 'ok' | 'unavailable' | 'timeout'

export interface ApplicationRecord {
  readonly applicationId: string
  readonly customer: BankCustomer
  readonly channel: 'online' | 'branch'
  readonly track: LoanTrack
  readonly amount: number
  readonly submittedAt: number
  bpmInstanceId?: string
  receivedAt?: number
  identityVerifiedAt?: number
  identityFailedAt?: number
  /** Calls to the bureau, over all retries and re-drives. */
  bureauAttempts: number
  /** The bureau call is parked as a BPM incident (retries exhausted). */
  incident: boolean
  bureauReportId?: string
  bureauAt?: number
  fraudFlagged?: boolean
  fraudCheckedAt?: number
  activeLenders?: number
  multiLenderAt?: number
  score?: number
  scoredAt?: number
  decision?: Decision
  decidedAt?: number
  reviewTaskId?: string
  reviewedAt?: number
  reviewOutcome?: 'approved' | 'declined'
  /** When the loan was handed to the booking queue. */
  bookingPublishedAt?: number
  loanAccountNo?: string
  bookedAt?: number
  disbursedAt?: number
  /** When the core batch posted the disbursement. */
  disbursementPostedAt?: number
}

export interface BankCreditCounters {
  readonly bureauCalls: Record<BureauAnswer, number>
  bureauIncidents: number
  incidentsRetried: number
  bookingsPublished: number
  bookingsConsumed: number
  /** Booking messages consumed again (redelivered copies). */
  bookingsRedelivered: number
  /** Most booking messages waiting at once. */
  bookingBacklogMax: number
  smsSent: number
  readonly syncChanges: Record<string, number>
  syncApplies: number
  syncMappingErrors: number
  syncCoalesced: number
  batchRuns: number
  lateBatchRuns: number
  disbursementsPosted: number
}

export class BankCreditLedger {
  readonly applications: ApplicationRecord[] = []
  readonly counters: BankCreditCounters = {
    bureauCalls: { ok: 0, unavailable: 0, timeout: 0 },
    bureauIncidents: 0,
    incidentsRetried: 0,
    bookingsPublished: 0,
    bookingsConsumed: 0,
    bookingsRedelivered: 0,
    bookingBacklogMax: 0,
    smsSent: 0,
    syncChanges: {},
    syncApplies: 0,
    syncMappingErrors: 0,
    syncCoalesced: 0,
    batchRuns: 0,
    lateBatchRuns: 0,
    disbursementsPosted: 0,
  }

  open(application: Omit<ApplicationRecord, 'bureauAttempts' | 'incident'>): ApplicationRecord {
    const record: ApplicationRecord = { ...application, bureauAttempts: 0, incident: false }
    this.applications.push(record)
    return record
  }

  report(): BankCreditReport {
    const apps = this.applications
    const count = (test: (a: ApplicationRecord) => boolean): number => apps.filter(test).length
    return {
      applications: apps.length,
      identityFailed: count((a) => a.identityFailedAt !== undefined),
      bureauReports: count((a) => a.bureauAt !== undefined),
      scored: count((a) => a.scoredAt !== undefined),
      autoApproved: count((a) => a.decision === 'approved'),
      autoDeclined: count((a) => a.decision === 'declined'),
      referred: count((a) => a.decision === 'referred'),
      reviewed: count((a) => a.reviewedAt !== undefined),
      reviewApproved: count((a) => a.reviewOutcome === 'approved'),
      reviewDeclined: count((a) => a.reviewOutcome === 'declined'),
      booked: count((a) => a.bookedAt !== undefined),
      disbursed: count((a) => a.disbursementPostedAt !== undefined),
      counters: structuredClone(this.counters),
      applicationRecords: apps,
    }
  }
}

export interface BankCreditReport {
  /** Applications submitted, each an instance of bank_credit. */
  readonly applications: number
  readonly identityFailed: number
  readonly bureauReports: number
  readonly scored: number
  /** Decided by the decision engine alone. */
  readonly autoApproved: number
  readonly autoDeclined: number
  /** Sent to the manual review desk. */
  readonly referred: number
  readonly reviewed: number
  readonly reviewApproved: number
  readonly reviewDeclined: number
  /** Loan accounts opened in the core. */
  readonly booked: number
  /** Disbursements the core batch has posted (the instance is complete). */
  readonly disbursed: number
  readonly counters: BankCreditCounters
  readonly applicationRecords: readonly ApplicationRecord[]
}
