// Composes the collector's stages after decoding and validation: mask -> serialise ->
// durable spool -> batch writer, one spool and one writer per table. accept() resolves
// only when the rows are fsync'ed; that is when the HTTP layer may answer 2xx.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { lockSpoolDirectory, type SpoolLock } from './spool-lock.ts'
import { logRowJson, spanRowJson } from '../store/index.ts'
import type { LogRow, SpanRow } from '../store/index.ts'
import type { CollectorMetrics } from './metrics.ts'
import { signalTable, type Signal } from './signal.ts'
import { Spool, type SpoolLimits } from './spool.ts'
import { SegmentWriter, type InsertFailure, type TableInsert } from './writer.ts'

export type { TableInsert } from './writer.ts'

export interface RowsBySignal {
  traces: SpanRow
  logs: LogRow
}

/** The masking hook: PII policies plug in here (identity until they exist). */
export interface RecordMask {
  traces(rows: SpanRow[]): SpanRow[]
  logs(rows: LogRow[]): LogRow[]
}

export const noMask: RecordMask = { traces: (rows) => rows, logs: (rows) => rows }

export type Admission =
  | { readonly kind: 'open' }
  | { readonly kind: 'spool_full'; readonly storeFailing: boolean; readonly retryAfterSeconds: number }
  | { readonly kind: 'spool_unwritable'; readonly retryAfterSeconds: number; readonly reason: string }
  | { readonly kind: 'closed' }

export interface PipelineOptions {
  readonly spoolDir: string
  readonly spool: SpoolLimits
  readonly writerConcurrency: number
  readonly retryInitialMs: number
  readonly retryMaxMs: number
  readonly insert: TableInsert
  readonly classify: (error: unknown) => InsertFailure
  readonly metrics: CollectorMetrics
  readonly mask?: RecordMask
  readonly onWriterError?: (signal: Signal, message: string, error: unknown) => void
}

interface Lane {
  readonly spool: Spool
  readonly writer: SegmentWriter
}

/** Each signal's lane gets half the spool bound, so a flood of logs cannot starve traces. */
const laneBound = (spool: SpoolLimits): number => Math.floor(spool.maxBytes / 2)

/** After a failed spool write, intake stays refused this long before trying the disk again. */
const SPOOL_ERROR_HOLD_MS = 10_000

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const serialisers: { [S in Signal]: (row: RowsBySignal[S]) => string } = {
  traces: spanRowJson,
  logs: logRowJson,
}

export class IngestPipeline {
  readonly #lanes: Record<Signal, Lane>
  readonly #options: PipelineOptions
  readonly #mask: RecordMask
  readonly #lock: SpoolLock
  #closed = false

  private constructor(lanes: Record<Signal, Lane>, options: PipelineOptions, lock: SpoolLock) {
    this.#lanes = lanes
    this.#lock = lock
    this.#options = options
    this.#mask = options.mask ?? noMask
  }

  static async open(options: PipelineOptions): Promise<IngestPipeline> {
    const perLaneLimits: SpoolLimits = { ...options.spool, maxBytes: laneBound(options.spool) }
    const lane = async (signal: Signal): Promise<Lane> => {
      const spool = await Spool.open(join(options.spoolDir, signal), perLaneLimits)
      const table = signalTable[signal]
      const m = options.metrics
      const writer = new SegmentWriter(spool, options.insert, {
        table,
        concurrency: options.writerConcurrency,
        retryInitialMs: options.retryInitialMs,
        retryMaxMs: options.retryMaxMs,
        classify: options.classify,
        events: {
          stored: (rows, _bytes, seconds) => {
            m.writtenRows.inc({ signal }, rows)
            m.batchSeconds.observe({ signal }, seconds)
          },
          failed: (kind, error, attempt) => {
            m.insertErrors.inc({ signal, kind })
            if (attempt === 1 || attempt % 10 === 0) options.onWriterError?.(signal, `insert into ${table} failed (attempt ${attempt}, ${kind})`, error)
          },
          quarantined: (segment, path, error) => {
            m.quarantinedSegments.inc({ signal })
            options.onWriterError?.(signal, `segment ${segment.name} refused by ClickHouse as data; kept at ${path}`, error)
          },
          tornTail: (segment, bytes) =>
            options.onWriterError?.(
              signal,
              `segment ${segment.name} had ${bytes} unacknowledged bytes after its last frame (crash mid-write); dropped them`,
              null,
            ),
          trouble: (segment, message, error) => options.onWriterError?.(signal, `segment ${segment.name}: ${message}`, error),
        },
      })
      return { spool, writer }
    }
    await mkdir(options.spoolDir, { recursive: true })
    const lock = await lockSpoolDirectory(options.spoolDir)
    try {
      const lanes = { traces: await lane('traces'), logs: await lane('logs') }
      return new IngestPipeline(lanes, options, lock)
    } catch (error) {
      await lock.release()
      throw error
    }
  }

