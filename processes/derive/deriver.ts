// The live deriver: every tick, for every process definition, derives the rows that reached
// ClickHouse since its cursor (by IngestedAt) into business events and correlates them. The
// cursor is persisted (deriver_cursors), so a restart resumes where it stopped; and because a
// pass is idempotent, re-reading a little (the overlap) to catch rows whose insert finished
// late costs time, never correctness.
import type { Logger } from 'pino'
import { insertJsonEachRow, isNetworkError, queryRows, type StoreConnection } from '../../store/index.ts'
import type { ProcessDefinition } from '../definitions/index.ts'
import { rebuildInstanceFacts } from '../kpis/facts-rollup.ts'
import { derivePass, type DerivePassResult } from './derive-pass.ts'

export interface DeriverOptions {
  readonly store: StoreConnection
  readonly definitions: readonly ProcessDefinition[]
  readonly logger: Logger
  /** Between passes. */
  readonly intervalMs?: number
  /** Rows younger than this are left for the next pass: their insert may not be visible yet. */
  readonly settleMs?: number
  /** Every `overlapEvery` passes re-read this much before the cursor, for inserts that took long. */
  readonly overlapMs?: number
  readonly overlapEvery?: number
  /** Largest ingest span one pass reads, so catching up after downtime goes in bounded steps. */
  readonly maxWindowMs?: number
  /** Called after each pass of a process that derived something (metrics, tests). */
  readonly onPass?: (process: string, result: DerivePassResult) => void
  readonly now?: () => number
}

export interface Deriver {
  /** One pass over every definition up to now - settle; what the timer calls. */
  runOnce(): Promise<void>
  stop(): Promise<void>
}

const CURSOR_SAVE_EVERY_MS = 10_000
const FAILURE_LOG_EVERY_MS = 60_000

const DEFAULTS = { intervalMs: 1_000, settleMs: 2_000, overlapMs: 30_000, overlapEvery: 30, maxWindowMs: 60_000 }

async function loadCursor(store: StoreConnection, process: string): Promise<number | undefined> {
  const rows = await queryRows<{ cursor: string }>(
    store,
    `SELECT toString(toUnixTimestamp64Milli(argMax(Cursor, UpdatedAt))) AS cursor FROM deriver_cursors
     WHERE Process = {process:String} AND SourceTable = 'all' HAVING count() > 0`,
    { process },
    { tag: 'derive.cursor-read' },
  )
  return rows[0] === undefined ? undefined : Number(rows[0].cursor)
}

/** The first IngestedAt at or after `fromMs` in either table, or undefined when there is none. */
async function nextIngest(store: StoreConnection, fromMs: number): Promise<number | undefined> {
  const rows = await queryRows<{ next: string | null }>(
    store,
    `SELECT toString(least(
       (SELECT ifNull(toUnixTimestamp64Milli(minOrNull(IngestedAt)), 9223372036854775807) FROM otel_traces WHERE IngestedAt >= fromUnixTimestamp64Milli({from:Int64})),
       (SELECT ifNull(toUnixTimestamp64Milli(minOrNull(IngestedAt)), 9223372036854775807) FROM otel_logs WHERE IngestedAt >= fromUnixTimestamp64Milli({from:Int64})))) AS next`,
    { from: String(fromMs) },
    { tag: 'derive.next-ingest' },
  )
  const next = rows[0]?.next
  return next === undefined || next === null || next === '9223372036854775807' ? undefined : Number(next)
}

async function saveCursor(store: StoreConnection, process: string, cursorMs: number): Promise<void> {
  const row = JSON.stringify({ Process: process, SourceTable: 'all', Cursor: new Date(cursorMs).toISOString().replace('T', ' ').replace('Z', '') })
  await insertJsonEachRow(store, 'deriver_cursors', `${row}\n`, { tag: 'derive.cursor-write' })
}

