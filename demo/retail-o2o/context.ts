// The retail O2O scenario's shared setting: the process and integration names (as
// processes.d/retail-o2o.yaml and alert-rules/retail-o2o.yaml name them), the services and
// the systems they front, the stores' opening hours, and what every simulated system of the
// scenario is handed.
import { workingHoursCalendar, type BusinessCalendar } from '../../core/calendar.ts'
import type { ServiceTelemetry } from '../telemetry.ts'
import type { ScenarioOptions, World } from '../world.ts'
import type { RetailLedger } from './ledger.ts'
import type { RetailNumbers } from './numbers.ts'
import { brokerAttributes } from '../attributes.ts'
import { DAY, HOUR, MINUTE, SECOND } from '../time.ts'

export const PROCESS = 'retail_o2o'
export const CURRENCY = 'CNY'

export { DAY, HOUR, MINUTE, SECOND }

export const Integration = {
  payments: 'ecom-to-pay',
  orders: 'ecom-to-oms-orders',
  storeOrders: 'oms-to-pos-orders',
  shipments: 'pos-to-carrier-shipments',
  carrierStatus: 'carrier-status-webhook',
  stock: 'pos-to-inventory-stock',
  points: 'loyalty-points-sync',
  members: 'ecom-to-crm-members',
  endOfDay: 'pos-eod-batch',
} as const

export const SERVICES = {
  shop: { name: 'shop-web', system: 'ECOM' },
  pay: { name: 'payment-gateway', system: 'PAY' },
  oms: { name: 'oms-router', system: 'OMS' },
  pos: { name: 'store-pos', system: 'POS' },
  carrier: { name: 'carrier-gateway', system: 'CARRIER' },
  inventorySync: { name: 'inventory-sync' },
  loyaltySync: { name: 'loyalty-sync' },
} as const

export type ServiceRole = keyof typeof SERVICES

/** The legacy end-of-day store batch: no SDK, its records are posted to /v1/events under this system. */
export const EOD_SYSTEM = 'POS_EOD'

/** The clock_skew fault: the store POS clocks run this far off. */
export const CLOCK_SKEW = { system: 'POS', offsetMs: -7 * MINUTE } as const

/**
 * When the stores work (pick, pack, hand over to the carrier, serve the pick-up counter):
 * Asia/Shanghai, every day 10:00-22:00, holidays included. The same calendar as
 * processes.d/retail-o2o.yaml (a test checks they agree).
 */
export const STORE_HOURS: BusinessCalendar = workingHoursCalendar({
  timeZone: 'Asia/Shanghai',
  week: {
    mon: ['10:00-22:00'],
    tue: ['10:00-22:00'],
    wed: ['10:00-22:00'],
    thu: ['10:00-22:00'],
    fri: ['10:00-22:00'],
    sat: ['10:00-22:00'],
    sun: ['10:00-22:00'],
  },
})

export interface RetailO2O {
  readonly world: World
  readonly options: ScenarioOptions
  readonly ledger: RetailLedger
  readonly numbers: RetailNumbers
  readonly services: Readonly<Record<ServiceRole, ServiceTelemetry>>
}

/** Money as the systems write it: two decimals. */
export const money = (amount: number): number => Math.round(amount * 100) / 100

export { httpAttributes, serverAttributes } from '../attributes.ts'

/** A message on this scenario's broker (kafka). */
export const messagingAttributes = (destination: string, operation: 'send' | 'process', messageId: string): Record<string, string> =>
  brokerAttributes('kafka', destination, operation, messageId)
