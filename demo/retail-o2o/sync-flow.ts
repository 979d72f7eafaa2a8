// A near-real-time master-data sync, the same shape for stock (store POS -> central inventory),
// points (POS and shop -> CRM) and member profiles (shop -> CRM): the source publishes each
// change as it happens (a PRODUCER span with recordSyncChange); one worker at the target
// applies the queued changes in order (a CLIENT span with recordSyncApply), folding a newer
// change of the same entity into the queued one. The sync-lag KPIs pair the two sides.
// Faults, when the flow is subject to them: slow_sync (applies take minutes, the backlog and
// the lag grow), mapping_errors (applies refused with 400, dead-lettered, not retried).
import { SpanKind } from '@opentelemetry/api'
import { DEAD_LETTER_ATTRIBUTE } from '../../processes/index.ts'
import { IntegrationError, recordSyncApply, recordSyncChange, type BusinessKeysInput } from '../../sdk/index.ts'
import type { SeededRandom } from '../random.ts'
import { closeStep, openStep, recordStep } from '../steps.ts'
import type { ServiceTelemetry } from '../telemetry.ts'
import { httpAttributes, messagingAttributes, SECOND, type RetailO2O } from './context.ts'

export interface SyncFlowSpec {
  readonly entityType: string
  readonly integration: string
  readonly targetSystem: string
  /** The topic changes are published to. */
  readonly topic: string
  readonly applyService: ServiceTelemetry
  /** The apply call: span name (low cardinality) and the URL for one entity. */
  readonly applySpan: string
  readonly applyUrl: (entityId: string) => string
  /** Subject to slow_sync: applies take 200-300 s instead of 0.3-2 s. */
  readonly slowSync?: boolean
  /** Subject to mapping_errors: the target refuses every apply with 400. */
  readonly mappingErrors?: string
}

interface Change {
  readonly entityId: string
  readonly sourceSystem: string
  /** Epoch ms of the change: increases with every change of the entity. */
  readonly version: number
  readonly keys: BusinessKeysInput
}

export class SyncFlow {
  readonly #ctx: RetailO2O
  readonly #spec: SyncFlowSpec
  readonly #random: SeededRandom
  /** Entity id -> its queued change, in the order they were queued. */
  readonly #queue = new Map<string, Change>()
  #busy = false

  constructor(ctx: RetailO2O, spec: SyncFlowSpec) {
    this.#ctx = ctx
    this.#spec = spec
    this.#random = ctx.world.random.fork(`sync:${spec.entityType}`)
  }

  /** How long the oldest change not yet applied has waited at `nowMs` (0 when none waits). */
  staleness(nowMs: number): number {
    const oldest = this.#queue.values().next()
    return oldest.done === true ? 0 : nowMs - oldest.value.version
  }

  /** The source publishes a change of `entityId` made at `atMs`. */
  change(source: ServiceTelemetry, sourceSystem: string, entityId: string, changedAtMs: number, keys: BusinessKeysInput = {}): void {
    // Versions are whole milliseconds (the SDK refuses fractions).
    const atMs = Math.round(changedAtMs)
    const { entityType, integration, targetSystem, topic } = this.#spec
    const change: Change = { entityId, sourceSystem, version: atMs, keys }
    const step = openStep(
      source,
      `${topic} publish`,
      {
        kind: SpanKind.PRODUCER,
        integration,
        sourceSystem,
        targetSystem,
        keys,
        attributes: messagingAttributes(topic, 'send', this.#ctx.numbers.message(topic)),
      },
      atMs,
    )
    recordSyncChange(step.span, { entityType, entityId, version: atMs, sourceChangeTime: new Date(atMs) })
    closeStep(step, atMs + this.#random.between(5, 40))
    this.#ctx.ledger.count('syncChanges', entityType)
    this.#ctx.world.scheduler.at(atMs + this.#random.between(0.2, 1.5) * SECOND, () => this.#enqueue(change))
  }

  #enqueue(change: Change): void {
    const queued = this.#queue.get(change.entityId)
    if (queued === undefined) this.#queue.set(change.entityId, change)
    else if (queued.version < change.version) {
      // The apply reads the entity as it is now: the newer version replaces the queued one,
      // keeping its place in the queue.
      this.#queue.set(change.entityId, change)
      this.#ctx.ledger.count('syncCoalesced', this.#spec.entityType)
    }
    this.#kick()
  }

  #kick(): void {
    if (this.#busy) return
    const next = this.#queue.values().next()
    if (next.done === true) return
    const change = next.value
    this.#queue.delete(change.entityId)
    this.#busy = true
    const { scheduler, faults } = this.#ctx.world
    const start = scheduler.now()
    const slow = this.#spec.slowSync === true && faults.active('slow_sync', start)
    const seconds = slow ? this.#random.between(200, 300) : this.#random.between(0.3, 2)
    scheduler.at(start + seconds * SECOND, () => {
      this.#apply(change, start, scheduler.now())
      this.#busy = false
      this.#kick()
    })
  }

  #apply(change: Change, start: number, end: number): void {
    const { entityType, integration, targetSystem, applyService, applySpan, applyUrl, mappingErrors } = this.#spec
    const options = {
      kind: SpanKind.CLIENT,
      integration,
      sourceSystem: change.sourceSystem,
      targetSystem,
      operationId: `${integration}:${entityType}:${change.entityId}:${change.version}`,
      attempt: 1,
      keys: change.keys,
      attributes: httpAttributes('PUT', applyUrl(change.entityId)),
    }
    if (mappingErrors !== undefined && this.#ctx.world.faults.active('mapping_errors', start)) {
      recordStep(applyService, applySpan, options, start, end, {
        attributes: { 'http.response.status_code': 400, [DEAD_LETTER_ATTRIBUTE]: 'true' },
        error: new IntegrationError('mapping', `${mappingErrors} (${entityType} ${change.entityId})`),
      })
      this.#ctx.ledger.count('syncRefused', entityType)
      return
    }
    const step = openStep(applyService, applySpan, options, start)
    recordSyncApply(step.span, { entityType, entityId: change.entityId, version: change.version, sourceChangeTime: new Date(change.version) })
    closeStep(step, end, { attributes: { 'http.response.status_code': 200 } })
    this.#ctx.ledger.count('syncApplies', entityType)
  }
}
