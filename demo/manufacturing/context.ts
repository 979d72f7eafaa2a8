// The manufacturing scenario's shared setting: the process and integration names (as
// processes.d/manufacturing.yaml and alert-rules/manufacturing.yaml name them), the services
// and the systems they front, the plant's shifts, and what every simulated system of the
// scenario is handed.
import { workingHoursCalendar, type BusinessCalendar } from '../../core/calendar.ts'
import { brokerAttributes } from '../attributes.ts'
import type { ServiceTelemetry } from '../telemetry.ts'
import { DAY, HOUR, MINUTE, SECOND } from '../time.ts'
import type { ScenarioOptions, World } from '../world.ts'
import type { ManufacturingLedger } from './ledger.ts'
import type { ManufacturingNumbers } from './numbers.ts'

export const PROCESS = 'make_to_order'
export const CURRENCY = 'CNY'
/** The plant (SAP plant code) every order is made in. */
export const PLANT = '1000'

export { DAY, HOUR, MINUTE, SECOND }

export const Integration = {
  availability: 'erp-to-supplier-availability',
  productionOrders: 'erp-to-mes-orders',
  receipts: 'mes-to-wms-receipts',
  stock: 'wms-to-erp-stock',
  deliveries: 'erp-to-wms-deliveries',
  proofOfDelivery: 'carrier-pod-edi',
  shiftBatch: 'mes-shift-batch',
} as const

export const SERVICES = {
  erp: { name: 'erp-sap', system: 'ERP' },
  supplier: { name: 'supplier-portal', system: 'SUPPLIER' },
  mes: { name: 'mes-shopfloor', system: 'MES' },
  wms: { name: 'wms-warehouse', system: 'WMS' },
  stockSync: { name: 'stock-sync' },
} as const

export type ServiceRole = keyof typeof SERVICES

/** The legacy shift report of the MES (yield and scrap): no SDK, posted to /v1/events under this system. */
export const SHIFT_BATCH_SYSTEM = 'MES_BATCH'

/** The clock_skew fault: the MES clocks run this far off. */
export const CLOCK_SKEW = { system: 'MES', offsetMs: -7 * MINUTE } as const

/**
 * When the plant works (production, goods receipt, shipping): two shifts, 06:00-14:00 and
 * 14:00-22:00 Asia/Shanghai, every day. The same calendar as processes.d/manufacturing.yaml
 * (a test checks they agree). The ERP, the supplier portal and the queues run day and night.
 */
export const PLANT_HOURS: BusinessCalendar = workingHoursCalendar({
  timeZone: 'Asia/Shanghai',
  week: {
    mon: ['06:00-22:00'],
    tue: ['06:00-22:00'],
    wed: ['06:00-22:00'],
    thu: ['06:00-22:00'],
    fri: ['06:00-22:00'],
    sat: ['06:00-22:00'],
    sun: ['06:00-22:00'],
  },
})

export interface Manufacturing {
  readonly world: World
  readonly options: ScenarioOptions
  readonly ledger: ManufacturingLedger
  readonly numbers: ManufacturingNumbers
  readonly services: Readonly<Record<ServiceRole, ServiceTelemetry>>
}

/** Money as the ERP writes it: two decimals. */
export const money = (amount: number): number => Math.round(amount * 100) / 100

export { httpAttributes, serverAttributes } from '../attributes.ts'

/** A message on this scenario's broker (rabbitmq, the ERP's middleware to the shop floor). */
export const messagingAttributes = (destination: string, operation: 'send' | 'process', messageId: string): Record<string, string> =>
  brokerAttributes('rabbitmq', destination, operation, messageId)
