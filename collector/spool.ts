// The durable spool between the HTTP receiver and the ClickHouse writer, one per table.
// append() resolves only after the frame is fsync'ed (group commit: appends that arrive
// while a sync runs share the next one). A segment is sealed by size or age and handed to
// the writer; its file name is the insert deduplication token, so a retried segment is
// stored once. Files left by a previous process (sealed or not) are replayed at open.
import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeFrame } from './spool-segment.ts'

export interface SpoolLimits {
  readonly maxBytes: number
  readonly segmentMaxBytes: number
  readonly segmentMaxAgeMs: number
}

export interface SealedSegment {
  /** Unique across restarts and spool instances; used as insert_deduplication_token. */
  readonly name: string
  readonly path: string
  readonly bytes: number
}

interface OpenSegment {
  readonly name: string
  readonly path: string
  readonly handle: FileHandle
  readonly openedAt: number
  bytes: number
}

interface PendingAppend {
  readonly buffers: Buffer[]
  readonly bytes: number
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
}

const OPEN_SUFFIX = '.open'
const SEALED_SUFFIX = '.seg'
const DEAD_DIR = 'dead'

export class Spool {
  readonly dir: string
  readonly #limits: SpoolLimits
  readonly #instance = randomBytes(4).toString('hex')
  #sequence = 0
  #open: OpenSegment | null = null
  #pending: PendingAppend[] = []
  #pendingBytes = 0
  #bytesOnDisk = 0
  #chain: Promise<void> = Promise.resolve()
  #flushScheduled = false
  readonly #sealed: SealedSegment[] = []
  #waiters: Array<(segment: SealedSegment | null) => void> = []
  #closed = false
  #lastWriteError: { at: number; error: unknown } | null = null
  readonly #released = new Set<string>()
  readonly #ageTimer: NodeJS.Timeout

  private constructor(dir: string, limits: SpoolLimits, replay: SealedSegment[]) {
    this.dir = dir
    this.#limits = limits
    for (const segment of replay) {
      this.#sealed.push(segment)
      this.#bytesOnDisk += segment.bytes
    }
    this.#ageTimer = setInterval(() => this.#sealIfOld(), Math.max(10, Math.floor(limits.segmentMaxAgeMs / 2)))
    this.#ageTimer.unref()
  }

  /** Opens (creating) the spool directory and queues every segment left in it for replay. */
  static async open(dir: string, limits: SpoolLimits): Promise<Spool> {
    await mkdir(join(dir, DEAD_DIR), { recursive: true })
    const entries = await readdir(dir, { withFileTypes: true })
    // Only regular files: anything else with a segment's name is not ours to replay.
    const names = entries
      .filter((e) => e.isFile() && (e.name.endsWith(OPEN_SUFFIX) || e.name.endsWith(SEALED_SUFFIX)))
      .map((e) => e.name)
      .sort()
    const replay: SealedSegment[] = []
    for (const file of names) {
      const name = file.slice(0, file.lastIndexOf('.'))
      let path = join(dir, file)
      if (file.endsWith(OPEN_SUFFIX)) {
        const sealedPath = join(dir, name + SEALED_SUFFIX)
        await rename(path, sealedPath)
        path = sealedPath
      }
      replay.push({ name, path, bytes: (await stat(path)).size })
    }
    return new Spool(dir, limits, replay)
  }

  /** Bytes on disk plus bytes waiting for the next sync. */
  get bytes(): number {
    return this.#bytesOnDisk + this.#pendingBytes
  }

  /** The last failed write to disk (disk full, I/O error) until a write succeeds again. */
  get lastWriteError(): { readonly at: number; readonly error: unknown } | null {
    return this.#lastWriteError
  }

  get sealedCount(): number {
    return this.#sealed.length
  }

  hasRoomFor(bytes: number): boolean {
    return this.bytes + bytes <= this.#limits.maxBytes
  }

