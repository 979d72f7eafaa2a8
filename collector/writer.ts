// Drains one spool into one ClickHouse table: a sealed segment is one insert, tokened with
// the segment's name so a retry after a failure or a crash is stored once. While ClickHouse
// is unavailable it retries the same segment with jittered exponential backoff; it never
// drops rows. A segment ClickHouse rejects as bad data is quarantined, not deleted.
import { readFile } from 'node:fs/promises'
import { decodeSegment } from './spool-segment.ts'
import type { SealedSegment, Spool } from './spool.ts'

export interface SegmentInsert {
  /** Inserts a JSONEachRow body; must be idempotent for the same token. */
  (body: Buffer, dedupToken: string): Promise<void>
}

export type InsertFailure = 'retryable' | 'bad_data'

export interface WriterEvents {
  stored(rows: number, bytes: number, seconds: number): void
  failed(kind: InsertFailure, error: unknown, attempt: number): void
  quarantined(segment: SealedSegment, path: string, error: unknown): void
  tornTail(segment: SealedSegment, bytes: number): void
}

export interface WriterOptions {
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

export class SegmentWriter {
  readonly #spool: Spool
  readonly #insert: SegmentInsert
  readonly #options: WriterOptions
  #loops: Promise<void>[] = []
  #stopping = false
  readonly #sleepers = new Set<() => void>()
  #failing = false

  constructor(spool: Spool, insert: SegmentInsert, options: WriterOptions) {
    this.#spool = spool
    this.#insert = insert
    this.#options = options
  }

  /** True while the last insert attempt failed: the store is unavailable. */
  get failing(): boolean {
    return this.#failing
  }

  start(): void {
    if (this.#loops.length > 0) return
    for (let i = 0; i < Math.max(1, this.#options.concurrency); i++) this.#loops.push(this.#run())
  }

  /**
   * Stops after the spool is closed and drained, or at the deadline; what is left stays
   * on disk for the next start.
   */
  async stop(deadlineMs: number): Promise<void> {
    const timer = setTimeout(() => {
      this.#stopping = true
      for (const wake of this.#sleepers) wake()
    }, deadlineMs)
    try {
      await Promise.all(this.#loops)
    } finally {
      clearTimeout(timer)
    }
  }

  async #run(): Promise<void> {
    for (;;) {
      if (this.#stopping) return
      const segment = await this.#spool.takeSealed()
      if (!segment) return
      const done = await this.#store(segment)
      if (!done) {
        this.#spool.giveBack(segment)
        return
      }
    }
  }

  /** Returns false only when stopping interrupted the retries. */
  async #store(segment: SealedSegment): Promise<boolean> {
    const decoded = decodeSegment(await readFile(segment.path))
    if (decoded.tornTailBytes > 0) this.#options.events.tornTail(segment, decoded.tornTailBytes)
    for (let attempt = 1; ; attempt++) {
      const started = performance.now()
      try {
        if (decoded.body.length > 0) await this.#insert(decoded.body, segment.name)
        this.#failing = false
        await this.#spool.release(segment)
        this.#options.events.stored(decoded.rows, decoded.body.length, (performance.now() - started) / 1000)
        return true
      } catch (error) {
        const kind = this.#options.classify(error)
        this.#options.events.failed(kind, error, attempt)
        if (kind === 'bad_data') {
          const path = await this.#spool.quarantine(segment)
          this.#options.events.quarantined(segment, path, error)
          return true
        }
        this.#failing = true
        if (this.#stopping) return false
        await this.#sleep(backoffDelay(attempt, this.#options.retryInitialMs, this.#options.retryMaxMs))
        if (this.#stopping) return false
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.#sleepers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#sleepers.add(done)
    })
  }
}
