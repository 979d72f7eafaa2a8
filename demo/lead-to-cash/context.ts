// The lead-to-cash scenario's shared setting: the process and integration names (as
// processes.d/lead-to-cash.yaml and alert-rules/lead-to-cash.yaml name them), the services
// and the systems they front, and what every simulated system of the scenario is handed.
import type { ServiceTelemetry } from '../telemetry.ts'
import type { ScenarioOptions, World } from '../world.ts'
import type { LeadToCashLedger } from './ledger.ts'
import type { BusinessNumbers } from './numbers.ts'
import { brokerAttributes } from '../attributes.ts'
import { DAY, HOUR, MINUTE, SECOND } from '../time.ts'

export const PROCESS = 'lead_to_cash'
export const CURRENCY = 'CNY'

export { DAY, HOUR, MINUTE, SECOND }

export const Integration = {
  orders: 'crm-to-erp-orders',
  reservations: 'erp-to-wms-reservations',
  deliveries: 'erp-to-wms-deliveries',
  customers: 'crm-to-erp-customers',
  bankStatements: 'bank-statement-import',
} as const

export const SERVICES = {
  crm: { name: 'crm-connector', system: 'CRM' },
  orderSync: { name: 'order-sync' },
  erp: { name: 'erp-gateway', system: 'ERP' },
  deliverySync: { name: 'delivery-sync' },
  wms: { name: 'wms-adapter', system: 'WMS' },
  wmsExport: { name: 'wms-nightly-export', system: 'WMS' },
  billing: { name: 'fin-billing', system: 'FIN' },
  finLedger: { name: 'fin-ledger', system: 'FIN' },
  customerSync: { name: 'customer-sync' },
} as const

export type ServiceRole = keyof typeof SERVICES

/** The clock_skew fault: this system's clocks run this far off. */
export const CLOCK_SKEW = { system: 'WMS', offsetMs: -7 * MINUTE } as const

export interface LeadToCash {
  readonly world: World
  readonly options: ScenarioOptions
  readonly ledger: LeadToCashLedger
  readonly numbers: BusinessNumbers
  readonly services: Readonly<Record<ServiceRole, ServiceTelemetry>>
}

/** Money as the systems write it: two decimals. */
export const money = (amount: number): number => Math.round(amount * 100) / 100

export { httpAttributes } from '../attributes.ts'

/** A message on this scenario's broker (rabbitmq). */
export const messagingAttributes = (destination: string, operation: 'send' | 'process', messageId: string): Record<string, string> =>
  brokerAttributes('rabbitmq', destination, operation, messageId)
