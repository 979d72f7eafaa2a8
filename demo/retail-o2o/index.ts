// Scenario 3, retail O2O (the seed article's 零售 O2O): an online shop, the stores' POS
// systems, CRM membership and points, a central inventory service, the OMS that routes each
// online order to the nearest store with the goods, store fulfilment (pick, pack, then a
// courier or the pick-up counter) and payment. Points and stock sync in near real time
// between the POS, the shop, the CRM and the inventory. Wires the simulated systems together
// and starts them. Definition: processes.d/retail-o2o.yaml; alert rules:
// alert-rules/retail-o2o.yaml.
import type { FaultName } from '../faults.ts'
import type { ServiceTelemetry } from '../telemetry.ts'
import type { ScenarioOptions, World } from '../world.ts'
import { Carrier } from './carrier.ts'
import { CLOCK_SKEW, Integration, PROCESS, SERVICES, type RetailO2O, type ServiceRole } from './context.ts'
import { EndOfDayBatch } from './eod-batch.ts'
import { RetailLedger, type RetailReport } from './ledger.ts'
import { RetailNumbers } from './numbers.ts'
import { Oms } from './oms.ts'
import { Shop } from './shop.ts'
import { StorePos } from './store-pos.ts'
import { SyncFlow } from './sync-flow.ts'

export { MEMBERS, STORES, storesByDistance, type Member, type Store } from './stores.ts'
export type { Fulfilment, OnlineOrderRecord, RetailCounters, RetailReport, RoutingRecord } from './ledger.ts'
export { CLOCK_SKEW as RETAIL_CLOCK_SKEW, EOD_SYSTEM, Integration as RetailIntegration, PROCESS as RETAIL_PROCESS, STORE_HOURS } from './context.ts'
export { EOD_LATE_DELAY, nextEndOfDay } from './eod-batch.ts'
export { IN_STORE_PER_ONLINE } from './store-pos.ts'

export interface RetailO2OOptions extends ScenarioOptions {
  /** Member profile changes per simulated hour; default 0.3 x online orders per hour, at least 6. */
  readonly customerChangesPerHour?: number
}

export interface RetailO2ORun {
  report(): RetailReport
}

export function startRetailO2O(world: World, options: RetailO2OOptions): RetailO2ORun {
  const ledger = new RetailLedger()
  const service = (role: ServiceRole): ServiceTelemetry => world.telemetry.service(SERVICES[role])
  const services: Record<ServiceRole, ServiceTelemetry> = {
    shop: service('shop'),
    pay: service('pay'),
    oms: service('oms'),
    pos: service('pos'),
    carrier: service('carrier'),
    inventorySync: service('inventorySync'),
    loyaltySync: service('loyaltySync'),
  }
  const ctx: RetailO2O = { world, options, ledger, numbers: new RetailNumbers(world.startMs), services }
  const stock = new SyncFlow(ctx, {
    entityType: 'stock',
    integration: Integration.stock,
    targetSystem: 'INV',
    topic: 'pos.stock-movements',
    applyService: services.inventorySync,
    applySpan: 'PUT /stock/{location}/{sku}',
    applyUrl: (id) => `https://inventory.example.cn/api/v1/stock/${id}`,
    slowSync: true,
  })
  const points = new SyncFlow(ctx, {
    entityType: 'points',
    integration: Integration.points,
    targetSystem: 'CRM',
    topic: 'loyalty.points',
    applyService: services.loyaltySync,
    applySpan: 'POST /members/{id}/points-transactions',
    applyUrl: (id) => `https://crm.example.cn/api/members/${id}/points-transactions`,
    mappingErrors: 'channel code of the points transaction has no CRM earning rule mapping',
  })
  const members = new SyncFlow(ctx, {
    entityType: 'member',
    integration: Integration.members,
    targetSystem: 'CRM',
    topic: 'ecom.member-profiles',
    applyService: services.loyaltySync,
    applySpan: 'PUT /members/{id}',
    applyUrl: (id) => `https://crm.example.cn/api/members/${id}`,
  })
  const eod = new EndOfDayBatch(ctx)
  const pos = new StorePos(ctx, { stock, points }, new Carrier(ctx), eod)
  const oms = new Oms(ctx, pos, stock)
  const shop = new Shop(
    ctx,
    { points, members },
    (message, atMs) => oms.receive(message, atMs),
    options.customerChangesPerHour ?? Math.max(6, options.ordersPerHour * 0.3),
  )
  for (const system of [shop, pos, eod]) system.start()
  return { report: () => ledger.report() }
}

/** The faults this scenario simulates (a system down is the stores' POS). */
const FAULTS: FaultName[] = ['pos_down', 'slow_sync', 'mapping_errors', 'consumer_stopped', 'duplicate_deliveries', 'late_batch', 'clock_skew']

const sum = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')

export const RETAIL_O2O = {
  name: 'retail-o2o',
  process: PROCESS,
  description:
    'online shop order, payment -> OMS routes to the nearest store with stock -> store POS accepts, picks, packs -> courier or pick-up counter; stock and points synced to inventory and CRM',
  clockSkew: CLOCK_SKEW,
  faults: FAULTS,
  start: startRetailO2O,
  progress: (report: RetailReport) => ({ instances: report.onlineOrders, completed: report.delivered + report.pickedUp }),
  summary: (r: RetailReport): readonly string[] => [
    `  online orders ${r.onlineOrders} (paid ${r.paid}, cancelled ${r.cancelled}), in-store sales ${r.inStoreSales}; routed ${r.routed}, declined by stores ${r.declined}, accepted ${r.accepted}, picked ${r.picked}`,
    `  shipped ${r.shipped} (delivered ${r.delivered}, returned ${r.returned}); ready for pick-up ${r.readyForPickup}, picked up ${r.pickedUp} (reported ${r.pickupsPosted})`,
    `  POS calls: ${r.counters.posCalls.accepted} accepted, ${r.counters.posCalls.declined} declined, ${r.counters.posCalls.unavailable} 503, ${r.counters.posCalls.timeout} timeouts`,
    `  syncs applied: ${sum(r.counters.syncApplies)}; refused: ${sum(r.counters.syncRefused) || 'none'}`,
  ],
} as const
