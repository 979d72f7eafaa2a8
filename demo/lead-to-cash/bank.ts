// The bank (system BANK, a legacy route with no OpenTelemetry SDK): customers pay by their
// habit (within days, on the 30-day terms, or late; some in two instalments), and every half
// hour the statement import posts the incoming payments to POST /v1/events, dated when the
// money arrived, with the bank reference as event id.
import type { PostedEvent } from '../sink.ts'
import type { SeededRandom } from '../random.ts'
import type { PaymentHabit } from './customers.ts'
import { CURRENCY, DAY, HOUR, Integration, MINUTE, money, PROCESS, type LeadToCash } from './context.ts'
import type { Finance, PaymentExpectation } from './finance.ts'
import type { InvoiceRecord, OrderRecord, PaymentRecord } from './ledger.ts'

const INSTALMENT_RATE = 0.1
const STATEMENT_EVERY = 30 * MINUTE

const PAYS_AFTER: Readonly<Record<PaymentHabit, readonly [number, number]>> = {
  prompt: [4 * HOUR, 2 * DAY],
  net30: [26 * DAY, 34 * DAY],
  late: [38 * DAY, 50 * DAY],
}

interface Incoming {
  readonly order: OrderRecord
  readonly invoice: InvoiceRecord
  readonly payment: PaymentRecord
}

export class Bank implements PaymentExpectation {
  readonly #l2c: LeadToCash
  readonly #finance: Finance
  readonly #random: SeededRandom
  #statement: Incoming[] = []

  constructor(l2c: LeadToCash, finance: Finance) {
    this.#l2c = l2c
    this.#finance = finance
    this.#random = l2c.world.random.fork('bank')
  }

  start(): void {
    this.#scheduleImport(this.#l2c.world.startMs)
  }

  expectPayment(order: OrderRecord, invoice: InvoiceRecord, atMs: number): void {
    const [min, max] = PAYS_AFTER[order.customer.habit]
    const first = atMs + this.#random.between(min, max)
    const { scheduler } = this.#l2c.world
    if (this.#random.chance(INSTALMENT_RATE)) {
      const half = money(order.value / 2)
      scheduler.at(first, () => this.#pay(order, invoice, half))
      scheduler.at(first + this.#random.between(1, 40) * HOUR, () => this.#pay(order, invoice, money(order.value - half)))
    } else scheduler.at(first, () => this.#pay(order, invoice, order.value))
  }

  #pay(order: OrderRecord, invoice: InvoiceRecord, amount: number): void {
    const payment: PaymentRecord = { paymentId: this.#l2c.numbers.payment(), at: this.#l2c.world.scheduler.now(), amount }
    order.payments.push(payment)
    this.#statement.push({ order, invoice, payment })
  }

  #scheduleImport(afterMs: number): void {
    const next = (Math.floor(afterMs / STATEMENT_EVERY) + 1) * STATEMENT_EVERY + 2 * MINUTE
    this.#l2c.world.scheduler.at(next, () => {
      this.#import()
      this.#scheduleImport(next)
    })
  }

  #import(): void {
    const incoming = this.#statement
    if (incoming.length === 0) return
    this.#statement = []
    this.#l2c.world.events.post(incoming.map(paymentEvent))
    this.#l2c.ledger.counters.bankBatches++
    const now = this.#l2c.world.scheduler.now()
    for (const { order, payment } of incoming) {
      payment.statementAt = now
      this.#finance.paymentReceived(order, payment, now)
    }
  }
}

const paymentEvent = ({ order, invoice, payment }: Incoming): PostedEvent => ({
  process: PROCESS,
  milestone: 'payment.received',
  system: 'BANK',
  object: 'payment',
  keys: { payment_id: payment.paymentId, invoice_no: invoice.invoiceNo },
  time: new Date(payment.at).toISOString(),
  event_id: `BANK:${payment.paymentId}`,
  value: payment.amount,
  currency: CURRENCY,
  integration: Integration.bankStatements,
  source_system: 'BANK',
  target_system: 'FIN',
  message: `Incoming payment ${payment.amount.toFixed(2)} ${CURRENCY} from ${order.customer.name}, remittance ${invoice.invoiceNo}`,
  attributes: { 'bank.statement': 'MT942', 'bank.account': 'CN01-ICBC-0001' },
})
