// `throughline import`: streams an event log into business_events in batches, in constant
// memory. Idempotent: each batch's insert token is a hash of what the batch holds (process,
// version and its event ids, which change with the case key, time zone or mapping), so
// importing the same file the same way again stores nothing new, while an import with other
// options stores its own rows (and the table's key, process + event id, collapses repeats).
import { createHash } from 'node:crypto'
import { ConfigError } from '../../core/errors.ts'
import { insertJsonEachRow, type StoreConnection } from '../../store/index.ts'
import { correlateEvents, correlationModelOf, type CorrelatedEvent } from '../correlation/index.ts'
import type { ProcessDefinition } from '../definitions/index.ts'
import { rebuildInstanceFacts } from '../kpis/facts-rollup.ts'
import { processName } from '../definitions/names.ts'
import { businessEventJson } from './business-event-json.ts'
import { readEventLog } from './read-event-log.ts'
import type { ReadEventLogOptions, ReadProgress } from './read-options.ts'

export interface ImportOptions {
  readonly process: string
  readonly processVersion?: string
  readonly read?: ReadEventLogOptions
  /** Events per insert; larger batches mean fewer, bigger parts. */
  readonly batchEvents?: number
  readonly progress?: (progress: ImportProgress) => void
  /**
   * The process's definition, when it has one: each batch's keys are then linked into its
   * instances (OCEL's multi-object events), events carry its version unless processVersion
   * says otherwise, and the facts rollup of the instances the log touched is rebuilt at the end.
   */
  readonly definition?: ProcessDefinition
}

export interface ImportProgress extends ReadProgress {
  readonly events: number
}

export interface ImportSummary {
  readonly events: number
  readonly batches: number
  readonly seconds: number
}

export async function importEventLog(store: StoreConnection, path: string, options: ImportOptions): Promise<ImportSummary> {
  const name = processName(options.process)
  if (!name.ok) throw new ConfigError(`--process: ${name.message}`)
  const started = performance.now()
  const { definition } = options
  if (definition !== undefined && definition.name !== name.name)
    throw new ConfigError(`--process: ${name.name} is not the definition's process ${definition.name}`)
  const correlation = definition !== undefined ? correlationModelOf(definition) : undefined
  const target = {
    process: name.name,
    processVersion: options.processVersion ?? definition?.version ?? '',
    observedNs: BigInt(Date.now()) * 1_000_000n,
  }
  let earliestNs: bigint | undefined
  const batchEvents = options.batchEvents ?? 20_000
  let events = 0
  let batches = 0
  let lines: string[] = []
  let keys: CorrelatedEvent[] = []
  let batchHash = createHash('sha256').update(`${target.process}\n${target.processVersion}\n`)
  let lastProgress: ReadProgress = { done: 0, total: 0, unit: 'bytes' }
  const flush = async (): Promise<void> => {
    if (lines.length === 0) return
    const token = `import-${batchHash.digest('hex').slice(0, 40)}`
    await insertJsonEachRow(store, 'business_events', lines.join(''), { dedupToken: token, tag: 'import.business-events' })
    if (correlation !== undefined) await correlateEvents(store, correlation, keys)
    batches++
    lines = []
    keys = []
    batchHash = createHash('sha256').update(`${target.process}\n${target.processVersion}\n`)
    options.progress?.({ ...lastProgress, events })
  }
  const read: ReadEventLogOptions = {
    ...options.read,
    progress: (p) => {
      lastProgress = p
    },
  }
  for await (const event of readEventLog(path, read)) {
    // ObservedTs = import time + the event's position in the file: kpis.md orders an
    // instance's events by (ts, observed_ts, event_id), so ties keep the log's own order.
    lines.push(businessEventJson(event, { ...target, observedNs: target.observedNs + BigInt(events) }))
    batchHash.update(`${event.eventId}\n`)
    if (correlation !== undefined && Object.keys(event.keys).length > 1) keys.push({ keys: event.keys, links: [] })
    if (earliestNs === undefined || event.timestampNs < earliestNs) earliestNs = event.timestampNs
    events++
    if (lines.length >= batchEvents) await flush()
  }
  await flush()
  if (definition !== undefined && earliestNs !== undefined) await rebuildInstanceFacts(store, definition, earliestNs)
  return { events, batches, seconds: (performance.now() - started) / 1000 }
}
