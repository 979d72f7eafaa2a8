// Customer master data, CIS -> core (the cis-to-core-customers flow, service customer-sync):
// customers (entity type customer, the CIF record) and their addresses change in the
// customer information system; the flow reads each change at the next one-minute poll
// (recordSyncChange) and one worker applies them in the core in order (recordSyncApply),
// folding a newer change of the same entity into the queued one. Faults: slow_sync (applies
// take minutes, the backlog and the lag grow), mapping_errors (customers refused with 400,
// addresses still pass).
import { SpanKind } from '@opentelemetry/api'
import { DEAD_LETTER_ATTRIBUTE } from '../../processes/index.ts'
import { IntegrationError, recordSyncApply, recordSyncChange } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, openStep } from '../steps.ts'
import { BANK_CUSTOMERS, type BankCustomer } from './customers.ts'
import { HOUR, httpAttributes, Integration, MINUTE, SECOND, type BankCredit } from './context.ts'

export type SyncEntityType = 'customer' | 'address'

interface Change {
  readonly entityType: SyncEntityType
  readonly entityId: string
  readonly customer: BankCustomer
  /** Epoch ms of the change: increases with every change of the entity. */
  readonly version: number
}

const CORE_BASE = 'https://core.bank.example.cn/api/cif/v2'
const ENDPOINTS: Readonly<Record<SyncEntityType, string>> = { customer: 'PUT /cif/{cif}', address: 'PUT /cif/{cif}/addresses' }

export class CustomerSync {
  readonly #bc: BankCredit
  readonly #random: SeededRandom
  readonly #changesPerHour: number
  readonly #queue = new Map<string, Change>()
  #busy = false

  constructor(bc: BankCredit, changesPerHour: number) {
    this.#bc = bc
    this.#random = bc.world.random.fork('customer-sync')
    this.#changesPerHour = changesPerHour
  }

  start(): void {
    if (this.#changesPerHour > 0) this.#nextChange(this.#bc.world.startMs)
  }

  #nextChange(fromMs: number): void {
    const { scheduler } = this.#bc.world
    scheduler.at(fromMs + this.#random.exponential(HOUR / this.#changesPerHour), () => {
      const t = scheduler.now()
      const customer = this.#random.pick(BANK_CUSTOMERS)
      const entityType: SyncEntityType = this.#random.chance(0.6) ? 'customer' : 'address'
      const change: Change = { entityType, entityId: entityType === 'customer' ? customer.cifNo : `${customer.cifNo}-A1`, customer, version: t }
      const counters = this.#bc.ledger.counters
      counters.syncChanges[entityType] = (counters.syncChanges[entityType] ?? 0) + 1
      scheduler.at((Math.floor(t / MINUTE) + 1) * MINUTE + this.#random.between(0.5, 2) * SECOND, () => this.#read(change))
      this.#nextChange(t)
    })
  }

  #read(change: Change): void {
    const t = this.#bc.world.scheduler.now()
    const read = openStep(
      this.#bc.services.customerSync,
      'GET /cis/changes',
      {
        kind: SpanKind.CLIENT,
        integration: Integration.customers,
        sourceSystem: 'CIS',
        targetSystem: 'CORE',
        keys: { cif_no: change.customer.cifNo },
        attributes: httpAttributes('GET', `https://cis.bank.example.cn/api/changes?entity=${change.entityType}&id=${change.entityId}`),
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
    const key = `${change.entityType}:${change.entityId}`
    const queued = this.#queue.get(key)
    if (queued === undefined) this.#queue.set(key, change)
    else if (queued.version < change.version) {
      // The apply reads the entity as it is now: the newer version replaces the queued one.
      this.#queue.set(key, change)
      this.#bc.ledger.counters.syncCoalesced++
    }
    this.#kick()
  }

  #kick(): void {
    if (this.#busy) return
    const next = this.#queue.entries().next()
    if (next.done === true) return
    const [key, change] = next.value
    this.#queue.delete(key)
    this.#busy = true
    const { scheduler, faults } = this.#bc.world
    const start = scheduler.now()
    const seconds = faults.active('slow_sync', start) ? this.#random.between(200, 300) : this.#random.between(0.5, 3)
    scheduler.at(start + seconds * SECOND, () => {
      this.#apply(change, start, scheduler.now())
      this.#busy = false
      this.#kick()
    })
  }

  #apply(change: Change, start: number, end: number): void {
    const counters = this.#bc.ledger.counters
    const step = openStep(
      this.#bc.services.customerSync,
      ENDPOINTS[change.entityType],
      {
        kind: SpanKind.CLIENT,
        integration: Integration.customers,
        sourceSystem: 'CIS',
        targetSystem: 'CORE',
        operationId: `${Integration.customers}:${change.entityType}:${change.entityId}:${change.version}`,
        attempt: 1,
        keys: { cif_no: change.customer.cifNo },
        attributes: httpAttributes('PUT', `${CORE_BASE}/cif/${change.customer.cifNo}${change.entityType === 'address' ? '/addresses' : ''}`),
      },
      start,
    )
    if (change.entityType === 'customer' && this.#bc.world.faults.active('mapping_errors', start)) {
      const error = new IntegrationError('mapping', `occupation code '2-07-03' of ${change.entityId} has no core occupation mapping`)
      closeStep(step, end, { attributes: { 'http.response.status_code': 400, [DEAD_LETTER_ATTRIBUTE]: 'true' }, error })
      counters.syncMappingErrors++
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
