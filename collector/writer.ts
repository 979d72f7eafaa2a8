// Drains one spool into one ClickHouse table: a sealed segment is one insert, tokened with
// the segment's name so a retry after a failure or a crash is stored once. A failed insert
// pauses the whole lane with jittered exponential backoff (during an outage one probe per
// pause, not one attempt per segment) and puts the segment at the back of the queue, so a
// segment ClickHouse keeps refusing cannot hold up the others. Nothing is dropped; a segment
// ClickHouse rejects as bad data is quarantined, not deleted.
import { readFile } from 'node:fs/promises'
import { decodeSegment, type DecodedSegment } from './spool-segment.ts'
import type { SealedSegment, Spool } from './spool.ts'
import type { SignalTable } from '../store/index.ts'

/** Inserts a JSONEachRow body into a table; must be idempotent for the same token. */
export type TableInsert = (table: SignalTable, body: Buffer, dedupToken: string) => Promise<void>

export type InsertFailure = 'retryable' | 'bad_data'

export interface WriterEvents {
  stored(rows: number, bytes: number, seconds: number): void
  failed(kind: InsertFailure, error: unknown, attempt: number): void
  quarantined(segment: SealedSegment, path: string, error: unknown): void
  tornTail(segment: SealedSegment, bytes: number): void
  /** Anything else that went wrong with a segment file (unreadable, vanished). */
  trouble(segment: SealedSegment, message: string, error: unknown): void
}

export interface WriterOptions {
  readonly table: SignalTable
  /** Segments inserted at once: one insert writes its part on one core, so 2 uses both. */
  readonly concurrency: number
  readonly retryInitialMs: number
  readonly retryMaxMs: number
  readonly classify: (error: unknown) => InsertFailure
  readonly events: WriterEvents
}

export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30))
  // "Equal jitter": at least half the ceiling, so a fleet of writers spreads out without
  // ever hammering a recovering server with near-zero waits.
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

type Outcome = 'done' | 'retry' | 'stopped'

/** Timers take at most 2^31-1 ms; longer waits would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

export class SegmentWriter {
  readonly #spool: Spool
  readonly #insert: TableInsert
  readonly #options: WriterOptions
  #loops: Promise<void>[] = []
  #stopping = false
  /** Failed inserts since the last success, over the whole lane: the backoff's exponent. */
  #consecutiveFailures = 0
  #pausedUntil = 0
  readonly #sleepers = new Set<() => void>()

  constructor(spool: Spool, insert: TableInsert, options: WriterOptions) {
    this.#spool = spool
    this.#insert = insert
    this.#options = options
  }

  /** True while inserts fail (since the last success): the store is unavailable or refusing. */
  get failing(): boolean {
    return this.#consecutiveFailures > 0
  }

  start(): void {
    if (this.#loops.length > 0) return
    for (let i = 0; i < Math.max(1, this.#options.concurrency); i++) this.#loops.push(this.#run())
  }

  /**
   * Returns once the spool is closed and everything is stored, or at the deadline; what is
   * left stays on disk for the next start. Resolves true when nothing was left.
   */
  async stop(deadlineMs: number): Promise<boolean> {
    const timer = setTimeout(
      () => {
        this.#stopping = true
        for (const wake of this.#sleepers) wake()
      },
      Math.min(deadlineMs, MAX_TIMER_MS),
    )
    try {
      await Promise.all(this.#loops)
    } finally {
      clearTimeout(timer)
    }
    return this.#spool.sealedCount === 0
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      const pause = this.#pausedUntil - Date.now()
      if (pause > 0) {
        await this.#sleep(pause)
        continue
      }
      const segment = await this.#spool.takeSealed()
      if (segment === null) return
      const attempt = this.#consecutiveFailures + 1
      const outcome = await this.#store(segment, attempt).catch((error: unknown) => {
        // Unexpected (a bug or the file system): keep the segment and try again later.
        this.#options.events.trouble(segment, 'unexpected failure while writing the segment', error)
        return 'retry' satisfies Outcome
      })
      if (outcome === 'retry') {
        this.#consecutiveFailures++
        this.#pausedUntil = Date.now() + backoffDelay(this.#consecutiveFailures, this.#options.retryInitialMs, this.#options.retryMaxMs)
        this.#spool.giveBack(segment, 'tail')
      }
      if (outcome === 'stopped') this.#spool.giveBack(segment, 'head')
    }
  }

  async #read(segment: SealedSegment): Promise<DecodedSegment | 'gone'> {
    try {
      return decodeSegment(await readFile(segment.path))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone'
      throw error
    }
  }

  async #store(segment: SealedSegment, attempt: number): Promise<Outcome> {
    const { events } = this.#options
    const decoded = await this.#read(segment)
    if (decoded === 'gone') {
      events.trouble(segment, 'segment file vanished before it was written; nothing to insert', null)
      await this.#spool.release(segment)
      return 'done'
    }
    if (decoded.tornTailBytes > 0) events.tornTail(segment, decoded.tornTailBytes)
    const started = performance.now()
    try {
      if (decoded.body.length > 0) await this.#insert(this.#options.table, decoded.body, segment.name)
    } catch (error) {
      const kind = this.#options.classify(error)
      events.failed(kind, error, attempt)
      if (kind === 'bad_data') {
        const path = await this.#spool.quarantine(segment)
        events.quarantined(segment, path, error)
        return 'done'
      }
      return this.#stopping ? 'stopped' : 'retry'
    }
    this.#consecutiveFailures = 0
    this.#pausedUntil = 0
    await this.#spool.release(segment)
    events.stored(decoded.rows, decoded.body.length, (performance.now() - started) / 1000)
    return 'done'
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.#sleepers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS))
      this.#sleepers.add(done)
    })
  }
}