  /** Resolves once the payload is durable on disk; rejects if the spool is closed. */
  append(payload: Buffer): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('spool is closed'))
    const buffers = encodeFrame(payload)
    const bytes = buffers[0]!.length + payload.length
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ buffers, bytes, resolve, reject })
      this.#pendingBytes += bytes
      if (!this.#flushScheduled) {
        this.#flushScheduled = true
        // #flush settles every append itself, so the chain's own promise has nothing to report.
        void this.#enqueue(() => this.#flush())
      }
    })
  }

  /** The oldest sealed segment, waiting for one; null once closed and drained. */
  takeSealed(): Promise<SealedSegment | null> {
    const next = this.#sealed.shift()
    if (next) return Promise.resolve(next)
    if (this.#closed) return Promise.resolve(null)
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  /**
   * Puts back a segment the writer could not store: at the head when stopping (it goes first
   * next time), at the tail after a failure (so one refused segment cannot block the rest).
   */
  giveBack(segment: SealedSegment, where: 'head' | 'tail' = 'head'): void {
    const waiter = this.#waiters.shift()
    if (waiter) waiter(segment)
    else if (where === 'head') this.#sealed.unshift(segment)
    else this.#sealed.push(segment)
  }

  /** The writer stored the segment: its bytes leave the spool. Idempotent. */
  async release(segment: SealedSegment): Promise<void> {
    if (this.#released.has(segment.name)) return
    await unlink(segment.path).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    })
    this.#released.add(segment.name)
    this.#bytesOnDisk -= segment.bytes
  }

  /** A segment ClickHouse refuses as data: kept aside in dead/ for an operator, never deleted. */
  async quarantine(segment: SealedSegment): Promise<string> {
    const target = join(this.dir, DEAD_DIR, segment.name + SEALED_SUFFIX)
    await rename(segment.path, target)
    this.#bytesOnDisk -= segment.bytes
    return target
  }

  /** Seals what is open now, e.g. before a drain at shutdown. */
  sealNow(): Promise<void> {
    return this.#enqueue(() => this.#seal())
  }

  /** Flushes pending appends, seals the open segment and wakes waiting takers. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#ageTimer)
    try {
      await this.#enqueue(() => this.#seal())
    } finally {
      // Writers waiting for segments must learn of the close even if the last seal failed.
      for (const wake of this.#waiters.splice(0)) wake(null)
    }
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(task)
    this.#chain = run.catch(() => undefined)
    return run
  }

  async #flush(): Promise<void> {
    this.#flushScheduled = false
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0)
      const bytes = batch.reduce((sum, p) => sum + p.bytes, 0)
      let segment: OpenSegment
      try {
        segment = this.#open ?? (this.#open = await this.#createSegment())
        await segment.handle.writev(batch.flatMap((p) => p.buffers))
        await segment.handle.datasync()
      } catch (err) {
        this.#pendingBytes -= bytes
        this.#lastWriteError = { at: Date.now(), error: err }
        for (const p of batch) p.reject(err)
        // A failed write may have left a partial frame; start a fresh segment so later
        // frames are not appended after it (replay stops at the first bad frame).
        await this.#seal().catch(() => undefined)
        continue
      }
      segment.bytes += bytes
      this.#pendingBytes -= bytes
      this.#bytesOnDisk += bytes
      this.#lastWriteError = null
      for (const p of batch) p.resolve()
      if (segment.bytes >= this.#limits.segmentMaxBytes) {
        // The frames are durable and acknowledged; a failure to seal only delays the
        // hand-over (the age timer or the next start seals the file).
        await this.#seal().catch((err: unknown) => {
          this.#lastWriteError = { at: Date.now(), error: err }
        })
      }
    }
  }

  async #createSegment(): Promise<OpenSegment> {
    const now = Date.now()
    const name = `${now.toString(36).padStart(9, '0')}-${this.#instance}-${(this.#sequence++).toString().padStart(8, '0')}`
    const path = join(this.dir, name + OPEN_SUFFIX)
    const handle = await open(path, 'a')
    try {
      // The new file's directory entry must be durable too, or a power loss could lose the
      // whole segment even though its frames were fsync'ed.
      const dir = await open(this.dir, 'r')
      try {
        await dir.sync()
      } finally {
        await dir.close()
      }
    } catch (error) {
      await handle.close().catch(() => undefined)
      await unlink(path).catch(() => undefined)
      throw error
    }
    return { name, path, handle, openedAt: now, bytes: 0 }
  }

  async #seal(): Promise<void> {
    const segment = this.#open
    if (!segment) return
    this.#open = null
    // Whatever fails here, the segment is handed to the writer: its acknowledged frames are
    // on disk, and the writer reads them from whichever name the file still has.
    await segment.handle.close().catch(() => undefined)
    const sealedPath = join(this.dir, segment.name + SEALED_SUFFIX)
    const path = await rename(segment.path, sealedPath).then(
      () => sealedPath,
      () => segment.path,
    )
    const sealed: SealedSegment = { name: segment.name, path, bytes: segment.bytes }
    const waiter = this.#waiters.shift()
    if (waiter) waiter(sealed)
    else this.#sealed.push(sealed)
  }

  #sealIfOld(): void {
    const segment = this.#open
    if (segment && Date.now() - segment.openedAt >= this.#limits.segmentMaxAgeMs) {
      void this.#enqueue(async () => {
        if (this.#open === segment) await this.#seal()
      }).catch(() => undefined)
    }
  }
}
