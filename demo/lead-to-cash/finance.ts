// Finance (services fin-billing and fin-ledger): once every delivery of an order has left
// the warehouse, billing posts the invoice (now and then reversed by a credit note and
// posted again), the ledger posts the receivable, and clears it when the bank statement
// shows the money in.
import { ROOT_CONTEXT } from '@opentelemetry/api'
import { recordBusinessEvent } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { recordStep } from '../steps.ts'
import { CURRENCY, MINUTE, PROCESS, type LeadToCash } from './context.ts'
import type { DeliveryRecord, InvoiceRecord, OrderRecord, PaymentRecord } from './ledger.ts'
import type { GoodsIssueListener } from './wms.ts'

const REVERSAL_RATE = 0.02

export interface PaymentExpectation {
  expectPayment(order: OrderRecord, invoice: InvoiceRecord, atMs: number): void
}

export class Finance implements GoodsIssueListener {
  readonly #l2c: LeadToCash
  readonly #random: SeededRandom
  #bank: PaymentExpectation | undefined

  constructor(l2c: LeadToCash) {
    this.#l2c = l2c
    this.#random = l2c.world.random.fork('finance')
  }

  connect(bank: PaymentExpectation): void {
    this.#bank = bank
  }

  goodsIssued(order: OrderRecord, _delivery: DeliveryRecord, atMs: number): void {
    if (order.cancelledAt !== undefined || order.deliveries.length < order.plannedDeliveries) return
    if (!order.deliveries.every((d) => d.goodsIssueAt !== undefined)) return
    this.#l2c.world.scheduler.at(atMs + this.#random.between(15, 120) * MINUTE, () => this.#postInvoice(order, false))
  }

  #postInvoice(order: OrderRecord, corrected: boolean): void {
    const t = this.#l2c.world.scheduler.now()
    const invoice: InvoiceRecord = { invoiceNo: this.#l2c.numbers.invoice(), postedAt: t }
    recordStep(
      this.#l2c.services.billing,
      'post invoice',
      {
        process: PROCESS,
        milestone: 'invoice.posted',
        system: 'FIN',
        object: 'invoice',
        keys: { order_id: order.orderId, so_number: order.soNumber!, invoice_no: invoice.invoiceNo, erp_customer_id: order.customer.erpCustomerId },
        value: order.value,
        currency: CURRENCY,
        attributes: { 'fin.company_code': 'CN01', 'fin.document_type': corrected ? 'corrected' : 'standard' },
      },
      t - this.#random.between(300, 1500),
      t,
    )
    order.invoices.push(invoice)
    const { scheduler } = this.#l2c.world
    if (!corrected && this.#random.chance(REVERSAL_RATE)) {
      const reversedAt = t + this.#random.between(20, 90) * MINUTE
      scheduler.at(reversedAt, () => this.#reverse(order, invoice))
      scheduler.at(reversedAt + this.#random.between(15, 60) * MINUTE, () => this.#postInvoice(order, true))
      return
    }
    scheduler.at(t + this.#random.between(1, 5) * MINUTE, () => this.#postReceivable(order, invoice))
  }

  #reverse(order: OrderRecord, invoice: InvoiceRecord): void {
    const t = this.#l2c.world.scheduler.now()
    invoice.reversedAt = t
    this.#event(t, 'invoice.reversed', 'invoice', { invoice_no: invoice.invoiceNo, so_number: order.soNumber! }, `FIN:invoice:${invoice.invoiceNo}:reversed`, {
      'fin.reason': 'wrong unit price',
    })
  }

  #postReceivable(order: OrderRecord, invoice: InvoiceRecord): void {
    const t = this.#l2c.world.scheduler.now()
    const receivableId = this.#l2c.numbers.receivable()
    order.receivableId = receivableId
    order.receivablePostedAt = t
    this.#event(t, 'receivable.posted', 'receivable', { invoice_no: invoice.invoiceNo, receivable_id: receivableId }, `FIN:receivable:${receivableId}:posted`, {
      'fin.payment_terms': 'NT30',
    })
    this.#bank?.expectPayment(order, invoice, t)
  }

  /** The bank statement showed `payment`; the receivable clears once the invoice is paid in full. */
  paymentReceived(order: OrderRecord, payment: PaymentRecord, atMs: number): void {
    const paid = order.payments.reduce((sum, p) => sum + p.amount, 0)
    if (paid + 0.005 < order.value || order.clearedAt !== undefined) return
    this.#l2c.world.scheduler.at(atMs + this.#random.between(15, 90) * MINUTE, () => {
      const t = this.#l2c.world.scheduler.now()
      order.clearedAt = t
      const invoiceNo = order.invoices.at(-1)!.invoiceNo
      this.#event(
        t,
        'receivable.cleared',
        'receivable',
        { receivable_id: order.receivableId!, payment_id: payment.paymentId, invoice_no: invoiceNo },
        `FIN:receivable:${order.receivableId!}:cleared`,
        {},
      )
    })
  }

  #event(t: number, milestone: string, object: string, keys: Record<string, string>, eventId: string, attributes: Record<string, string>): void {
    const ledger = this.#l2c.services.finLedger
    recordBusinessEvent(ledger.logger, {
      process: PROCESS,
      milestone,
      system: 'FIN',
      object,
      keys,
      eventId,
      time: ledger.clock(t),
      attributes,
      context: ROOT_CONTEXT,
    })
  }
}
