// The CRM: opportunities move through their stages; when one is won, the CRM's webhook
// reaches the crm-connector, which logs the stage change (the definition recognises
// opportunity.won from that log: crm.opportunity.stage_changed, stage Closed Won) and
// publishes the new order to the crm.orders queue, its order id in baggage.
import { ROOT_CONTEXT, SeverityNumber, SpanKind, type Context } from '@opentelemetry/api'
import { BusinessAttr, businessKeyAttributes, businessKeys, contextWithBusinessKeys } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, inject, openStep, recordStep } from '../steps.ts'
import { ORDER_WEIGHTS } from './customers.ts'
import { CURRENCY, HOUR, Integration, messagingAttributes, money, PROCESS, SECOND, type LeadToCash } from './context.ts'
import type { OrderRecord } from './ledger.ts'
import type { OrderMessage } from './order-sync.ts'

const NOISE_STAGES: ReadonlyArray<readonly [string, string]> = [
  ['Qualification', 'Proposal'],
  ['Proposal', 'Negotiation'],
  ['Negotiation', 'Closed Lost'],
]

export class Crm {
  readonly #l2c: LeadToCash
  readonly #random: SeededRandom
  readonly #send: (message: OrderMessage, atMs: number) => void

  constructor(l2c: LeadToCash, send: (message: OrderMessage, atMs: number) => void) {
    this.#l2c = l2c
    this.#random = l2c.world.random.fork('crm')
    this.#send = send
  }

  start(): void {
    this.#nextWin(this.#l2c.world.startMs)
    this.#nextStageChange(this.#l2c.world.startMs)
  }

  #nextWin(fromMs: number): void {
    const gap = this.#random.exponential(HOUR / this.#l2c.options.ordersPerHour)
    this.#l2c.world.scheduler.at(fromMs + gap, () => {
      this.#won(this.#l2c.world.scheduler.now())
      this.#nextWin(this.#l2c.world.scheduler.now())
    })
  }

  /** Opportunities that move without being won: logged alike, recognised as nothing. */
  #nextStageChange(fromMs: number): void {
    const gap = this.#random.exponential(HOUR / this.#l2c.options.ordersPerHour)
    this.#l2c.world.scheduler.at(fromMs + gap, () => {
      const [from, to] = this.#random.pick(NOISE_STAGES)
      const customer = this.#random.weighted(ORDER_WEIGHTS)
      const opportunityId = this.#l2c.numbers.opportunity()
      const keys = { opportunity_id: opportunityId, crm_account_id: customer.crmAccountId }
      this.#stageLog(this.#l2c.world.scheduler.now(), ROOT_CONTEXT, `Opportunity ${opportunityId} (${customer.name}) moved from ${from} to ${to}`, keys, {
        'crm.opportunity.stage': to,
        'crm.opportunity.previous_stage': from,
      })
      this.#nextStageChange(this.#l2c.world.scheduler.now())
    })
  }

  #stageLog(atMs: number, context: Context, body: string, keys: Record<string, string>, attributes: Record<string, string | number>): void {
    const crm = this.#l2c.services.crm
    crm.logger.emit({
      eventName: 'crm.opportunity.stage_changed',
      timestamp: crm.clock(atMs),
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body,
      attributes: {
        ...attributes,
        [BusinessAttr.process]: PROCESS,
        [BusinessAttr.system]: 'CRM',
        [BusinessAttr.object]: 'opportunity',
        ...businessKeyAttributes(businessKeys(keys)),
      },
      context,
    })
  }

  #won(t: number): void {
    const { numbers, ledger, services } = this.#l2c
    const customer = this.#random.weighted(ORDER_WEIGHTS)
    const order: OrderRecord = ledger.open({
      orderId: numbers.order(),
      opportunityId: numbers.opportunity(),
      customer,
      value: money(Math.min(2_000_000, this.#random.logNormal(customer.tier === 'strategic' ? 180_000 : 45_000, 0.8))),
      wonAt: t,
    })
    const webhook = openStep(
      services.crm,
      'POST /webhooks/opportunity-stage',
      {
        kind: SpanKind.SERVER,
        process: PROCESS,
        system: 'CRM',
        object: 'opportunity',
        keys: { opportunity_id: order.opportunityId, crm_account_id: customer.crmAccountId },
        attributes: { 'http.request.method': 'POST', 'http.route': '/webhooks/opportunity-stage', 'http.response.status_code': 200 },
      },
      t - 40,
    )
    this.#stageLog(
      t,
      webhook.context,
      `Opportunity ${order.opportunityId} (${customer.name}) moved from Negotiation to Closed Won`,
      { order_id: order.orderId, opportunity_id: order.opportunityId, crm_account_id: customer.crmAccountId },
      {
        'crm.opportunity.stage': 'Closed Won',
        'crm.opportunity.previous_stage': 'Negotiation',
        [BusinessAttr.value]: order.value,
        [BusinessAttr.currency]: CURRENCY,
        customer_tier: customer.tier,
        region: customer.region,
      },
    )
    // The order goes to the integration with its id in baggage: the next hops know it without parsing.
    const messageId = numbers.message('crm.orders')
    const publish = recordStep(
      services.crm,
      'crm.orders publish',
      {
        kind: SpanKind.PRODUCER,
        context: contextWithBusinessKeys(webhook.context, { order_id: order.orderId }),
        process: PROCESS,
        integration: Integration.orders,
        sourceSystem: 'CRM',
        targetSystem: 'ERP',
        keys: { opportunity_id: order.opportunityId },
        attributes: messagingAttributes('crm.orders', 'send', messageId),
      },
      t + 5,
      t + 25,
    )
    closeStep(webhook, t + 30)
    this.#send({ carrier: inject(publish.context), order, messageId, attempt: 0 }, t + 25 + this.#random.between(0.2, 3) * SECOND)
  }
}
