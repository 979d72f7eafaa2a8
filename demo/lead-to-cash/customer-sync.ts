// Customer master data, CRM -> ERP (the crm-to-erp-customers flow, service customer-sync):
// accounts (entity type customer, ERP business partners) and their contacts change in the
// CRM; the flow reads each change at the next one-minute poll (recordSyncChange) and one
// worker applies them in the ERP in order (recordSyncApply), folding a newer change of the
// same entity into the queued one. Faults: slow_sync (applies take minutes, the backlog and
// the lag grow), mapping_errors (customers refused with 400, contacts still pass), erp_down
// (503, retried).
import { SpanKind } from '@opentelemetry/api'
import { DEAD_LETTER_ATTRIBUTE } from '../../processes/index.ts'
import { IntegrationError, recordSyncApply, recordSyncChange } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, openStep } from '../steps.ts'
import { CUSTOMERS, type Customer } from './customers.ts'
import { HOUR, httpAttributes, Integration, MINUTE, SECOND, type LeadToCash } from './context.ts'

export type SyncEntityType = 'customer' | 'contact'

interface Change {
  readonly entityType: SyncEntityType
  readonly entityId: string
  readonly customer: Customer
  /** Epoch ms of the change: increases with every change of the entity. */
  readonly version: number
}

interface Queued {
  change: Change
  attempts: number
}

const ERP_BASE = 'https://erp.example.cn/sap/opu/odata/sap/API_BUSINESS_PARTNER'
const ENDPOINTS: Readonly<Record<SyncEntityType, readonly [span: string, path: string]>> = {
  customer: ['POST A_BusinessPartner', 'A_BusinessPartner'],
  contact: ['POST A_ContactPerson', 'A_BusinessPartnerContact'],
}

export class CustomerSync {
  readonly #l2c: LeadToCash
  readonly #random: SeededRandom
  readonly #changesPerHour: number
  /** Entity key -> its queued apply, in the order they were queued. */
  readonly #queue = new Map<string, Queued>()
  #busy = false

  constructor(l2c: LeadToCash, changesPerHour: number) {
    this.#l2c = l2c
    this.#random = l2c.world.random.fork('customer-sync')
    this.#changesPerHour = changesPerHour
  }

  start(): void {
    if (this.#changesPerHour > 0) this.#nextChange(this.#l2c.world.startMs)
  }

  #nextChange(fromMs: number): void {
    const { scheduler } = this.#l2c.world
    scheduler.at(fromMs + this.#random.exponential(HOUR / this.#changesPerHour), () => {
      const t = scheduler.now()
      const customer = this.#random.pick(CUSTOMERS)
      const entityType: SyncEntityType = this.#random.chance(0.7) ? 'customer' : 'contact'
      const change: Change = {
        entityType,
        entityId: entityType === 'customer' ? customer.crmAccountId : this.#random.pick(customer.contacts),
        customer,
        version: t,
      }
      const counters = this.#l2c.ledger.counters
      counters.syncChanges[entityType] = (counters.syncChanges[entityType] ?? 0) + 1
      scheduler.at((Math.floor(t / MINUTE) + 1) * MINUTE + this.#random.between(0.5, 2) * SECOND, () => this.#read(change))
      this.#nextChange(t)
    })
  }

  #read(change: Change): void {
    const t = this.#l2c.world.scheduler.now()
    const read = openStep(
      this.#l2c.services.customerSync,
      change.entityType === 'customer' ? 'GET Account' : 'GET Contact',
      {
        kind: SpanKind.CLIENT,
        integration: Integration.customers,
        sourceSystem: 'CRM',
        targetSystem: 'ERP',
        keys: { crm_account_id: change.customer.crmAccountId },
        attributes: httpAttributes(
          'GET',
          `https://crm.example.cn/services/data/v62.0/sobjects/${change.entityType === 'customer' ? 'Account' : 'Contact'}/${change.entityId}`,
        ),
      },
      t - this.#random.between(60, 250),
    )
    recordSyncChange(read.span, {
      entityType: change.entityType,
      entityId: change.entityId,
      version: change.version,
      sourceChangeTime: new Date(change.version),
    })
    closeStep(read, t, { attributes: { 'http.response.status_code': 200 } })
    this.#enqueue(change, 0)
  }

  #enqueue(change: Change, attempts: number): void {
    const key = `${change.entityType}:${change.entityId}`
    const queued = this.#queue.get(key)
    if (queued === undefined) this.#queue.set(key, { change, attempts })
    else if (queued.change.version < change.version) {
      // The apply reads the entity as it is now: the newer version replaces the queued one.
      queued.change = change
      this.#l2c.ledger.counters.syncCoalesced++
    }
    this.#kick()
  }

  #kick(): void {
    if (this.#busy) return
    const next = this.#queue.entries().next()
    if (next.done === true) return
    const [key, queued] = next.value
    this.#queue.delete(key)
    this.#busy = true
    const { scheduler, faults } = this.#l2c.world
    const start = scheduler.now()
    const seconds = faults.active('slow_sync', start) ? this.#random.between(200, 300) : this.#random.between(0.8, 4)
    scheduler.at(start + seconds * SECOND, () => {
      this.#apply(queued, start, scheduler.now())
      this.#busy = false
      this.#kick()
    })
  }

  #apply(queued: Queued, start: number, end: number): void {
    const { change } = queued
    const { faults, scheduler } = this.#l2c.world
    const counters = this.#l2c.ledger.counters
    const attempt = queued.attempts + 1
    const [name, path] = ENDPOINTS[change.entityType]
    const step = openStep(
      this.#l2c.services.customerSync,
      name,
      {
        kind: SpanKind.CLIENT,
        integration: Integration.customers,
        sourceSystem: 'CRM',
        targetSystem: 'ERP',
        operationId: `${Integration.customers}:${change.entityType}:${change.entityId}:${change.version}`,
        attempt,
        // The flow's mapping table: the CRM account and the ERP customer it became.
        keys: { crm_account_id: change.customer.crmAccountId, erp_customer_id: change.customer.erpCustomerId },
        attributes: httpAttributes('POST', `${ERP_BASE}/${path}`),
      },
      start,
    )
    if (faults.active('erp_down', start)) {
      closeStep(step, end, { attributes: { 'http.response.status_code': 503 }, error: new IntegrationError('503', 'ERP answered 503 Service Unavailable') })
      counters.syncFailedApplies.unavailable++
      scheduler.at(end + 2 * MINUTE, () => this.#enqueue(change, attempt))
      return
    }
    if (change.entityType === 'customer' && faults.active('mapping_errors', start)) {
      const error = new IntegrationError('mapping', `industry code 'RETAIL_O2O' of ${change.entityId} has no ERP industry key mapping`)
      closeStep(step, end, { attributes: { 'http.response.status_code': 400, [DEAD_LETTER_ATTRIBUTE]: 'true' }, error })
      counters.syncFailedApplies.mapping++
      return
    }
    recordSyncApply(step.span, {
      entityType: change.entityType,
      entityId: change.entityId,
      version: change.version,
      sourceChangeTime: new Date(change.version),
    })
    closeStep(step, end, { attributes: { 'http.response.status_code': 200 } })
    counters.syncApplies++
  }
}
