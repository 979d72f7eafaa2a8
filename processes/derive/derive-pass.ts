// One derivation pass for one process: read the candidate rows of a window from otel_traces and
// otel_logs, recognise milestones, build business events, store the new ones, correlate them.
// Idempotent: events already stored are skipped (live mode) or rewritten with the same id
// (backfill with a new definition version), and correlation repeats to the same result.
import { createHash } from 'node:crypto'
import { insertJsonEachRow, queryRows, type StoreConnection } from '../../store/index.ts'
import { correlateEvents, correlationModelOf, type CorrelationResult } from '../correlation/index.ts'
import { refreshInstanceFacts } from '../kpis/facts-rollup.ts'
import { milestoneRecogniser, type ProcessDefinition } from '../definitions/index.ts'
import { businessEventRowJson, type BusinessEventRow } from './business-event-row.ts'
import { candidateFilter } from './candidate-filter.ts'
import { deriveEvent } from './derive-event.ts'
import { readRawRecords } from './raw-records.ts'
import { SOURCE_TABLES, type SourceWindow } from './source-window.ts'

export interface DerivePassOptions {
  /** Backfill: store every event again (a new definition version replaces the old rows). */
  readonly replace?: boolean
  /**
   * Recompute the facts rollup of the instances the pass touched (default true). A backfill
   * turns it off and rebuilds its whole range once at the end instead of once per slice.
   */
  readonly refreshFacts?: boolean
}

export interface DerivePassResult {
  /** Candidate rows read. */
  readonly records: number
  /** Rows that became business events of this process. */
  readonly events: number
  /** Events stored by this pass (not seen before, or all of them with replace). */
  readonly stored: number
  /** Rows naming a milestone (business.milestone) the definition does not declare, by name. */
  readonly undeclared: Readonly<Record<string, number>>
  readonly correlation: CorrelationResult
}

const ID_LOOKUP_CHUNK = 10_000

async function storedEventIds(store: StoreConnection, process: string, ids: readonly string[]): Promise<Set<string>> {
  const stored = new Set<string>()
  for (let i = 0; i < ids.length; i += ID_LOOKUP_CHUNK) {
    const rows = await queryRows<{ EventId: string }>(
      store,
      'SELECT DISTINCT EventId FROM business_events WHERE Process = {process:String} AND EventId IN {ids:Array(String)}',
      { process, ids: ids.slice(i, i + ID_LOOKUP_CHUNK) },
      { tag: 'derive.stored-ids' },
    )
    for (const row of rows) stored.add(row.EventId)
  }
  return stored
}

async function storeEvents(store: StoreConnection, events: readonly BusinessEventRow[]): Promise<void> {
  const body = events.map(businessEventRowJson).join('')
  // The same events derived again (a retried pass) are one insert to ClickHouse.
  const token = `derive-${createHash('sha256').update(body).digest('hex').slice(0, 40)}`
  await insertJsonEachRow(store, 'business_events', body, { dedupToken: token, tag: 'derive.business-events' })
}

export async function derivePass(
  store: StoreConnection,
  definition: ProcessDefinition,
  window: SourceWindow,
  options: DerivePassOptions = {},
): Promise<DerivePassResult> {
  const recognise = milestoneRecogniser(definition)
  const byId = new Map<string, BusinessEventRow>()
  const undeclared: Record<string, number> = {}
  let records = 0
  for (const table of SOURCE_TABLES) {
    const rows = await readRawRecords(store, table, window, candidateFilter(definition, table))
    records += rows.length
    for (const record of rows) {
      const recognition = recognise(record)
      if (recognition.kind === 'undeclared') undeclared[recognition.name] = (undeclared[recognition.name] ?? 0) + 1
      if (recognition.kind !== 'milestone') continue
      const event = deriveEvent(definition, record, recognition.milestone)
      // A sender's repeat (same event id) in one window: the first one read stands.
      if (!byId.has(event.eventId)) byId.set(event.eventId, event)
    }
  }
  const events = [...byId.values()]
  const known = options.replace === true ? new Set<string>() : await storedEventIds(store, definition.name, [...byId.keys()])
  const fresh = events.filter((event) => !known.has(event.eventId))
  if (fresh.length > 0) await storeEvents(store, fresh)
  // Correlate every event of the window, stored before or not: the pass that stored an event
  // may have stopped before correlating it, and repeating correlation changes nothing.
  const correlation = await correlateEvents(
    store,
    correlationModelOf(definition),
    events.map((e) => ({ keys: e.keys, links: e.links, ...(e.source === 'span' ? { ownSpan: `${e.traceId}/${e.spanId}` } : {}) })),
  )
  if (options.refreshFacts !== false && events.length > 0) {
    // The instances the events name, and those correlation says their keys belong to (before and after).
    const touched = new Set(correlation.instances)
    for (const event of events) {
      const root = event.keys[definition.rootKey]
      if (root !== undefined) touched.add(root)
    }
    const earliestNs = events.reduce((min, e) => (e.tsNs < min ? e.tsNs : min), events[0]!.tsNs)
    await refreshInstanceFacts(store, definition, { instances: touched, earliestNs })
  }
  return { records, events: events.length, stored: fresh.length, undeclared, correlation }
}
