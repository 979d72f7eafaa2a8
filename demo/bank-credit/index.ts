// Scenario 4, bank credit approval on a BPM engine (the seed article's 某中型商业银行):
// application (online or branch channel) -> BPM engine -> identity check (KYC) -> credit
// bureau -> anti-fraud -> multi-lender check -> scoring -> decision (simple applications
// approved in minutes, the others reviewed by a credit officer) -> core banking booking and
// the batch disbursement, plus the CIS -> core customer master-data sync. Wires the
// simulated systems together and starts them. Definition: processes.d/bank-credit.yaml;
// alert rules: alert-rules/bank-credit.yaml.
import type { FaultName } from '../faults.ts'
import type { ServiceTelemetry } from '../telemetry.ts'
import type { ScenarioOptions, World } from '../world.ts'
import { BookingQueue } from './booking-queue.ts'
import { Bpm } from './bpm.ts'
import { Channel } from './channel.ts'
import { CLOCK_SKEW, PROCESS, SERVICES, type BankCredit, type ServiceRole } from './context.ts'
import { CoreBatch } from './core-batch.ts'
import { CustomerSync } from './customer-sync.ts'
import { BankCreditLedger, type BankCreditReport } from './ledger.ts'
import { LoanNumbers } from './numbers.ts'
import { ReviewDesk } from './review.ts'

export { BANK_CUSTOMERS, type BankCustomer } from './customers.ts'
export type { ApplicationRecord, BankCreditCounters, BankCreditReport, Decision, LoanTrack } from './ledger.ts'
export {
  CLOCK_SKEW as BANK_CREDIT_CLOCK_SKEW,
  CORE_BATCH_SYSTEM,
  Integration as BankCreditIntegration,
  PROCESS as BANK_CREDIT_PROCESS,
  REVIEW_CALENDAR,
} from './context.ts'
export { MAX_BUREAU_ATTEMPTS } from './bpm.ts'
export { SIMPLE_LIMIT } from './channel.ts'
export { LATE_BATCH_DELAY as CORE_BATCH_DELAY, nextBatchRun } from './core-batch.ts'

export interface BankCreditOptions extends ScenarioOptions {
  /** CIS customer and address changes per simulated hour; default 0.5 x applications per hour, at least 6. */
  readonly customerChangesPerHour?: number
}

export interface BankCreditRun {
  report(): BankCreditReport
}

export function startBankCredit(world: World, options: BankCreditOptions): BankCreditRun {
  const ledger = new BankCreditLedger()
  const service = (role: ServiceRole): ServiceTelemetry => world.telemetry.service(SERVICES[role])
  const services: Record<ServiceRole, ServiceTelemetry> = {
    channel: service('channel'),
    bpm: service('bpm'),
    kyc: service('kyc'),
    bureau: service('bureau'),
    antiFraud: service('antiFraud'),
    multiLender: service('multiLender'),
    scoring: service('scoring'),
    decision: service('decision'),
    review: service('review'),
    booking: service('booking'),
    core: service('core'),
    sms: service('sms'),
    customerSync: service('customerSync'),
  }
  const bc: BankCredit = { world, options, ledger, numbers: new LoanNumbers(world.startMs), services }
  const review = new ReviewDesk(bc)
  const bookings = new BookingQueue(bc)
  const bpm = new Bpm(bc, review, bookings)
  review.connect(bpm)
  const batch = new CoreBatch(bc)
  bookings.listen(bpm)
  bookings.listen(batch)
  const channel = new Channel(bc, bpm)
  const customerSync = new CustomerSync(bc, options.customerChangesPerHour ?? Math.max(6, options.ordersPerHour * 0.5))
  for (const system of [channel, bpm, batch, customerSync]) system.start()
  return { report: () => ledger.report() }
}

/** The faults this scenario simulates (a system down is the credit bureau). */
const FAULTS: FaultName[] = ['bureau_down', 'slow_sync', 'mapping_errors', 'consumer_stopped', 'duplicate_deliveries', 'late_batch', 'clock_skew']

export const BANK_CREDIT = {
  name: 'bank-credit',
  process: PROCESS,
  description:
    'channel application -> BPM: KYC, credit bureau, anti-fraud, multi-lender, scoring, decision -> manual review -> core booking, batch disbursement',
  clockSkew: CLOCK_SKEW,
  faults: FAULTS,
  start: startBankCredit,
  progress: (report: BankCreditReport) => ({ instances: report.applications, completed: report.disbursed }),
  summary: (r: BankCreditReport): readonly string[] => [
    `  applications ${r.applications} (identity failed ${r.identityFailed}), bureau reports ${r.bureauReports}, scored ${r.scored}`,
    `  decisions: auto-approved ${r.autoApproved}, auto-declined ${r.autoDeclined}, referred ${r.referred}; reviewed ${r.reviewed} (approved ${r.reviewApproved}, declined ${r.reviewDeclined}); booked ${r.booked}, disbursed ${r.disbursed}`,
    `  bureau calls: ${r.counters.bureauCalls.ok} ok, ${r.counters.bureauCalls.unavailable} 503, ${r.counters.bureauCalls.timeout} timeouts; incidents ${r.counters.bureauIncidents}`,
  ],
} as const
