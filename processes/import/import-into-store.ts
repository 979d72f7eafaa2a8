// `throughline import`: streams an event log into business_events in batches, in constant
// memory. Idempotent: each batch's insert token is derived from the file's content, the
// process and the batch's position, so importing the same file again stores nothing new (and
// the table's key, process + event id, would collapse any repeat anyway).
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { ConfigError } from '../../core/errors.ts'
import { insertJsonEachRow, type StoreConnection } from '../../store/index.ts'
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
}

export interface ImportProgress extends ReadProgress {
  readonly events: number
}

export interface ImportSummary {
  readonly events: number
  readonly batches: number
  readonly seconds: number
  /** SHA-256 of the file: the identity the insert tokens derive from. */
  readonly fileSha256: string
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export async function importEventLog(store: StoreConnection, path: string, options: ImportOptions): Promise<ImportSummary> {
  const name = processName(options.process)
  if (!name.ok) throw new ConfigError(`--process: ${name.message}`)
  const started = performance.now()
  const sha = await fileSha256(path)
  const target = { process: name.name, processVersion: options.processVersion ?? '', observedNs: BigInt(Date.now()) * 1_000_000n }
  const batchEvents = options.batchEvents ?? 20_000
  let events = 0
  let batches = 0
  let lines: string[] = []
  let lastProgress: ReadProgress = { done: 0, total: 0, unit: 'bytes' }
  const flush = async (): Promise<void> => {
    if (lines.length === 0) return
    const token = `import-${sha.slice(0, 32)}-${name.name}-${batches}`
    await insertJsonEachRow(store, 'business_events', lines.join(''), { dedupToken: token, tag: 'import.business-events' })
    batches++
    lines = []
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
    events++
    if (lines.length >= batchEvents) await flush()
  }
  await flush()
  return { events, batches, seconds: (performance.now() - started) / 1000, fileSha256: sha }
}
