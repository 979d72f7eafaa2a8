// Approved loans to the core: the BPM engine publishes each to the core.loan.bookings topic;
// the booking consumer (service loan-booking, the bpm-to-core-bookings flow) takes one
// message at a time and opens the loan account with the core banking API (POST /loans; the
// core's SERVER span is loan.booked, with the new loan account number). When the consumer
// is stopped (consumer_stopped) approved applications wait; when it restarts it drains the
// backlog. Under duplicate_deliveries the broker redelivers some messages: the core answers
// 200 with the account it already opened for that process instance.
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api'
import { contextWithBusinessKeys } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { StoppableConsumer } from '../stoppable-consumer.ts'
import { closeStep, extract, inject, openStep, recordStep, type Carrier } from '../steps.ts'
import { CURRENCY, httpAttributes, Integration, messagingAttributes, PROCESS, SECOND, serverAttributes, type BankCredit } from './context.ts'
import type { ApplicationRecord } from './ledger.ts'

export interface BookingListener {
  booked(app: ApplicationRecord, atMs: number): void
}

interface BookingMessage {
  readonly carrier: Carrier
  readonly app: ApplicationRecord
  readonly messageId: string
  /** Times the broker delivered it before. */
  readonly deliveryCount: number
}

const TOPIC = 'core.loan.bookings'
const CORE_URL = 'https://core.bank.example.cn/api/loans/v3/loans'
const REDELIVERY_RATE = 0.3

export class BookingQueue {
  readonly #bc: BankCredit
  readonly #random: SeededRandom
  readonly #listeners: BookingListener[] = []
  readonly #consumer: StoppableConsumer<BookingMessage>

  constructor(bc: BankCredit) {
    this.#bc = bc
    this.#random = bc.world.random.fork('booking-queue')
    this.#consumer = new StoppableConsumer<BookingMessage>({
      world: this.#bc.world,
      random: this.#random,
      pace: { backlog: [1, 3], lone: [0.5, 5] },
      consume: (message) => this.#consume(message),
      onBacklog: (length) => {
        const counters = this.#bc.ledger.counters
        counters.bookingBacklogMax = Math.max(counters.bookingBacklogMax, length)
      },
    })
  }

  listen(listener: BookingListener): void {
    this.#listeners.push(listener)
  }

  /** The engine's send task: publishes the approved loan at `atMs`. */
  publish(app: ApplicationRecord, atMs: number): void {
    const { services, numbers, ledger } = this.#bc
    const messageId = numbers.message(TOPIC)
    const send = recordStep(
      services.bpm,
      `${TOPIC} publish`,
      {
        kind: SpanKind.PRODUCER,
        context: contextWithBusinessKeys(ROOT_CONTEXT, { bpm_instance_id: app.bpmInstanceId! }),
        process: PROCESS,
        integration: Integration.bookings,
        sourceSystem: 'BPM',
        targetSystem: 'CORE',
        attributes: messagingAttributes(TOPIC, 'send', messageId),
      },
      atMs,
      atMs + 8,
    )
    app.bookingPublishedAt = atMs
    ledger.counters.bookingsPublished++
    this.#deliver({ carrier: inject(send.context), app, messageId, deliveryCount: 0 }, atMs + 8)
  }

  #deliver(message: BookingMessage, atMs: number): void {
    this.#bc.world.scheduler.at(atMs, () => {
      this.#consumer.arrive(message)
    })
  }

  #consume(message: BookingMessage): void {
    const { world, services, ledger, numbers } = this.#bc
    const t = world.scheduler.now()
    const { app } = message
    const operation = {
      process: PROCESS,
      integration: Integration.bookings,
      sourceSystem: 'BPM',
      targetSystem: 'CORE',
      operationId: `${Integration.bookings}:${app.bpmInstanceId!}`,
      attempt: message.deliveryCount + 1,
    }
    const consumer = openStep(
      services.booking,
      `${TOPIC} process`,
      { kind: SpanKind.CONSUMER, context: extract(message.carrier), ...operation, attributes: messagingAttributes(TOPIC, 'process', message.messageId) },
      t,
    )
    const end = t + this.#random.between(300, 1_500)
    const call = openStep(
      services.booking,
      'POST /loans',
      { kind: SpanKind.CLIENT, context: consumer.context, ...operation, attributes: httpAttributes('POST', CORE_URL) },
      t + 4,
    )
    const repeat = app.loanAccountNo !== undefined
    const loanAccountNo = app.loanAccountNo ?? numbers.loanAccount()
    recordStep(
      services.core,
      'POST /loans',
      {
        kind: SpanKind.SERVER,
        context: extract(inject(call.context)),
        process: PROCESS,
        milestone: 'loan.booked',
        system: 'CORE',
        object: 'loan_account',
        keys: { loan_account_no: loanAccountNo, cif_no: app.customer.cifNo },
        value: app.amount,
        currency: CURRENCY,
        attributes: serverAttributes('POST', '/api/loans/v3/loans', repeat ? 200 : 201),
      },
      t + 20,
      end - 15,
    )
    closeStep(call, end, { keys: { loan_account_no: loanAccountNo }, attributes: { 'http.response.status_code': repeat ? 200 : 201 } })
    closeStep(consumer, end + 3)
    ledger.counters.bookingsConsumed++
    if (repeat) {
      ledger.counters.bookingsRedelivered++
    } else {
      app.loanAccountNo = loanAccountNo
      app.bookedAt = end - 15
      for (const listener of this.#listeners) listener.booked(app, end)
    }
    // At-least-once: the broker did not see the ack and delivers the message again.
    if (message.deliveryCount === 0 && world.faults.active('duplicate_deliveries', t) && this.#random.chance(REDELIVERY_RATE)) {
      this.#deliver({ ...message, deliveryCount: 1 }, end + this.#random.between(5, 60) * SECOND)
    }
  }
}
