// npm run bench:kpi: how fast the KPI answers come back on a realistically large embedded
// store. Generates N lead_to_cash orders (about 10 business events each, default 1,000,000 ->
// about 10 million events) over the 365 days ending now, with ClickHouse itself (INSERT ...
// SELECT FROM numbers() with deterministic cityHash64 draws), the spans behind the span-derived
// events, the correlation graph (key_edges) and instance membership (instance_keys) as the
// correlator writes them, and data-sync spans between CRM and ERP over 30 days. Then, per
// answer builder of the API (the same functions the routes call), one warm-up call and up to
// --runs timed calls within --budget seconds, and p50/p95/max against the issue's targets; an
// answer slower than --timeout is cancelled and reported as "> timeout". Last, where the time
// goes: each kpi.* statement's time per answer, the unit costs the statements are built of,
// and (up to 200,000 instances, or with --profile) the rows each statement reads.
// docs/performance.md records the results.
// Usage: node bench/kpi.ts [--instances 1000000] [--syncs N] [--runs 20] [--budget 30]
//   [--timeout 60] [--chunk 100000] [--correlate-sample 2000] [--profile] [--skip-answers]
//   [--facts rollup|events|both]
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { ClickHouseClient, QueryParams as ClientQueryParams } from '@clickhouse/client'
import { cycleTimeAnswer, instanceAnswer, kpiContext, processSummaryAnswer, slaAnswer, stuckAnswer, type KpiContext } from '../api/process-kpi-routes.ts'
import { throughputAnswer } from '../api/process-analysis-routes.ts'
import { caseSummaryAnswer, processMapAnswer } from '../api/process-log-routes.ts'
import { syncLagAnswer } from '../api/sync-lag-routes.ts'
import { resolveConfig } from '../core/config.ts'
import {
  correlateEvents,
  correlationModelOf,
  DEFAULT_LOOKBACK_NS,
  instanceFactsCte,
  loadProcessDefinitions,
  memberEventsCte,
  rebuildInstanceFacts,
  type CorrelatedEvent,
  type FactsSource,
  type ProcessDefinition,
} from '../processes/index.ts'
import { clickHouseErrorCode, createStoreClient, migrate, queryRows, type StoreConnection } from '../store/index.ts'
import { tempDir } from '../test/support/temp-dir.ts'
import { BENCH_PROCESS, DAY_S, generate, HISTORY_DAYS, NS, orderEventsSql, partCounts, settleMerges, SYNC_DAYS, timed, type QueryParams } from './kpi-data.ts'

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '1000000' },
    syncs: { type: 'string' },
    runs: { type: 'string', default: '20' },
    budget: { type: 'string', default: '30' },
    timeout: { type: 'string', default: '60' },
    profile: { type: 'boolean' },
    'skip-answers': { type: 'boolean' },
    chunk: { type: 'string', default: '100000' },
    'correlate-sample': { type: 'string', default: '2000' },
    facts: { type: 'string' },
  },
})
const INSTANCES = Number(args.instances)
const SYNCS = Number(args.syncs ?? args.instances)
const RUNS = Number(args.runs)
/** Seconds of timed calls per endpoint: calls go on while the next one is expected to fit. */
const BUDGET_S = Number(args.budget)
/** Seconds an answer may take before it is cancelled and reported as "> timeout". */
const TIMEOUT_S = Number(args.timeout)
const CHUNK = Number(args.chunk)
/** The unit-cost statements are single evaluations; they may take longer than an answer. */
const DIAGNOSE_TIMEOUT_S = 300
/** Run every kpi.* statement alone once more and count what it reads (long at 1M instances). */
const PROFILE_STATEMENTS = args.profile ?? INSTANCES <= 200_000
const CORRELATE_SAMPLE = Math.min(Number(args['correlate-sample']), INSTANCES)
const LOOKUPS = 20
/**
 * Where the instance KPIs read their facts (ADR 0005): the rollup (what serve answers from),
 * recomputed from the events, or both in the same run for the ratio. Both by default up to
 * 200,000 instances: recomputing takes minutes per answer beyond.
 */