/** Rebuilds the facts rollup of a process that has business events but no rollup rows yet. */
async function ensureFactsRollup(store: StoreConnection, definition: ProcessDefinition): Promise<void> {
  const rows = await queryRows<{ rolledUp: string; earliestNs: string | null }>(
    store,
    `SELECT (SELECT count() FROM instance_facts WHERE Process = {process:String}) AS rolledUp,
            toString((SELECT minOrNull(toUnixTimestamp64Nano(Ts)) FROM business_events WHERE Process = {process:String})) AS earliestNs`,
    { process: definition.name },
    { tag: 'derive.rollup-check' },
  )
  const row = rows[0]
  if (row === undefined || Number(row.rolledUp) > 0 || row.earliestNs === null) return
  await rebuildInstanceFacts(store, definition, BigInt(row.earliestNs))
}

export function startDeriver(options: DeriverOptions): Deriver {
  const settings = { ...DEFAULTS, ...options }
  const now = options.now ?? Date.now
  const cursors = new Map<string, number>()
  const saved = new Map<string, number>()
  let passes = 0
  // A store that is down fails every pass; say so once a minute, not once a second.
  let lastFailureLogMs = -Infinity
  let failing = false
  let running: Promise<void> | undefined
  let stopped = false

  async function passFor(definition: ProcessDefinition, overlap: boolean): Promise<void> {
    const { store } = options
    // The first pass of this process in this run: events stored before the facts rollup
    // existed (or by a run that crashed before writing it) are rolled up once.
    if (!cursors.has(definition.name)) await ensureFactsRollup(store, definition)
    // No cursor yet: everything ingested so far (rows stored before migration 3 excepted).
    let cursor = cursors.get(definition.name) ?? (await loadCursor(store, definition.name)) ?? 0
    const until = now() - settings.settleMs
    let windowFrom = overlap ? cursor - settings.overlapMs : cursor
    while (cursor < until && !stopped) {
      // Skip stretches with no rows at once instead of walking them window by window.
      const next = await nextIngest(store, windowFrom)
      if (next === undefined || next >= until) {
        cursor = until
        cursors.set(definition.name, cursor)
        break
      }
      windowFrom = Math.max(windowFrom, next)
      const to = Math.min(until, Math.max(cursor, windowFrom) + settings.maxWindowMs)
      const result = await derivePass(store, definition, { by: 'ingested', fromMs: windowFrom, toMs: to })
      if (result.events > 0 || Object.keys(result.undeclared).length > 0) options.onPass?.(definition.name, result)
      cursor = to
      windowFrom = to
      cursors.set(definition.name, cursor)
      // Not every pass: a crash loses at most this much cursor, which the next start re-reads.
      if (cursor - (saved.get(definition.name) ?? 0) >= CURSOR_SAVE_EVERY_MS) await persist(definition.name)
    }
  }

  async function persist(process: string): Promise<void> {
    const cursor = cursors.get(process)
    if (cursor === undefined || cursor === saved.get(process)) return
    await saveCursor(options.store, process, cursor)
    saved.set(process, cursor)
  }

  async function runOnce(): Promise<void> {
    // One pass at a time: the timer and a caller (tests, shutdown) never overlap.
    while (running !== undefined) await running
    const overlap = passes++ % settings.overlapEvery === settings.overlapEvery - 1
    running = (async () => {
      for (const definition of options.definitions) {
        try {
          await passFor(definition, overlap)
          if (failing) options.logger.info({ process: definition.name }, 'deriving business events works again')
          failing = false
        } catch (err) {
          failing = true
          if (now() - lastFailureLogMs >= FAILURE_LOG_EVERY_MS) {
            lastFailureLogMs = now()
            options.logger.warn({ err, process: definition.name }, 'deriving business events failed; retrying every pass')
          }
          // The store is unreachable: every other process would fail the same way, each after
          // its retries, and a stop waiting for this pass would wait for all of them.
          if (isNetworkError(err)) break
        }
      }
    })()
    try {
      await running
    } finally {
      running = undefined
    }
  }

  const timer = setInterval(() => void runOnce(), settings.intervalMs)
  timer.unref()
  return {
    runOnce,
    async stop() {
      clearInterval(timer)
      stopped = true
      while (running !== undefined) await running
      for (const process of cursors.keys()) {
        await persist(process).catch((err: unknown) => options.logger.warn({ err, process }, 'saving the deriver cursor failed'))
      }
    },
  }
}
