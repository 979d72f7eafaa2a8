// The stock sync job (service stock-sync): the WMS writes every stock movement to its change
// log (a span with recordSyncChange: finished goods per sales order, components per
// material); every 5 minutes the job reads what changed since its last run and pushes each
// stock item to the ERP in order (POST A_MaterialDocumentHeader, a CLIENT span with
// recordSyncApply), the item as it is now: several movements of one item since the last run
// are one posting. The ERP serves the posting; a goods receipt of finished goods is the
// order's goods_receipt.posted. The sync-lag KPIs pair the two sides. Faults: slow_sync
// (postings take minutes, a run overruns the next ones, the backlog and the lag grow, orders
// wait after goods.received), mapping_errors (component postings refused with 400: the
// WMS's unit of measure has no ERP mapping; dead-lettered, not retried; finished goods still
// sync).
import { SpanKind } from '@opentelemetry/api'
import { DEAD_LETTER_ATTRIBUTE } from '../../processes/index.ts'
import { IntegrationError, recordSyncApply, recordSyncChange, type BusinessKeysInput } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, inject, openStep, recordStep, type Carrier } from '../steps.ts'
import { ERP_STOCK_URL } from './erp.ts'
import { httpAttributes, Integration, MINUTE, SECOND, type Manufacturing } from './context.ts'
import type { OrderRecord } from './ledger.ts'

export const SYNC_EVERY = 5 * MINUTE
const SPAN = 'POST A_MaterialDocumentHeader'

export type StockEntity = 'finished_goods' | 'raw_material'

export interface StockChange {
  readonly entityType: StockEntity
  /** Plant/material, and the sales order for sales-order stock. */
  readonly entityId: string
  readonly changedAtMs: number
  readonly keys: BusinessKeysInput
  /** The SAP movement type: 101 goods receipt, 261 issue to production, 601 goods issue. */
  readonly movementType: string
  /** The order whose finished goods a goods receipt brings in. */
  readonly order?: OrderRecord
}

interface Queued extends StockChange {
  /** Epoch ms of the change: increases with every change of the item. */
  readonly version: number
}

/** The ERP's side of the postings. */
export interface StockPostings {
  postGoodsReceipt(carrier: Carrier, order: OrderRecord, start: number, end: number): string
  postStock(carrier: Carrier, movementType: string, start: number, end: number): void
}

export class StockSync {
  readonly #ctx: Manufacturing
  readonly #random: SeededRandom
  readonly #erp: StockPostings
  /** Stock item -> its latest change not yet read by a run, in the order they changed first. */
  readonly #queue = new Map<string, Queued>()
  #running = false

  constructor(ctx: Manufacturing, erp: StockPostings) {
    this.#ctx = ctx
    this.#random = ctx.world.random.fork('stock-sync')
    this.#erp = erp
  }

  start(): void {
    this.#tick(Math.ceil(this.#ctx.world.startMs / SYNC_EVERY) * SYNC_EVERY)
  }

  /** The WMS records a stock movement in its change log. */
  change(movement: StockChange): void {
    // Versions are whole milliseconds (the SDK refuses fractions).
    const atMs = Math.round(movement.changedAtMs)
    const { services, ledger } = this.#ctx
    const step = openStep(
      services.wms,
      `stock movement ${movement.movementType}`,
      { keys: movement.keys, attributes: { 'wms.movement_type': movement.movementType } },
      atMs,
    )
    recordSyncChange(step.span, { entityType: movement.entityType, entityId: movement.entityId, version: atMs, sourceChangeTime: new Date(atMs) })
    closeStep(step, atMs + this.#random.between(5, 40))
    ledger.count('syncChanges', movement.entityType)
    const queued = this.#queue.get(movement.entityId)
    if (queued === undefined) this.#queue.set(movement.entityId, { ...movement, version: atMs })
    else if (queued.version < atMs) {
      // The run reads the item as it is now: the newer change replaces the queued one, keeping
      // its place and the goods receipt it brings.
      const order = movement.order ?? queued.order
      this.#queue.set(movement.entityId, { ...movement, ...(order === undefined ? {} : { order }), version: atMs })
      ledger.count('syncCoalesced', movement.entityType)
    }
    ledger.counters.syncBacklogMax = Math.max(ledger.counters.syncBacklogMax, this.#queue.size)
  }

  #tick(atMs: number): void {
    const { scheduler } = this.#ctx.world
    scheduler.at(atMs, () => {
      // A run still going when the next is due: that one is skipped.
      if (!this.#running) this.#run()
      this.#tick(atMs + SYNC_EVERY)
    })
  }

  #run(): void {
    const batch = [...this.#queue.values()]
    this.#queue.clear()
    this.#ctx.ledger.counters.syncRuns++
    if (batch.length === 0) return
    this.#running = true
    this.#next(batch, 0)
  }

  #next(batch: readonly Queued[], i: number): void {
    const item = batch[i]
    if (item === undefined) {
      this.#running = false
      return
    }
    const { scheduler, faults } = this.#ctx.world
    const start = scheduler.now()
    const seconds = faults.active('slow_sync', start) ? this.#random.between(150, 250) : this.#random.between(0.3, 2)
    scheduler.at(start + seconds * SECOND, () => {
      this.#apply(item, start, scheduler.now())
      this.#next(batch, i + 1)
    })
  }

  #apply(item: Queued, start: number, end: number): void {
    const { services, world, ledger } = this.#ctx
    const options = {
      kind: SpanKind.CLIENT,
      integration: Integration.stock,
      sourceSystem: 'WMS',
      targetSystem: 'ERP',
      operationId: `${Integration.stock}:${item.entityType}:${item.entityId}:${item.version}`,
      attempt: 1,
      keys: item.keys,
      attributes: { ...httpAttributes('POST', ERP_STOCK_URL), 'sap.movement_type': item.movementType },
    }
    if (item.entityType === 'raw_material' && world.faults.active('mapping_errors', start)) {
      const material = item.entityId.split('/')[1] ?? item.entityId
      recordStep(services.stockSync, SPAN, options, start, end, {
        attributes: { 'http.response.status_code': 400, [DEAD_LETTER_ATTRIBUTE]: 'true' },
        error: new IntegrationError('mapping', `unit of measure 'ROL' of ${material} has no ERP unit mapping (raw_material ${item.entityId})`),
      })
      ledger.count('syncRefused', item.entityType)
      return
    }
    const call = openStep(services.stockSync, SPAN, options, start)
    recordSyncApply(call.span, { entityType: item.entityType, entityId: item.entityId, version: item.version, sourceChangeTime: new Date(item.version) })
    const carrier = inject(call.context)
    const served = [start + 30, end - 20] as const
    if (item.order !== undefined && item.order.goodsReceiptPostedAt === undefined) {
      this.#erp.postGoodsReceipt(carrier, item.order, ...served)
    } else this.#erp.postStock(carrier, item.movementType, ...served)
    closeStep(call, end, { attributes: { 'http.response.status_code': 201 } })
    ledger.count('syncApplies', item.entityType)
  }
}