  start(): void {
    for (const lane of Object.values(this.#lanes)) lane.writer.start()
  }

  /** Checked before a request body is read, so a full spool costs no memory. */
  admission(signal: Signal, incomingBytes = 0): Admission {
    if (this.#closed) return { kind: 'closed' }
    const lane = this.#lanes[signal]
    const writeError = lane.spool.lastWriteError
    if (writeError !== null && Date.now() - writeError.at < SPOOL_ERROR_HOLD_MS) {
      return { kind: 'spool_unwritable', retryAfterSeconds: SPOOL_ERROR_HOLD_MS / 1000, reason: describeError(writeError.error) }
    }
    if (lane.spool.hasRoomFor(incomingBytes)) return { kind: 'open' }
    const storeFailing = lane.writer.failing
    return { kind: 'spool_full', storeFailing, retryAfterSeconds: storeFailing ? 30 : 5 }
  }

  /** Masks, serialises and spools the rows; resolves when they are durable. */
  async accept<S extends Signal>(signal: S, rows: RowsBySignal[S][], countAs: string = signal): Promise<Admission> {
    if (rows.length === 0) return this.admission(signal)
    const masked = (this.#mask[signal] as (r: RowsBySignal[S][]) => RowsBySignal[S][])(rows)
    const serialise = serialisers[signal]
    let text = ''
    for (const row of masked) text += serialise(row)
    const payload = Buffer.from(text)
    const admission = this.admission(signal, payload.length)
    if (admission.kind !== 'open') return admission
    try {
      await this.#lanes[signal].spool.append(payload)
    } catch (error) {
      // Disk full or an I/O error: nothing was acknowledged, the client must retry (503).
      return { kind: 'spool_unwritable', retryAfterSeconds: SPOOL_ERROR_HOLD_MS / 1000, reason: describeError(error) }
    }
    this.#options.metrics.accepted.inc({ signal: countAs }, rows.length)
    return admission
  }

  /** Seals open segments so the writer picks them up now (used by tests and shutdown). */
  async flush(): Promise<void> {
    await Promise.all(Object.values(this.#lanes).map((lane) => lane.spool.sealNow()))
  }

  /** True while a writer's last insert failed: ClickHouse refuses or cannot be reached. */
  get storeFailing(): boolean {
    return this.#lanes.traces.writer.failing || this.#lanes.logs.writer.failing
  }

  /** The fullest lane's share of its spool bound, 0..1 (readiness turns false near 1). */
  get spoolFill(): number {
    const limit = laneBound(this.#options.spool)
    return Math.max(this.#lanes.traces.spool.bytes, this.#lanes.logs.spool.bytes) / limit
  }

  /** Bytes not yet in ClickHouse, over all lanes. */
  get spooledBytes(): number {
    return this.#lanes.traces.spool.bytes + this.#lanes.logs.spool.bytes
  }

  /**
   * Stop intake, seal and drain the spools for up to deadlineMs; the rest stays on disk for
   * the next start. Resolves true when everything reached ClickHouse.
   */
  async close(deadlineMs: number): Promise<boolean> {
    this.#closed = true
    await Promise.all(Object.values(this.#lanes).map((lane) => lane.spool.close()))
    const drained = await Promise.all(Object.values(this.#lanes).map((lane) => lane.writer.stop(deadlineMs)))
    await this.#lock.release()
    return drained.every(Boolean)
  }

  /** Copies live spool state into the gauges; called when /metrics is scraped. */
  refreshGauges(): void {
    for (const signal of ['traces', 'logs'] as const) {
      this.#options.metrics.spoolBytes.set({ signal }, this.#lanes[signal].spool.bytes)
      this.#options.metrics.spoolSegments.set({ signal }, this.#lanes[signal].spool.sealedCount)
    }
  }
}
