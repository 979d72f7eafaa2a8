// The crm-to-erp-orders integration flow (service order-sync): consumes crm.orders and
// creates the sales order in the ERP with POST A_SalesOrder. A 201 answer carries the sales
// order number (the definition recognises sales_order.created from exactly that span); a
// 422 is a rejected order (sales_order.rejected), parked; 503s and timeouts are retried with
// backoff under one operation id, attempts 1..n, then dead-lettered and re-driven hourly
// once the ERP answers again.
import { SpanKind, type Context } from '@opentelemetry/api'
import { DEAD_LETTER_ATTRIBUTE } from '../../processes/index.ts'
import { BusinessAttr, IntegrationError } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, extract, inject, openStep, recordStep, type Carrier } from '../steps.ts'
import { HOUR, httpAttributes, Integration, messagingAttributes, MINUTE, PROCESS, SECOND, type LeadToCash } from './context.ts'
import type { Erp } from './erp.ts'
import type { ErpAnswer, OrderRecord } from './ledger.ts'

export interface OrderMessage {
  readonly carrier: Carrier
  readonly order: OrderRecord
  readonly messageId: string
  /** Attempts made so far. */
  readonly attempt: number
}

/** Waits before the 2nd, 3rd... attempt; after the last, the message is dead-lettered. */
const BACKOFF_MINUTES = [1, 2, 4, 8, 15, 30, 30, 30]
export const MAX_ORDER_ATTEMPTS = BACKOFF_MINUTES.length + 1
const ERP_URL = 'https://erp.example.cn/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder'
const ANSWER_TIMEOUT_MS = 30 * SECOND

export class OrderSync {
  readonly #l2c: LeadToCash
  readonly #erp: Erp
  readonly #random: SeededRandom
  readonly #deadLetters: OrderMessage[] = []

  constructor(l2c: LeadToCash, erp: Erp) {
    this.#l2c = l2c
    this.#erp = erp
    this.#random = l2c.world.random.fork('order-sync')
  }

  start(): void {
    this.#scheduleRedrive(this.#l2c.world.startMs)
  }

  /** A message arrives on crm.orders at `atMs`. */
  receive(message: OrderMessage, atMs: number): void {
    this.#l2c.world.scheduler.at(atMs, () => this.#attempt(message))
  }

  #attempt(message: OrderMessage): void {
    const start = this.#l2c.world.scheduler.now()
    const answer = this.#erp.answerSalesOrder(start)
    const duration =
      answer === 'timeout'
        ? ANSWER_TIMEOUT_MS
        : answer === 'created'
          ? Math.min(5 * SECOND, this.#random.logNormal(450, 0.4))
          : this.#random.between(answer === 'rejected' ? 120 : 20, 300)
    // Recorded when the answer is in (or the wait is over): nothing is dated after its own run.
    this.#l2c.world.scheduler.at(start + duration + 5, () => this.#record({ ...message, attempt: message.attempt + 1 }, answer, start, start + duration))
  }

  #record(message: OrderMessage, answer: ErpAnswer, start: number, end: number): void {
    const { services, ledger, numbers } = this.#l2c
    const { order, attempt } = message
    order.attempts = attempt
    ledger.counters.erpAttempts[answer]++
    const retryable = answer === 'unavailable' || answer === 'timeout'
    const deadLetter = answer === 'rejected' || (retryable && attempt >= MAX_ORDER_ATTEMPTS)
    const operation = {
      process: PROCESS,
      integration: Integration.orders,
      sourceSystem: 'CRM',
      targetSystem: 'ERP',
      operationId: `${Integration.orders}:${order.orderId}`,
      attempt,
    }
    const consumer = openStep(
      services.orderSync,
      'crm.orders process',
      { kind: SpanKind.CONSUMER, context: extract(message.carrier), ...operation, attributes: messagingAttributes('crm.orders', 'process', message.messageId) },
      start - 3,
    )
    const call = openStep(
      services.orderSync,
      'POST A_SalesOrder',
      { kind: SpanKind.CLIENT, context: consumer.context, ...operation, object: 'sales_order', attributes: httpAttributes('POST', ERP_URL) },
      start,
    )
    const deadLettered = deadLetter ? { [DEAD_LETTER_ATTRIBUTE]: 'true' } : {}
    if (answer === 'created') {
      const soNumber = numbers.salesOrder()
      this.#erpServer(call.context, 201, start, end, { so_number: soNumber })
      closeStep(call, end, {
        keys: { so_number: soNumber, erp_customer_id: order.customer.erpCustomerId },
        attributes: { 'http.response.status_code': 201, [BusinessAttr.system]: 'ERP' },
      })
      closeStep(consumer, end + 2)
      order.soNumber = soNumber
      order.createdAt = end
      this.#erp.salesOrderCreated(order, end)
      return
    }
    if (answer === 'rejected') {
      this.#erpServer(call.context, 422, start, end, {})
      order.rejectedAt = end
      const error = new IntegrationError(
        '422',
        `ERP refused the sales order of ${order.orderId}: payment terms of customer ${order.customer.erpCustomerId} not maintained`,
      )
      closeStep(call, end, { attributes: { 'http.response.status_code': 422, [BusinessAttr.system]: 'ERP', ...deadLettered }, error })
      closeStep(consumer, end + 2, { attributes: deadLettered, error })
    } else {
      const error =
        answer === 'timeout'
          ? new IntegrationError('timeout', `no answer from the ERP within ${ANSWER_TIMEOUT_MS / SECOND} s`)
          : new IntegrationError('503', 'ERP answered 503 Service Unavailable')
      closeStep(call, end, { attributes: { ...(answer === 'unavailable' ? { 'http.response.status_code': 503 } : {}), ...deadLettered }, error })
      closeStep(consumer, end + 2, { attributes: deadLettered, error })
    }
    if (deadLetter) {
      order.deadLettered = true
      ledger.counters.erpDeadLettered++
      if (retryable) this.#deadLetters.push(message)
    } else {
      const wait = BACKOFF_MINUTES[attempt - 1]! * MINUTE * this.#random.between(0.9, 1.1)
      this.receive(message, end + wait)
    }
  }

  /** The ERP gateway's side of the call, a child of the client span through its headers. */
  #erpServer(clientContext: Context, status: number, start: number, end: number, keys: Record<string, string>): void {
    recordStep(
      this.#l2c.services.erp,
      'POST A_SalesOrder',
      {
        kind: SpanKind.SERVER,
        context: extract(inject(clientContext)),
        system: 'ERP',
        keys,
        attributes: { 'http.request.method': 'POST', 'http.route': '/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder', 'http.response.status_code': status },
      },
      start + 8,
      end - 6,
    )
  }

  /** Operations re-drive the dead-letter queue every hour, once the ERP answers again. */
  #scheduleRedrive(fromMs: number): void {
    const next = (Math.floor(fromMs / HOUR) + 1) * HOUR + 5 * MINUTE
    this.#l2c.world.scheduler.at(next, () => {
      const now = this.#l2c.world.scheduler.now()
      if (this.#deadLetters.length > 0 && !this.#erp.isDown(now)) {
        const parked = this.#deadLetters.splice(0)
        parked.forEach((message, i) => {
          message.order.deadLettered = false
          this.#l2c.ledger.counters.erpRedriven++
          this.receive(message, now + i * 2 * SECOND)
        })
      }
      this.#scheduleRedrive(now)
    })
  }
}
