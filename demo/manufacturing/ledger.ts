// What the manufacturing simulation did, as the systems did it: every sales order with its
// numbers and the simulated instant of each step, and counters per integration. The run's
// report; the tests compare the KPIs against it.
import type { Customer, Product } from './master-data.ts'

export type SupplierAnswer = 'ok' | 'unavailable' | 'timeout'

export interface OrderRecord {
  readonly salesOrderNo: string
  readonly customer: Customer
  readonly product: Product
  readonly quantity: number
  readonly value: number
  readonly createdAt: number
  productionOrderNo?: string
  productionOrderCreatedAt?: number
  /** Calls to the supplier portal for this order, over all retries. */
  supplierAttempts: number
  materialsConfirmedAt?: number
  releasedAt?: number
  mesJobId?: string
  scheduledAt?: number
  startedAt?: number
  completedAt?: number
  /** When the shift confirmed yield and scrap at the terminal... */
  yieldConfirmedAt?: number
  /** ...and when the shift batch posted it. */
  yieldPostedAt?: number
  scrap?: number
  handlingUnitId?: string
  receivedAt?: number
  materialDocumentNo?: string
  goodsReceiptPostedAt?: number
  deliveryNo?: string
  deliveryCreatedAt?: number
  issuedAt?: number
  deliveredAt?: number
}

export interface ManufacturingCounters {
  readonly supplierCalls: Record<SupplierAnswer, number>
  orderMessages: number
  orderConsumed: number
  /** Production order messages consumed again (redelivered copies). */
  orderRedelivered: number
  /** Most production order messages waiting at once. */
  orderBacklogMax: number
  /** Stock changes per entity type (finished_goods, raw_material) at the WMS. */
  readonly syncChanges: Record<string, number>
  readonly syncApplies: Record<string, number>
  /** Newer changes folded into a queued one of the same stock item. */
  readonly syncCoalesced: Record<string, number>
  /** Applies refused with a mapping error (dead-lettered). */
  readonly syncRefused: Record<string, number>
  syncRuns: number
  /** Most stock items waiting for the sync job at once. */
  syncBacklogMax: number
  batchRuns: number
  lateBatchRuns: number
}

export interface ManufacturingReport {
  readonly salesOrders: number
  readonly productionOrders: number
  readonly materialsConfirmed: number
  readonly released: number
  readonly scheduled: number
  readonly started: number
  readonly completed: number
  readonly yieldConfirmed: number
  readonly yieldPosted: number
  readonly received: number
  readonly goodsReceiptsPosted: number
  readonly deliveries: number
  readonly issued: number
  readonly delivered: number
  readonly counters: ManufacturingCounters
  readonly orders: readonly OrderRecord[]
}

export class ManufacturingLedger {
  readonly orders: OrderRecord[] = []
  readonly counters: ManufacturingCounters = {
    supplierCalls: { ok: 0, unavailable: 0, timeout: 0 },
    orderMessages: 0,
    orderConsumed: 0,
    orderRedelivered: 0,
    orderBacklogMax: 0,
    syncChanges: {},
    syncApplies: {},
    syncCoalesced: {},
    syncRefused: {},
    syncRuns: 0,
    syncBacklogMax: 0,
    batchRuns: 0,
    lateBatchRuns: 0,
  }

  open(order: Omit<OrderRecord, 'supplierAttempts'>): OrderRecord {
    const record: OrderRecord = { ...order, supplierAttempts: 0 }
    this.orders.push(record)
    return record
  }

  count(counter: 'syncChanges' | 'syncApplies' | 'syncCoalesced' | 'syncRefused', entityType: string): void {
    const counts = this.counters[counter]
    counts[entityType] = (counts[entityType] ?? 0) + 1
  }

  report(): ManufacturingReport {
    const o = this.orders
    const has = (pick: (r: OrderRecord) => unknown): number => o.filter((r) => pick(r) !== undefined).length
    return {
      salesOrders: o.length,
      productionOrders: has((r) => r.productionOrderCreatedAt),
      materialsConfirmed: has((r) => r.materialsConfirmedAt),
      released: has((r) => r.releasedAt),
      scheduled: has((r) => r.scheduledAt),
      started: has((r) => r.startedAt),
      completed: has((r) => r.completedAt),
      yieldConfirmed: has((r) => r.yieldConfirmedAt),
      yieldPosted: has((r) => r.yieldPostedAt),
      received: has((r) => r.receivedAt),
      goodsReceiptsPosted: has((r) => r.goodsReceiptPostedAt),
      deliveries: has((r) => r.deliveryCreatedAt),
      issued: has((r) => r.issuedAt),
      delivered: has((r) => r.deliveredAt),
      counters: this.counters,
      orders: o,
    }
  }
}
