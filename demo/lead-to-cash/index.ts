// Scenario 1, lead to cash (the seed article's own example): CRM opportunity won -> ERP
// sales order -> WMS reservation, deliveries and goods issue -> finance invoice and
// receivable -> bank payment, plus the CRM -> ERP customer master-data sync. Wires the
// simulated systems together and starts them. Definition: processes.d/lead-to-cash.yaml;
// alert rules: alert-rules/lead-to-cash.yaml.
import type { ServiceTelemetry } from '../telemetry.ts'
import type { ScenarioOptions, World } from '../world.ts'
import { Bank } from './bank.ts'
import { CLOCK_SKEW, PROCESS, SERVICES, type LeadToCash, type ServiceRole } from './context.ts'
import { Crm } from './crm.ts'
import { CustomerSync } from './customer-sync.ts'
import { DeliveryQueue } from './delivery-queue.ts'
import { Erp } from './erp.ts'
import { Finance } from './finance.ts'
import { LeadToCashLedger, type LeadToCashReport } from './ledger.ts'
import { NightlyExport } from './nightly-export.ts'
import { BusinessNumbers } from './numbers.ts'
import { OrderSync } from './order-sync.ts'
import { Wms } from './wms.ts'

export { CUSTOMERS, type Customer, type CustomerTier, type PaymentHabit } from './customers.ts'
export type { DeliveryRecord, IntegrationCounters, InvoiceRecord, LeadToCashReport, OrderRecord, PaymentRecord } from './ledger.ts'
export { CLOCK_SKEW, Integration, PROCESS, SERVICES } from './context.ts'
export { MAX_ORDER_ATTEMPTS } from './order-sync.ts'
export { LATE_BATCH_DELAY, nextNightlyRun } from './nightly-export.ts'

export interface LeadToCashOptions extends ScenarioOptions {
  /** CRM account and contact changes per simulated hour; default 0.6 x orders per hour, at least 6. */
  readonly customerChangesPerHour?: number
}

export interface LeadToCashRun {
  report(): LeadToCashReport
}

export function startLeadToCash(world: World, options: LeadToCashOptions): LeadToCashRun {
  const ledger = new LeadToCashLedger()
  const service = (role: ServiceRole): ServiceTelemetry => world.telemetry.service(SERVICES[role])
  const services: Record<ServiceRole, ServiceTelemetry> = {
    crm: service('crm'),
    orderSync: service('orderSync'),
    erp: service('erp'),
    deliverySync: service('deliverySync'),
    wms: service('wms'),
    wmsExport: service('wmsExport'),
    billing: service('billing'),
    finLedger: service('finLedger'),
    customerSync: service('customerSync'),
  }
  const l2c: LeadToCash = { world, options, ledger, numbers: new BusinessNumbers(world.startMs), services }
  const finance = new Finance(l2c)
  const bank = new Bank(l2c, finance)
  finance.connect(bank)
  const nightlyExport = new NightlyExport(l2c)
  const wms = new Wms(l2c, [nightlyExport, finance])
  const deliveries = new DeliveryQueue(l2c, wms)
  const erp = new Erp(l2c, wms, deliveries)
  const orderSync = new OrderSync(l2c, erp)
  const crm = new Crm(l2c, (message, atMs) => orderSync.receive(message, atMs))
  const customerSync = new CustomerSync(l2c, options.customerChangesPerHour ?? Math.max(6, options.ordersPerHour * 0.6))
  for (const system of [crm, orderSync, nightlyExport, bank, customerSync]) system.start()
  return { report: () => ledger.report() }
}

export const LEAD_TO_CASH = {
  name: 'lead-to-cash',
  process: PROCESS,
  description: 'CRM opportunity won -> ERP sales order -> WMS reservation, delivery, goods issue -> FIN invoice, receivable -> BANK payment',
  clockSkew: CLOCK_SKEW,
  start: startLeadToCash,
} as const