const FACT_SOURCES: readonly FactsSource[] = ((): FactsSource[] => {
  const chosen = args.facts ?? (INSTANCES <= 200_000 ? 'both' : 'rollup')
  if (chosen === 'both') return ['rollup', 'events']
  if (chosen === 'rollup' || chosen === 'events') return [chosen]
  throw new Error(`--facts: rollup, events or both, got ${chosen}`)
})()
const PROCESS = BENCH_PROCESS

const DAY_MS = DAY_S * 1000
// "Now" for the whole run, on a whole second: the data ends here and every answer is as of it.
const NOW_MS = Math.floor(Date.now() / 1000) * 1000
const NOW_NS = BigInt(NOW_MS) * 1_000_000n

const line = (label: string, value: string): void => console.log(`${label.padEnd(52)} ${value}`)
const fmt = (n: number): string => Math.round(n).toLocaleString('en')
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

// ---- memory ------------------------------------------------------------------------------

function peakRssMiB(): number {
  const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0)
  return kb / 1024
}

/** Resets VmHWM to the current RSS (Linux), so the next peak is that of the next phase alone. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}

// ---- statement timing --------------------------------------------------------------------
// chDB keeps no system.query_log, so the store's client is wrapped: every SELECT is timed
// from the call to its parsed rows, under the tag queryRows gives it (log_comment).

interface TagTime {
  ms: number
  calls: number
}
const tagTimes = new Map<string, TagTime>()
/** The first statement seen under each kpi.* tag, for EXPLAIN afterwards. */
const statementOf = new Map<string, { query: string; params: Record<string, unknown> }>()
/** performance.now() by which the answer being timed must be done; statements get the rest as max_execution_time. */
let deadline = Infinity

class DeadlineExceeded extends Error {}

