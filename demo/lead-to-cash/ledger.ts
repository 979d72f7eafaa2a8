// What the lead-to-cash simulation did, as the systems did it: every order with its numbers
// and the simulated instant of each step, and counters per integration. The run's report;
// the tests compare the KPIs against it.
import type { Customer } from './customers.ts'

export interface DeliveryRecord {
  /** 1 or 2: which planned delivery of the order. */
  readonly index: number
  deliveryId?: string
  publishedAt?: number
  createdAt?: number
  goodsIssueAt?: number
  /** When the nightly export sent its goods issue. */
  exportedAt?: number
}

export interface InvoiceRecord {
  readonly invoiceNo: string
  readonly postedAt: number
  reversedAt?: number
}

export interface PaymentRecord {
  readonly paymentId: string
  readonly at: number
  readonly amount: number
  /** When the bank statement import posted it. */
  statementAt?: number
}

export interface OrderRecord {
  readonly orderId: string
  readonly opportunityId: string
  readonly customer: Customer
  readonly value: number
  readonly wonAt: number
  /** Attempts of the CRM -> ERP order call, over all deliveries of its message. */
  attempts: number
  deadLettered: boolean
  soNumber?: string
  createdAt?: number
  rejectedAt?: number
  changedAt?: number
  creditPassedAt?: number
  cancelledAt?: number
  reservationId?: string
  reservedAt?: number
  plannedDeliveries: number
  readonly deliveries: DeliveryRecord[]
  readonly invoices: InvoiceRecord[]
  receivableId?: string
  receivablePostedAt?: number
  readonly payments: PaymentRecord[]
  clearedAt?: number
}

export type ErpAnswer = 'created' | 'rejected' | 'unavailable' | 'timeout'

export interface IntegrationCounters {
  /** crm-to-erp-orders: POST A_SalesOrder attempts by answer. */
  readonly erpAttempts: Record<ErpAnswer, number>
  erpDeadLettered: number
  erpRedriven: number
  /** erp-to-wms-deliveries messages. */
  deliveriesPublished: number
  deliveriesConsumed: number
  /** Consumed again (redelivered copies). */
  deliveriesRedelivered: number
  /** Most messages waiting in the queue at once. */
  deliveryBacklogMax: number
  /** crm-to-erp-customers. */
  readonly syncChanges: Record<string, number>
  syncApplies: number
  readonly syncFailedApplies: Record<'mapping' | 'unavailable', number>
  /** Changes folded into a later version's apply. */
  syncCoalesced: number
  exportRuns: number
  lateExportRuns: number
  goodsIssuesExported: number
  bankBatches: number
}

export class LeadToCashLedger {
  readonly orders: OrderRecord[] = []
  readonly counters: IntegrationCounters = {
    erpAttempts: { created: 0, rejected: 0, unavailable: 0, timeout: 0 },
    erpDeadLettered: 0,
    erpRedriven: 0,
    deliveriesPublished: 0,
    deliveriesConsumed: 0,
    deliveriesRedelivered: 0,
    deliveryBacklogMax: 0,
    syncChanges: {},
    syncApplies: 0,
    syncFailedApplies: { mapping: 0, unavailable: 0 },
    syncCoalesced: 0,
    exportRuns: 0,
    lateExportRuns: 0,
    goodsIssuesExported: 0,
    bankBatches: 0,
  }

  open(order: Omit<OrderRecord, 'attempts' | 'deadLettered' | 'plannedDeliveries' | 'deliveries' | 'invoices' | 'payments'>): OrderRecord {
    const record: OrderRecord = { ...order, attempts: 0, deadLettered: false, plannedDeliveries: 0, deliveries: [], invoices: [], payments: [] }
    this.orders.push(record)
    return record
  }

  report(): LeadToCashReport {
    const orders = this.orders
    const count = (test: (o: OrderRecord) => boolean): number => orders.filter(test).length
    return {
      ordersWon: orders.length,
      salesOrdersCreated: count((o) => o.createdAt !== undefined),
      salesOrdersRejected: count((o) => o.rejectedAt !== undefined),
      cancelled: count((o) => o.cancelledAt !== undefined),
      reserved: count((o) => o.reservedAt !== undefined),
      deliveriesCreated: orders.reduce((n, o) => n + o.deliveries.filter((d) => d.createdAt !== undefined).length, 0),
      goodsIssued: orders.reduce((n, o) => n + o.deliveries.filter((d) => d.goodsIssueAt !== undefined).length, 0),
      invoiced: count((o) => o.invoices.length > 0),
      paid: count((o) => o.payments.length > 0),
      completed: count((o) => o.clearedAt !== undefined),
      counters: structuredClone(this.counters),
      orders,
    }
  }
}

export interface LeadToCashReport {
  /** Opportunities won, each an order (an instance of lead_to_cash). */
  readonly ordersWon: number
  readonly salesOrdersCreated: number
  readonly salesOrdersRejected: number
  readonly cancelled: number
  readonly reserved: number
  readonly deliveriesCreated: number
  readonly goodsIssued: number
  readonly invoiced: number
  readonly paid: number
  /** Receivable cleared: the order is cash. */
  readonly completed: number
  readonly counters: IntegrationCounters
  readonly orders: readonly OrderRecord[]
}
