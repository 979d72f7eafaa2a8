// Scenario 2, the manufacturing supply chain: a make-to-order plant. The ERP (SAP-like) takes
// customers' orders and plans a production order for each, asks the supplier portal whether
// the bought-in components are there, and releases the order to the MES over a queue; the MES
// schedules, starts and completes the job in the plant's two shifts and books the finished
// goods into the WMS; a stock sync job pushes the WMS's stock to the ERP every 5 minutes,
// which posts the goods receipt, creates the outbound delivery, and the WMS ships it; the
// carrier's proof of delivery closes the order. The MES's shift report of yield and scrap is
// a legacy file posted to /v1/events. Wires the simulated systems together and starts them.
// Definition: processes.d/manufacturing.yaml; alert rules: alert-rules/manufacturing.yaml.
import type { FaultName } from '../faults.ts'
import type { ServiceTelemetry } from '../telemetry.ts'
import type { ScenarioOptions, World } from '../world.ts'
import { CLOCK_SKEW, PROCESS, SERVICES, type Manufacturing, type ServiceRole } from './context.ts'
import { Erp } from './erp.ts'
import { ManufacturingLedger, type ManufacturingReport } from './ledger.ts'
import { Mes } from './mes.ts'
import { ManufacturingNumbers } from './numbers.ts'
import { ShiftBatch } from './shift-batch.ts'
import { StockSync } from './stock-sync.ts'
import { SupplierPortal } from './supplier-portal.ts'
import { Wms } from './wms.ts'

export { CUSTOMERS as MFG_CUSTOMERS, PRODUCTS, RAW_MATERIALS, WORK_CENTERS, type Customer as MfgCustomer, type Product } from './master-data.ts'
export type { ManufacturingCounters, ManufacturingReport, OrderRecord as ProductionRecord } from './ledger.ts'
export { CLOCK_SKEW as MFG_CLOCK_SKEW, Integration as MfgIntegration, PLANT_HOURS, PROCESS as MFG_PROCESS, SHIFT_BATCH_SYSTEM } from './context.ts'
export { nextShiftEnd, SHIFT_BATCH_LATE_DELAY } from './shift-batch.ts'
export { SYNC_EVERY as STOCK_SYNC_EVERY } from './stock-sync.ts'

export interface ManufacturingRun {
  report(): ManufacturingReport
}

export function startManufacturing(world: World, options: ScenarioOptions): ManufacturingRun {
  const ledger = new ManufacturingLedger()
  const service = (role: ServiceRole): ServiceTelemetry => world.telemetry.service(SERVICES[role])
  const services: Record<ServiceRole, ServiceTelemetry> = {
    erp: service('erp'),
    supplier: service('supplier'),
    mes: service('mes'),
    wms: service('wms'),
    stockSync: service('stockSync'),
  }
  const ctx: Manufacturing = { world, options, ledger, numbers: new ManufacturingNumbers(world.startMs), services }
  const erp = new Erp(ctx, new SupplierPortal(ctx))
  const stock = new StockSync(ctx, erp)
  const wms = new Wms(ctx, stock, erp)
  const shift = new ShiftBatch(ctx)
  const mes = new Mes(ctx, wms, shift)
  erp.start({
    publish: (message, atMs) => mes.receive(message, atMs),
    deliver: (carrier, order, start, end) => wms.receiveDelivery(carrier, order, start, end),
  })
  stock.start()
  shift.start()
  return { report: () => ledger.report() }
}

/** The faults this scenario simulates (a system down is the supplier portal). */
const FAULTS: FaultName[] = ['supplier_down', 'slow_sync', 'mapping_errors', 'consumer_stopped', 'duplicate_deliveries', 'late_batch', 'clock_skew']

const sum = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')

export const MANUFACTURING = {
  name: 'manufacturing',
  process: PROCESS,
  description:
    'ERP sales order -> production order, supplier portal availability check, release -> MES schedule, start, complete -> WMS goods receipt -> stock sync to ERP -> outbound delivery, goods issue, proof of delivery',
  clockSkew: CLOCK_SKEW,
  faults: FAULTS,
  start: startManufacturing,
  progress: (report: ManufacturingReport) => ({ instances: report.salesOrders, completed: report.delivered }),
  summary: (r: ManufacturingReport): readonly string[] => [
    `  sales orders ${r.salesOrders}, production orders ${r.productionOrders}, materials confirmed ${r.materialsConfirmed}, released ${r.released}; scheduled ${r.scheduled}, started ${r.started}, completed ${r.completed} (yield posted ${r.yieldPosted} of ${r.yieldConfirmed})`,
    `  received ${r.received}, goods receipts posted ${r.goodsReceiptsPosted}, deliveries ${r.deliveries}, shipped ${r.issued}, delivered ${r.delivered}`,
    `  supplier portal calls: ${r.counters.supplierCalls.ok} ok, ${r.counters.supplierCalls.unavailable} 503, ${r.counters.supplierCalls.timeout} timeouts`,
    `  stock postings: ${sum(r.counters.syncApplies)}; refused: ${sum(r.counters.syncRefused) || 'none'}`,
  ],
} as const