function timedClient(client: ClickHouseClient): ClickHouseClient {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'query') {
        return async (params: ClientQueryParams) => {
          const started = performance.now()
          const left = (deadline - started) / 1000
          if (left <= 0) throw new DeadlineExceeded('answer deadline passed')
          // Sent with every statement: chDB keeps a setting for the session, so none may go stale.
          const limit = Number.isFinite(left) ? Math.max(1, Math.ceil(left)) : 0
          const result = await target.query({ ...params, clickhouse_settings: { ...params.clickhouse_settings, max_execution_time: limit } })
          const comment = params.clickhouse_settings?.log_comment
          const tag = typeof comment === 'string' ? comment.replace(/^throughline:/, '') : '(untagged)'
          if (tag.startsWith('kpi.') && !statementOf.has(tag)) statementOf.set(tag, { query: params.query, params: params.query_params ?? {} })
          const json = result.json.bind(result)
          Object.defineProperty(result, 'json', {
            value: async () => {
              const rows = await json()
              const t = tagTimes.get(tag) ?? { ms: 0, calls: 0 }
              t.ms += performance.now() - started
              t.calls++
              tagTimes.set(tag, t)
              return rows
            },
          })
          return result
        }
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

/** A statement cancelled by max_execution_time (TIMEOUT_EXCEEDED), or the deadline passed between statements. */
function isTimeout(error: unknown): boolean {
  return error instanceof DeadlineExceeded || clickHouseErrorCode(error) === 159
}

/**
 * The real correlator over the events of a sample of orders, as the deriver calls it: if the
 * generated instance_keys are what it computes, it repoints nothing. Its rate says how long
 * correlating the whole store from scratch would take.
 */
async function correlateSample(
  store: StoreConnection,
  definition: ProcessDefinition,
): Promise<{ events: number; ms: number; repointed: number; walked: number }> {
  if (CORRELATE_SAMPLE === 0) return { events: 0, ms: 0, repointed: 0, walked: 0 }
  const rows = await queryRows<{ keys: Record<string, string>; source: string; trace: string; span: string }>(
    store,
    `SELECT ev.6 AS keys, ev.8 AS source, ev.9 AS trace, ev.10 AS span FROM (${orderEventsSql()})`,
    {
      nowNs: NOW_NS.toString(),
      historyNs: (BigInt(HISTORY_DAYS * DAY_S) * NS).toString(),
      base: Math.floor(INSTANCES / 2),
      count: CORRELATE_SAMPLE,
    },
    { tag: 'bench.sample-events' },
  )
  const events: CorrelatedEvent[] = rows.map((r) => ({ keys: r.keys, links: [], ...(r.source === 'span' ? { ownSpan: `${r.trace}/${r.span}` } : {}) }))
  const model = correlationModelOf(definition)
  let repointed = 0
  let walked = 0
  const { ms } = await timed(async () => {
    // Batches of about a deriver pass.
    for (let i = 0; i < events.length; i += 5000) {
      const result = await correlateEvents(store, model, events.slice(i, i + 5000))
      repointed += result.nodesRepointed
      walked += result.nodesWalked
    }
  })
  return { events: events.length, ms, repointed, walked }
}

// ---- timing the answers ------------------------------------------------------------------

interface Measured {
  endpoint: string
  window: string
  runs: number
  p50: number
  p95: number
  max: number
  /** CPU seconds (this process: Node and the embedded engine's threads) per answer. */
  cpu: number
  /** The answer did not finish within --timeout: the figures are lower bounds. */
  timedOut: boolean
  targetMs: number | null
  rows: string
  statements: string
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN
}

function cpuSecondsNow(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

/** One answer with the deadline armed: its wall time, CPU time, and the answer (undefined if it timed out). */
async function oneCall(call: () => Promise<unknown>, timeoutS = TIMEOUT_S): Promise<{ ms: number; cpu: number; answer: unknown; timedOut: boolean }> {
  const cpuBefore = cpuSecondsNow()
  const started = performance.now()
  deadline = started + timeoutS * 1000
  try {
    const answer = await call()
    return { ms: performance.now() - started, cpu: cpuSecondsNow() - cpuBefore, answer, timedOut: false }
  } catch (error) {
    if (!isTimeout(error)) throw error
    return { ms: performance.now() - started, cpu: cpuSecondsNow() - cpuBefore, answer: undefined, timedOut: true }
  } finally {
    deadline = Infinity
  }
}

/**
 * One warm-up call, then timed calls while the next one is expected to fit in --budget (up to
 * --runs). A warm-up slower than the budget is the only sample; one that times out is reported
 * as "> --timeout".
 */
async function measure(
  endpoint: string,
  window: string,
  targetMs: number | null,
  call: (i: number) => Promise<unknown>,
  describe: (answer: unknown) => string,
): Promise<Measured> {
  tagTimes.clear()
  const warm = await oneCall(() => call(-1))
  const samples: Array<{ ms: number; cpu: number }> = []
  let answer = warm.answer
  let timedOut = warm.timedOut
  if (warm.timedOut || warm.ms > BUDGET_S * 1000) {
    samples.push(warm)
  } else {
    tagTimes.clear()
    const started = performance.now()
    let last = warm.ms
    while (samples.length < RUNS && performance.now() - started + last <= BUDGET_S * 1000) {
      const i = samples.length
      const run = await oneCall(() => call(i))
      samples.push(run)
      last = run.ms
      if (run.timedOut) {
        timedOut = true
        break
      }
      answer = run.answer
    }
    if (samples.length === 0) samples.push(warm)
  }
  const sorted = samples.map((x) => x.ms).sort((x, y) => x - y)
  const statements = [...tagTimes]
    .sort((x, y) => y[1].ms - x[1].ms)
    .map(([tag, t]) => `${tag} ${fmt(t.ms / samples.length)} ms${t.calls > samples.length ? ` (${(t.calls / samples.length).toFixed(0)}x)` : ''}`)
    .join(', ')
  const m: Measured = {
    endpoint,
    window,
    runs: samples.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    max: sorted[sorted.length - 1] ?? NaN,
    cpu: samples.reduce((sum, x) => sum + x.cpu, 0) / samples.length,
    timedOut,
    targetMs,
    rows: answer === undefined ? `timed out after ${TIMEOUT_S} s (statements finished so far below)` : describe(answer),
    statements,
  }
  const verdict = targetMs === null ? '' : !m.timedOut && m.p95 <= targetMs ? `  PASS (<= ${targetMs} ms)` : `  MISS (> ${targetMs} ms)`
  const figures = m.timedOut
    ? `> ${fmt(TIMEOUT_S * 1000)} ms (timed out)`
    : `p50 ${fmt(m.p50)} ms  p95 ${fmt(m.p95)} ms  max ${fmt(m.max)} ms  (${m.runs} run${m.runs === 1 ? '' : 's'})`
  line(`${endpoint} [${window}]`, `${figures}  CPU ${m.cpu.toFixed(1)} s/answer${verdict}`)
  line('', m.rows)
  line('', `per answer: ${m.statements || '-'}`)
  return m
}

const SUMMARY_TARGET_MS = 500
const LOOKUP_TARGET_MS = 200

async function runBenchmarks(store: StoreConnection, definition: ProcessDefinition): Promise<Measured[]> {
  const out: Measured[] = []
  for (const source of FACT_SOURCES) out.push(...(await instanceKpis(store, definition, source)))
  for (const source of FACT_SOURCES) out.push(...(await logAnswers(store, definition, source)))
  out.push(...(await otherAnswers(store, definition)))
  return out
}

const iso = (ms: number): string => new Date(ms).toISOString()
const as = <T>(a: unknown): T => a as T

/** The answers built on the instance facts, read from one source. */
async function instanceKpis(store: StoreConnection, definition: ProcessDefinition, source: FactsSource): Promise<Measured[]> {
  const defs = new Map([[PROCESS, definition]])
  // as_of is the run's now, and kpiContext is told so: the rollup answers "as of now" only.
  const ctx = (days: number): KpiContext =>
    kpiContext(defs, PROCESS, { from: iso(NOW_MS - days * DAY_MS), to: iso(NOW_MS), as_of: iso(NOW_MS) }, { now: NOW_MS, facts: source })
  const out: Measured[] = []
  const tag = (name: string): string => `${name} · ${source}`
  for (const days of [30, 7]) {
    const w = `${days} d`
    out.push(
      await measure(
        tag('KPI summary (processSummaryAnswer)'),
        w,
        SUMMARY_TARGET_MS,
        () => processSummaryAnswer(store, ctx(days)),
        (a) => {
          const s = as<Awaited<ReturnType<typeof processSummaryAnswer>>>(a)
          return `arrived ${fmt(s.arrived)}, completed ${fmt(s.completed)}, cancelled ${fmt(s.cancelled)}, WIP ${fmt(s.wipAtEnd)}, stuck ${fmt(s.stuck.stuck)}`
        },
      ),
    )
    out.push(
      await measure(
        tag('cycle time (cycleTimeAnswer)'),
        w,
        SUMMARY_TARGET_MS,
        () => cycleTimeAnswer(store, ctx(days)),
        (a) => {
          const c = as<Awaited<ReturnType<typeof cycleTimeAnswer>>>(a)
          return `completed ${fmt(c.completion.count)}, p50 ${((c.completion.p50 ?? 0) / DAY_S).toFixed(1)} d; started ${fmt(c.start.started)}, censored ${fmt(c.start.censored)}`
        },
      ),
    )
    out.push(
      await measure(
        tag('cycle time, business clock (cycleTimeAnswer)'),
        w,
        SUMMARY_TARGET_MS,
        () => cycleTimeAnswer(store, ctx(days), 'business'),
        (a) => `completed ${fmt(as<Awaited<ReturnType<typeof cycleTimeAnswer>>>(a).completion.count)}`,
      ),
    )
    out.push(
      await measure(
        tag('SLA attainment (slaAnswer)'),
        w,
        SUMMARY_TARGET_MS,
        () => slaAnswer(store, ctx(days)),
        (a) =>
          as<Awaited<ReturnType<typeof slaAnswer>>>(a)
            .slas.map((s) => `${s.sla} ${fmt(s.due)} due ${s.attainment === null ? '-' : `${(s.attainment * 100).toFixed(1)} %`}`)
            .join(', '),
      ),
    )
    out.push(
      await measure(
        tag('throughput and cycle time per day (throughputAnswer)'),
        w,
        SUMMARY_TARGET_MS,
        () => throughputAnswer(store, ctx(days), 'day'),
        (a) => {
          const t = as<Awaited<ReturnType<typeof throughputAnswer>>>(a)
          return `${t.buckets.length} days, ${fmt(t.totals.completions)} completions, last day's p95 ${((t.buckets.at(-2)?.cycleTime.p95 ?? 0) / DAY_S).toFixed(1)} d`
        },
      ),
    )
    if (days === 30) {
      out.push(
        await measure(
          tag('stuck list (stuckAnswer, 100 listed)'),
          'now',
          SUMMARY_TARGET_MS,
          () => stuckAnswer(store, ctx(days)),
          (a) => {
            const s = as<Awaited<ReturnType<typeof stuckAnswer>>>(a)
            return `stuck ${fmt(s.stuck)}, unknown_late_data ${fmt(s.unknownLateData)}, value at risk ${s.valueAtRisk.map((v) => `${v.currency} ${fmt(v.amount)}`).join(', ')}`
          },
        ),
      )
    }
  }
  return out
}

/** The event-log answers (case statistics, the process map), from the events or the rollup's traces. */
async function logAnswers(store: StoreConnection, definition: ProcessDefinition, source: FactsSource): Promise<Measured[]> {
  const logQuery = (days: number) => ({ from: iso(NOW_MS - days * DAY_MS), to: iso(NOW_MS) })
  const traces = (): FactsSource => source
  const tag = (name: string): string => `${name} · ${source}`
  const out: Measured[] = []
  for (const days of [30, 7]) {
    const w = `${days} d`
    out.push(
      await measure(
        tag('case summary (caseSummaryAnswer)'),
        w,
        SUMMARY_TARGET_MS,
        () => caseSummaryAnswer(store, PROCESS, logQuery(days), definition.rootKey, traces),
        (a) => {
          const c = as<Awaited<ReturnType<typeof caseSummaryAnswer>>>(a)
          return `${fmt(c.cases)} instances, ${fmt(c.events)} events, ${c.activities} activities`
        },
      ),
    )
    out.push(
      await measure(
        tag('process map (processMapAnswer)'),
        w,
        SUMMARY_TARGET_MS,
        () => processMapAnswer(store, PROCESS, logQuery(days), definition.rootKey, traces),
        (a) => {
          const m = as<Awaited<ReturnType<typeof processMapAnswer>>>(a)
          return `${m.edges.length} edges, ${fmt(m.edges.reduce((s, e) => s + e.count, 0))} transitions`
        },
      ),
    )
  }
  return out
}

/** The answers that do not read instance facts: sync lag, instance lookups. */
async function otherAnswers(store: StoreConnection, definition: ProcessDefinition): Promise<Measured[]> {
  const logQuery = (days: number) => ({ from: iso(NOW_MS - days * DAY_MS), to: iso(NOW_MS) })
  const out: Measured[] = []
  for (const days of [30, 7]) {
    const w = `${days} d`
    out.push(
      await measure(
        'sync lag (syncLagAnswer)',
        w,
        SUMMARY_TARGET_MS,
        () => syncLagAnswer(store, logQuery(days), new Date(NOW_MS)),
        (a) =>
          as<Awaited<ReturnType<typeof syncLagAnswer>>>(a)
            .pairs.map(
              (p) =>
                `${p.sourceSystem}->${p.targetSystem} ${p.entityType}: ${fmt(p.changes)} changes, p95 ${p.lagSeconds.p95?.toFixed(1)} s, ${fmt(p.pending)} pending`,
            )
            .join('; '),
      ),
    )
  }
  // Lookups of keys of every kind, of random orders; each call a different key.
  const keys = await queryRows<{ key: string }>(
    store,
    `SELECT key FROM (
       SELECT * FROM (SELECT concat('order_id=', Keys['order_id']) AS key, cityHash64(EventId) AS h FROM business_events WHERE Milestone = 'opportunity.won' ORDER BY h LIMIT {k:UInt32})
       UNION ALL SELECT * FROM (SELECT concat('so_number=', Keys['so_number']) AS key, cityHash64(EventId) AS h FROM business_events WHERE Milestone = 'credit_check.passed' ORDER BY h LIMIT {k:UInt32})
       UNION ALL SELECT * FROM (SELECT concat('delivery_id=', Keys['delivery_id']) AS key, cityHash64(EventId) AS h FROM business_events WHERE Milestone = 'goods_issue.posted' ORDER BY h LIMIT {k:UInt32})
       UNION ALL SELECT * FROM (SELECT concat('invoice_no=', Keys['invoice_no']) AS key, cityHash64(EventId) AS h FROM business_events WHERE Milestone = 'receivable.posted' ORDER BY h LIMIT {k:UInt32})
     ) ORDER BY h`,
    { k: Math.ceil((LOOKUPS + 1) / 4) },
    { tag: 'bench.lookup-keys' },
  )
  const keyAt = (i: number): string => keys[(i + 1) % keys.length]!.key
  out.push(
    await measure(
      'instance lookup by key (instanceAnswer)',
      `${LOOKUPS} keys`,
      LOOKUP_TARGET_MS,
      (i) => instanceAnswer(store, definition, keyAt(i)),
      (a) => {
        const l = as<Awaited<ReturnType<typeof instanceAnswer>>>(a)
        return `key types order_id, so_number, delivery_id, invoice_no; e.g. ${l.key}: ${l.instances[0]?.events.length ?? 0} events, ${l.instances[0]?.events.filter((e) => e.span !== null).length ?? 0} with spans`
      },
    ),
  )
  return out
}

// ---- where the time goes -----------------------------------------------------------------
// The unit costs the answers are made of, each timed alone (median of 3): one evaluation of
// the shared CTEs the KPI statements inline (ClickHouse inlines a WITH subquery at every
// reference), and the scans below them with and without FINAL.

async function diagnose(store: StoreConnection, definition: ProcessDefinition): Promise<void> {
  const lookback = DEFAULT_LOOKBACK_NS
  const fromNs = NOW_NS - 30n * BigInt(DAY_S) * NS
  const facts = instanceFactsCte({ definition, eventsFromNs: fromNs - lookback, eventsToNs: NOW_NS + 1n })
  const rolled = instanceFactsCte({ definition, source: 'rollup', eventsFromNs: fromNs - lookback, eventsToNs: NOW_NS + 1n })
  const window30 = memberEventsCte({ process: PROCESS, rootKey: definition.rootKey, fromNs, toNs: NOW_NS })
  const scan = { process: PROCESS, fromNs: (fromNs - lookback).toString(), toNs: (NOW_NS + 1n).toString() }
  const syncScope = { scanFrom: (fromNs - BigInt(DAY_S) * NS).toString(), scanTo: (NOW_NS + BigInt(DAY_S) * NS).toString() }
  const units: Array<[string, string, QueryParams]> = [
    [
      'business_events, 120 d (30 d + 90 d lookback), no FINAL',
      'SELECT count() AS n FROM business_events WHERE Process = {process:String} AND toUnixTimestamp64Nano(Ts) >= {fromNs:Int64} AND toUnixTimestamp64Nano(Ts) < {toNs:Int64}',
      scan,
    ],
    [
      'the same with FINAL',
      'SELECT count() AS n FROM business_events FINAL WHERE Process = {process:String} AND toUnixTimestamp64Nano(Ts) >= {fromNs:Int64} AND toUnixTimestamp64Nano(Ts) < {toNs:Int64}',
      scan,
    ],
    [
      'the same with FINAL, filtered on Ts itself',
      "SELECT count() AS n FROM business_events FINAL WHERE Process = {process:String} AND Ts >= fromUnixTimestamp64Nano({fromNs:Int64}, 'UTC') AND Ts < fromUnixTimestamp64Nano({toNs:Int64}, 'UTC')",
      scan,
    ],
    ['instance_keys FINAL, whole process', 'SELECT count() AS n FROM instance_keys FINAL WHERE Process = {process:String}', scan],
    ['scoped_events of a 30 d window: one reference (FINAL scan + arrays)', `WITH ${window30.sql} SELECT count() AS n FROM scoped_events`, window30.params],
    ['member_events of a 30 d window (case summary, map)', `WITH ${window30.sql} SELECT count() AS n FROM member_events`, window30.params],
    ['member_events, 120 d (facts input)', `WITH ${facts.sql} SELECT count() AS n FROM member_events`, facts.params],
    ['facts, 120 d: one evaluation from the events', `WITH ${facts.sql} SELECT count() AS n FROM facts`, facts.params],
    ['facts, 120 d: read from the rollup (instance_facts FINAL)', `WITH ${rolled.sql} SELECT count() AS n FROM facts`, rolled.params],
    [
      'otel_traces sync spans, 32 d scan (sync_spans)',
      "SELECT count() AS n FROM otel_traces WHERE Timestamp >= fromUnixTimestamp64Nano({scanFrom:Int64}) AND Timestamp < fromUnixTimestamp64Nano({scanTo:Int64}) AND SpanAttributes['sync.side'] IN ('change', 'apply')",
      syncScope,
    ],
  ]
  /** What one statement reads, scalar subqueries included (EXPLAIN leaves those out): the engine's counters before and after it. */
  const readBy = async (run: () => Promise<unknown>): Promise<{ rows: number; mib: number }> => {
    const counters = async (): Promise<Map<string, number>> =>
      new Map(
        (
          await queryRows<{ event: string; value: string }>(
            store,
            "SELECT event, value FROM system.events WHERE event IN ('SelectedRows', 'SelectedBytes')",
            {},
            { tag: 'bench.counters' },
          )
        ).map((r) => [r.event, Number(r.value)]),
      )
    const before = await counters()
    await run()
    const after = await counters()
    const delta = (event: string): number => (after.get(event) ?? 0) - (before.get(event) ?? 0)
    return { rows: delta('SelectedRows'), mib: delta('SelectedBytes') / 2 ** 20 }
  }
  console.log('\nunit costs, each run alone (median of up to 3 runs; result rows; rows and MiB read):')
  for (const [label, sql, params] of units) {
    const times: number[] = []
    let n = 0
    let timedOut = false
    let read = { rows: 0, mib: 0 }
    // Three runs unless one already took over 10 s.
    for (let i = 0; i < 3 && !timedOut && !times.some((t) => t > 10_000); i++) {
      read = await readBy(async () => {
        const run = await oneCall(async () => {
          const rows = await queryRows<{ n: string }>(store, sql, params, { tag: 'bench.diag' })
          n = Number(rows[0]?.n ?? 0)
        }, DIAGNOSE_TIMEOUT_S)
        timedOut = run.timedOut
        times.push(run.ms)
      })
    }
    const ms = timedOut
      ? `> ${fmt(DIAGNOSE_TIMEOUT_S * 1000)} ms (timed out)`
      : `${fmt(
          percentile(
            [...times].sort((x, y) => x - y),
            0.5,
          ),
        )} ms`
    line(`  ${label}`, `${ms}, ${fmt(n)} rows; read ${fmt(read.rows)} rows, ${fmt(read.mib)} MiB`)
  }
  if (!PROFILE_STATEMENTS || statementOf.size === 0) return
  console.log('\nevery kpi.* statement of the answers above, run alone once (rows and MiB read):')
  for (const [tag, statement] of [...statementOf].sort(([x], [y]) => (x < y ? -1 : 1))) {
    let run = { ms: 0, timedOut: false }
    const read = await readBy(async () => {
      run = await oneCall(() => queryRows(store, statement.query, statement.params, { tag }))
    })
    line(
      `  ${tag}`,
      `${run.timedOut ? `> ${fmt(TIMEOUT_S * 1000)}` : fmt(run.ms)} ms, ${run.timedOut ? '>= ' : ''}${fmt(read.rows)} rows, ${fmt(read.mib)} MiB`,
    )
  }
}

// ---- main --------------------------------------------------------------------------------

const load = await loadProcessDefinitions(fileURLToPath(new URL('../processes.d', import.meta.url)))
if (!load.ok) throw new Error(`processes.d: ${JSON.stringify(load.problems)}`)
const definition = load.definitions.find((d) => d.name === PROCESS)
if (definition === undefined) throw new Error(`processes.d has no ${PROCESS}`)

const dir = tempDir('bench-kpi')
// An interrupted run leaves no gigabytes behind in the temp directory.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    dir.remove()
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1))
  })
}
process.stdout.on('error', () => undefined)
const config = resolveConfig({ dataDir: dir.path })
const opened = createStoreClient(config)
try {
  await migrate(opened, config)
  const store: StoreConnection = { client: timedClient(opened.client) }
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`)
  line('load average (1, 5, 15 min) at the start', readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', '))
  console.log(
    `data: ${fmt(INSTANCES)} ${PROCESS} orders over ${HISTORY_DAYS} days, ${fmt(SYNCS)} sync changes over ${SYNC_DAYS} days, now = ${new Date(NOW_MS).toISOString()}`,
  )
  console.log('generation (INSERT ... SELECT FROM numbers() in chunks of ' + fmt(CHUNK) + '):')
  resetPeakRss()
  const { value: generated, ms: genMs } = await timed(() =>
    generate(store, definition, {
      instances: INSTANCES,
      syncs: SYNCS,
      chunk: CHUNK,
      nowNs: NOW_NS,
      traceRetentionDays: config.retention.tracesDays,
      onPhase: (label, ms) => line(`  ${label}`, seconds(ms)),
    }),
  )
  const genPeak = peakRssMiB()
  line('generated in', seconds(genMs))
  line('business events', fmt(generated.events))
  line('otel_traces: order spans / sync spans', `${fmt(generated.orderSpans)} / ${fmt(generated.syncSpans)}`)
  line('instance_keys / key_edges rows', `${fmt(generated.instanceKeys)} / ${fmt(generated.keyEdges)}`)
  line('peak RSS during generation', `${genPeak.toFixed(0)} MiB`)
  const settled = await settleMerges(store, 10 * 60_000)
  line('background merges settled in', `${seconds(settled.ms)}${settled.pending > 0 ? ` (${settled.pending} still running)` : ''}`)
  line('stored', await partCounts(store))
  const sample = await correlateSample(store, definition)
  if (sample.events > 0) {
    line(
      `real correlator over ${fmt(CORRELATE_SAMPLE)} orders' events`,
      `${fmt(sample.events)} events in ${seconds(sample.ms)} (${fmt(sample.events / (sample.ms / 1000))} events/s), ${fmt(sample.walked)} nodes walked, ${sample.repointed} repointed`,
    )
    line('  -> whole store at that rate', seconds((generated.events / sample.events) * sample.ms))
    if (sample.repointed > 0) console.log('  WARNING: the correlator repointed nodes: generated instance_keys differ from what it computes')
  }
  // The facts rollup as `processes backfill` or a first start builds it: one statement over
  // every instance; afterwards the deriver refreshes only what each pass touches.
  const rollup = await timed(() => rebuildInstanceFacts(store, definition, NOW_NS - BigInt(HISTORY_DAYS + 1) * BigInt(DAY_S) * NS))
  line('facts rollup (instance_facts) built in', `${seconds(rollup.ms)}: ${fmt(rollup.value)} instances`)
  await settleMerges(store, 5 * 60_000)
  resetPeakRss()
  const results = args['skip-answers'] === true ? [] : await runBenchmarks(store, definition)
  const queryPeak = peakRssMiB()
  line('peak RSS during the answers', `${queryPeak.toFixed(0)} MiB`)
  await diagnose(store, definition)
  line('load average (1, 5, 15 min) at the end', readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', '))
  if (results.length > 0) console.log('\n| endpoint | window | runs | p50 ms | p95 ms | max ms | CPU s | target | |\n|---|---|---|---|---|---|---|---|---|')
  for (const m of results) {
    const verdict = m.targetMs === null ? '' : !m.timedOut && m.p95 <= m.targetMs ? 'PASS' : '**MISS**'
    const ms = (v: number): string => (m.timedOut ? `> ${fmt(TIMEOUT_S * 1000)}` : fmt(v))
    console.log(
      `| ${m.endpoint} | ${m.window} | ${m.runs} | ${ms(m.p50)} | ${ms(m.p95)} | ${ms(m.max)} | ${m.cpu.toFixed(1)} | <= ${m.targetMs} | ${verdict} |`,
    )
  }
} finally {
  await opened.close()
  dir.remove()
}
