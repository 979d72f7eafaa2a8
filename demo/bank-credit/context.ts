// The bank credit scenario's shared setting: the process and integration names (as
// processes.d/bank-credit.yaml and alert-rules/bank-credit.yaml name them), the services and
// the systems they front, the review desk's calendar, and what every simulated system of the
// scenario is handed.
import { workingHoursCalendar, type BusinessCalendar } from '../../core/calendar.ts'
import type { ServiceTelemetry } from '../telemetry.ts'
import type { ScenarioOptions, World } from '../world.ts'
import type { BankCreditLedger } from './ledger.ts'
import type { LoanNumbers } from './numbers.ts'
import { brokerAttributes } from '../attributes.ts'
import { DAY, HOUR, MINUTE, SECOND } from '../time.ts'

export const PROCESS = 'bank_credit'
export const CURRENCY = 'CNY'

export { DAY, HOUR, MINUTE, SECOND }

export const Integration = {
  applications: 'channel-to-bpm',
  kyc: 'bpm-to-kyc',
  bureau: 'bpm-to-bureau',
  antiFraud: 'bpm-to-antifraud',
  multiLender: 'bpm-to-multilender',
  scoring: 'bpm-to-scoring',
  decision: 'bpm-to-decision',
  bookings: 'bpm-to-core-bookings',
  sms: 'bpm-to-sms',
  disbursements: 'core-disbursement-batch',
  customers: 'cis-to-core-customers',
} as const

export const SERVICES = {
  channel: { name: 'loan-channel', system: 'CHANNEL' },
  bpm: { name: 'bpm-engine', system: 'BPM' },
  kyc: { name: 'kyc-service', system: 'KYC' },
  bureau: { name: 'bureau-gateway', system: 'BUREAU' },
  antiFraud: { name: 'antifraud-engine', system: 'ANTIFRAUD' },
  multiLender: { name: 'multilender-service', system: 'MLD' },
  scoring: { name: 'scoring-service', system: 'SCORING' },
  decision: { name: 'decision-engine', system: 'DECISION' },
  review: { name: 'review-workbench', system: 'REVIEW' },
  booking: { name: 'loan-booking' },
  core: { name: 'core-banking-api', system: 'CORE' },
  sms: { name: 'sms-gateway', system: 'SMS' },
  customerSync: { name: 'customer-sync' },
} as const

export type ServiceRole = keyof typeof SERVICES

/** The legacy core banking batch: it has no SDK, its disbursements are posted to /v1/events under this system. */
export const CORE_BATCH_SYSTEM = 'CORE_BATCH'

/** The clock_skew fault: the anti-fraud engine's clock runs this far off. */
export const CLOCK_SKEW = { system: 'ANTIFRAUD', offsetMs: -7 * MINUTE } as const

/**
 * When the manual review desk works: Asia/Shanghai, Mon-Fri 09:00-12:00 and 13:00-17:30,
 * without the 2026 public holidays, with the weekend days worked in their place. The same
 * calendar as processes.d/bank-credit.yaml (a test checks they agree).
 */
export const REVIEW_CALENDAR: BusinessCalendar = workingHoursCalendar({
  timeZone: 'Asia/Shanghai',
  week: {
    mon: ['09:00-12:00', '13:00-17:30'],
    tue: ['09:00-12:00', '13:00-17:30'],
    wed: ['09:00-12:00', '13:00-17:30'],
    thu: ['09:00-12:00', '13:00-17:30'],
    fri: ['09:00-12:00', '13:00-17:30'],
  },
  holidays: [
    ...['2026-01-01', '2026-01-02', '2026-01-03'],
    ...['2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23'],
    ...['2026-04-04', '2026-04-05', '2026-04-06'],
    ...['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05'],
    ...['2026-06-19', '2026-06-20', '2026-06-21'],
    ...['2026-09-25', '2026-09-26', '2026-09-27'],
    ...['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'],
  ],
  specialDays: Object.fromEntries(
    ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'].map((date) => [date, ['09:00-12:00', '13:00-17:30']]),
  ),
})

export interface BankCredit {
  readonly world: World
  readonly options: ScenarioOptions
  readonly ledger: BankCreditLedger
  readonly numbers: LoanNumbers
  readonly services: Readonly<Record<ServiceRole, ServiceTelemetry>>
}

export { httpAttributes, serverAttributes } from '../attributes.ts'

/** A message on this scenario's broker (kafka). */
export const messagingAttributes = (destination: string, operation: 'send' | 'process', messageId: string): Record<string, string> =>
  brokerAttributes('kafka', destination, operation, messageId)
