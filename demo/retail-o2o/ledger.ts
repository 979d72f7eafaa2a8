// What the retail O2O simulation did, as the systems did it: every online order with its
// numbers and the simulated instant of each step, the in-store sales, and counters per
// integration. The run's report; the tests compare the KPIs against it.
import type { Member, Store } from './stores.ts'

export type Fulfilment = 'ship' | 'pickup'
export type PosAnswer = 'accepted' | 'declined' | 'unavailable' | 'timeout'

export interface RoutingRecord {
  readonly routingId: string
  readonly store: Store
  readonly routedAt: number
  /** The store's answer: accepted, or declined for want of stock (an oversell). */
  outcome?: 'accepted' | 'declined'
  answeredAt?: number
}

export interface OnlineOrderRecord {
  readonly orderNo: string
  readonly member: Member
  readonly fulfilment: Fulfilment
  readonly value: number
  readonly placedAt: number
  paymentId?: string
  paidAt?: number
  /** Routing attempts, in order: a store that declines sends the order to the next one. */
  readonly routings: RoutingRecord[]
  /** Calls to store POS systems, over all retries. */
  posAttempts: number
  storeOrderNo?: string
  acceptedAt?: number
  pickedAt?: number
  packedAt?: number
  pickupCode?: string
  readyAt?: number
  /** When the customer collected it at the counter... */
  pickedUpAt?: number
  /** ...and when the store's end-of-day batch posted that. */
  pickupPostedAt?: number
  shipmentId?: string
  shippedAt?: number
  deliveredAt?: number
  returnedAt?: number
  cancelledAt?: number
}

export interface RetailCounters {
  readonly posCalls: Record<PosAnswer, number>
  routingMessages: number
  routingConsumed: number
  /** Routing messages consumed again (redelivered copies). */
  routingRedelivered: number
  /** Most routing messages waiting at once. */
  routingBacklogMax: number
  /** Source-side changes per sync entity type (stock, points, member). */
  readonly syncChanges: Record<string, number>
  readonly syncApplies: Record<string, number>
  /** Newer changes folded into a queued apply of the same entity. */
  readonly syncCoalesced: Record<string, number>
  /** Applies refused with a mapping error (dead-lettered). */
  readonly syncRefused: Record<string, number>
  eodRuns: number
  lateEodRuns: number
}

export interface RetailReport {
  readonly onlineOrders: number
  readonly inStoreSales: number
  readonly paid: number
  /** Orders routed at least once. */
  readonly routed: number
  /** Routings a store declined (no stock: an oversell). */
  readonly declined: number
  readonly accepted: number
  readonly picked: number
  readonly shipped: number
  readonly readyForPickup: number
  readonly pickedUp: number
  readonly pickupsPosted: number
  readonly delivered: number
  readonly returned: number
  readonly cancelled: number
  readonly counters: RetailCounters
  readonly orders: readonly OnlineOrderRecord[]
}

const zero = (): Record<string, number> => ({})

export class RetailLedger {
  readonly orders: OnlineOrderRecord[] = []
  inStoreSales = 0
  readonly counters: RetailCounters = {
    posCalls: { accepted: 0, declined: 0, unavailable: 0, timeout: 0 },
    routingMessages: 0,
    routingConsumed: 0,
    routingRedelivered: 0,
    routingBacklogMax: 0,
    syncChanges: zero(),
    syncApplies: zero(),
    syncCoalesced: zero(),
    syncRefused: zero(),
    eodRuns: 0,
    lateEodRuns: 0,
  }

  open(order: Omit<OnlineOrderRecord, 'routings' | 'posAttempts'>): OnlineOrderRecord {
    const record: OnlineOrderRecord = { ...order, routings: [], posAttempts: 0 }
    this.orders.push(record)
    return record
  }

  count(counter: 'syncChanges' | 'syncApplies' | 'syncCoalesced' | 'syncRefused', entityType: string): void {
    const counts = this.counters[counter]
    counts[entityType] = (counts[entityType] ?? 0) + 1
  }

  report(): RetailReport {
    const o = this.orders
    const has = (pick: (r: OnlineOrderRecord) => unknown): number => o.filter((r) => pick(r) !== undefined).length
    return {
      onlineOrders: o.length,
      inStoreSales: this.inStoreSales,
      paid: has((r) => r.paidAt),
      routed: o.filter((r) => r.routings.length > 0).length,
      declined: o.reduce((n, r) => n + r.routings.filter((x) => x.outcome === 'declined').length, 0),
      accepted: has((r) => r.acceptedAt),
      picked: has((r) => r.pickedAt),
      shipped: has((r) => r.shippedAt),
      readyForPickup: has((r) => r.readyAt),
      pickedUp: has((r) => r.pickedUpAt),
      pickupsPosted: has((r) => r.pickupPostedAt),
      delivered: has((r) => r.deliveredAt),
      returned: has((r) => r.returnedAt),
      cancelled: has((r) => r.cancelledAt),
      counters: this.counters,
      orders: o,
    }
  }
}
