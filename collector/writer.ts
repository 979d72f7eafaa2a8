// Drains one spool into one ClickHouse table: a sealed segment is one insert, tokened with
// the segment's name so a retry after a failure or a crash is stored once. A segment whose
// insert fails waits for its own jittered, exponential backoff while the others go on, so
// one segment ClickHouse keeps refusing cannot hold up the rest; nothing is dropped. A
// segment ClickHouse rejects as bad data is quarantined, not deleted.
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

/** A segment that failed, waiting for its next attempt. */
interface Retry {
  readonly segment: SealedSegment
  readonly attempts: number
  readonly notBefore: number
}

type Outcome = 'done' | 'retry' | 'stopped'

export class SegmentWriter {
  readonly #spool: Spool
  readonly #insert: TableInsert
  readonly #options: WriterOptions
  #loops: Promise<void>[] = []
  #stopping = false
  #failing = false
  readonly #retries = new Map<string, Retry>()
  readonly #sleepers = new Set<() => void>()

  constructor(spool: Spool, insert: TableInsert, options: WriterOptions) {
    this.#spool = spool
    this.#insert = insert
    this.#options = options
  }

  /** True while the last insert attempt failed: the store is unavailable or refusing. */
  get failing(): boolean {
    return this.#failing
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
    const timer = setTimeout(() => {
      this.#stopping = true
      for (const wake of this.#sleepers) wake()
    }, deadlineMs)
    try {
      await Promise.all(this.#loops)
    } finally {
      clearTimeout(timer)
    }
    // Segments still waiting for a retry go back to the spool's queue (they stay on disk).
    for (const retry of this.#retries.values()) this.#spool.giveBack(retry.segment)
    this.#retries.clear()
    return this.#spool.sealedCount === 0
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      const due = this.#takeDueRetry()
      const next = due ?? (await this.#nextSealed())
      if (next === 'closed') return
      if (next === 'wait') continue
      const attempts = due?.attempts ?? 0
      const outcome = await this.#store(next.segment, attempts + 1).catch((error: unknown) => {
        // Unexpected (a bug or the file system): keep the segment and try again later.
        this.#options.events.trouble(next.segment, 'unexpected failure while writing the segment', error)
        return 'retry' satisfies Outcome
      })
      if (outcome === 'retry') this.#scheduleRetry(next.segment, attempts + 1)
      if (outcome === 'stopped') this.#spool.giveBack(next.segment)
    }
  }

  /** The next sealed segment; 'wait' when a retry falls due first; 'closed' when all is done. */
  async #nextSealed(): Promise<{ segment: SealedSegment } | 'wait' | 'closed'> {
    const wait = this.#msUntilNextRetry()
    const taken = await this.#spool.takeSealedWithin(wait)
    if (taken === 'timeout') return 'wait'
    if (taken !== null) return { segment: taken }
    if (this.#retries.size === 0) return 'closed'
    // Closed, but retries remain: sleep until the next is due (stop() wakes us).
    await this.#sleep(this.#msUntilNextRetry())
    return 'wait'
  }

  #takeDueRetry(): Retry | undefined {
    const now = Date.now()
    for (const retry of this.#retries.values()) {
      if (retry.notBefore <= now) {
        this.#retries.delete(retry.segment.name)
        return retry
      }
    }
    return undefined
  }

  #msUntilNextRetry(): number {
    let soonest = Infinity
    for (const retry of this.#retries.values()) soonest = Math.min(soonest, retry.notBefore)
    return soonest === Infinity ? Infinity : Math.max(0, soonest - Date.now())
  }

  #scheduleRetry(segment: SealedSegment, attempts: number): void {
    const delay = backoffDelay(attempts, this.#options.retryInitialMs, this.#options.retryMaxMs)
    this.#retries.set(segment.name, { segment, attempts, notBefore: Date.now() + delay })
    // A loop waiting for new segments must wake up for this retry too.
    for (const wake of this.#sleepers) wake()
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
    if (decoded.tornTailBytes > 0 && attempt === 1) events.tornTail(segment, decoded.tornTailBytes)
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
      this.#failing = true
      return this.#stopping ? 'stopped' : 'retry'
    }
    this.#failing = false
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
      const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1))
      this.#sleepers.add(done)
    })
  }
}
