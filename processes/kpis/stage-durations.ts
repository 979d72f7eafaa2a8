// K2, stage durations A -> B (kpis.md): for each stage, the first A to the first B at or after
// it, over the stages whose B falls in the window (exact quantiles, wall or business clock).
// B without A is a skipped step (counted, never a duration); an open instance that reached A
// and has not left it along any stage from A is in flight, aged now - t_A. Stages: the
// definition's flow edges, or without edges every pair of milestones seen one after the other.
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { Clock, ProcessDefinition } from '../definitions/index.ts'
import { clockSql } from './business-time.ts'
import { DEFAULT_LOOKBACK_NS, type KpiWindow } from './cycle-time.ts'
import { instanceFactsCte, type FactsSource } from './instance-facts.ts'
import type { InstanceFilter } from './instance-filter.ts'
import type { KpiQuery } from './kpi-query.ts'

export interface StagePair {
  readonly from: string
  readonly to: string
}

export interface StageDurationScope {
  readonly definition: ProcessDefinition
  readonly window: KpiWindow
  readonly nowNs: bigint
  readonly clock?: Clock
  readonly lookbackNs?: bigint
  /** Stages to measure; default: the flow's edges, or the observed pairs when it has none. */
  readonly stages?: readonly StagePair[]
  /** Instance facts from the events (default) or from the facts rollup (ADR 0005; "as of now" answers). */
  readonly facts?: FactsSource | undefined
  /** Only the instances that match (version, tenant, attributes). */
  readonly filter?: InstanceFilter | undefined
}

export interface StageDuration extends StagePair {
  /** Stages completed (B reached at or after A) in the window. */
  readonly count: number
  /** Seconds; null when count is 0. Quantiles exact, interpolated between ranks. */
  readonly meanSeconds: number | null
  readonly p50Seconds: number | null
  readonly p95Seconds: number | null
  /** count < the definition's n_min. */
  readonly lowSample: boolean
  /** B reached in the window in an instance that never reached A: a conformance signal. */
  readonly skipped: number
  /** Counted stages whose B came before A by no more than the clock-skew tolerance (measured as 0). */
  readonly skewed: number
  /** B reached in the window only earlier than A by more than the tolerance: left out of the figures. */
  readonly invalidOrder: number
  /**
   * Open now (not ended, not cancelled), A reached and no stage from A's successor reached (B
   * nor an alternative, so an order that went on to approval is not in flight towards its
   * cancellation): waiting after A. The state now, not windowed.
   */
  readonly inFlight: number
  /** now - t_A of the oldest in-flight stage, on the chosen clock; null when none. */
  readonly oldestInFlightSeconds: number | null
}

export interface StageDurations {
  readonly clock: Clock
  readonly quantileMethod: 'exact'
  /** Where the stages came from: the flow's edges, the caller, or the pairs observed. */
  readonly stagesFrom: 'edges' | 'request' | 'observed'
  readonly stages: readonly StageDuration[]
}

interface StageRow {
  a: string
  b: string
  count: string
  mean: number | null
  p50: number | null
  p95: number | null
  skippedCount: string
  skewedCount: string
  invalidOrderCount: string
  inFlightCount: string
  oldestNs: string
}

const NS_PER_MS = 1_000_000n

/** Distinct pairs without self-loops: A -> A has no duration under "first A to first B at or after A". */
function distinctStages(listed: readonly StagePair[]): StagePair[] {
  const seen = new Set<string>()
  return listed
    .filter((p) => {
      const key = JSON.stringify([p.from, p.to])
      if (p.from === p.to || seen.has(key)) return false
      seen.add(key)
      return true
    })
    .map((p) => ({ from: p.from, to: p.to }))
}

/** The stages to measure, and the ways out of each A (an instance that took one is no longer waiting after A). */
function requestedStages(scope: StageDurationScope): { pairs: StagePair[]; exits: StagePair[]; from: StageDurations['stagesFrom'] } {
  const edges = scope.definition.flow.edges
  const from = scope.stages !== undefined ? 'request' : edges.length > 0 ? 'edges' : 'observed'
  const pairs = distinctStages(scope.stages ?? edges)
  return { pairs, exits: distinctStages([...edges, ...pairs]), from }
}

/** The SQL of stageDurations(): one row per stage (a, b, count, mean, p50, p95, ...); undefined when no stage is listed. */
export function stageDurationsQuery(scope: StageDurationScope): KpiQuery | undefined {
  const { definition, window, nowNs } = scope
  const lookback = scope.lookbackNs ?? DEFAULT_LOOKBACK_NS
  const clockName = scope.clock ?? 'wall'
  const readTo = window.toNs > nowNs ? window.toNs : nowNs + 1n
  const facts = instanceFactsCte({ definition, source: scope.facts, filter: scope.filter, eventsFromNs: window.fromNs - lookback, eventsToNs: readTo })
  const clock = clockSql(clockName, definition.calendar, Number((window.fromNs - lookback) / NS_PER_MS), Number(readTo / NS_PER_MS) + 86_400_000)
  const { pairs, exits, from: stagesFrom } = requestedStages(scope)
  if (stagesFrom !== 'observed' && pairs.length === 0) return undefined
  const params = {
    ...facts.params,
    ...clock.params,
    stageFrom: pairs.map((p) => p.from),
    stageTo: pairs.map((p) => p.to),
    exitFrom: exits.map((p) => p.from),
    exitTo: exits.map((p) => p.to),
    toleranceNs: (BigInt(definition.clockSkewToleranceMs) * NS_PER_MS).toString(),
    windowFrom: window.fromNs.toString(),
    windowTo: window.toNs.toString(),
    now: nowNs.toString(),
  }
  // Observed pairs: consecutive milestones (A != B) in any instance's ordered events.
  const stagePairs =
    stagesFrom === 'observed'
      ? `SELECT DISTINCT pair.1 AS a, pair.2 AS b FROM (
           SELECT arrayMap(e -> e.4, arraySort(e -> (e.1, e.2, e.3), groupArray((Ts, ObservedTs, EventId, Milestone)))) AS milestones
           FROM member_events GROUP BY instance)
         ARRAY JOIN arrayZip(arrayPopBack(milestones), arrayPopFront(milestones)) AS pair
         WHERE pair.1 != pair.2`
      : 'SELECT p.1 AS a, p.2 AS b FROM (SELECT arrayJoin(arrayZip({stageFrom:Array(String)}, {stageTo:Array(String)})) AS p)'
  const exitPairs =
    stagesFrom === 'observed'
      ? 'SELECT a, b FROM stage_pairs'
      : 'SELECT p.1 AS a, p.2 AS b FROM (SELECT arrayJoin(arrayZip({exitFrom:Array(String)}, {exitTo:Array(String)})) AS p)'
  const duration = `greatest(0, ${clock.between('tA', 'tB')})`
  return {
    sql: `WITH ${facts.sql},
     stage_pairs AS (${stagePairs}),
     exits AS (SELECT a, groupArray(b) AS nexts FROM (${exitPairs}) GROUP BY a),
     stage_list AS (SELECT p.a AS a, p.b AS b, x.nexts AS nexts FROM stage_pairs AS p LEFT JOIN exits AS x ON x.a = p.a),
     -- Per instance: milestone -> its times ascending, with whether the instance is still open.
     times AS (
       SELECT instance, mapFromArrays(groupArray(Milestone), groupArray(times)) AS byMilestone
       FROM (SELECT instance, Milestone, arraySort(groupArray(toUnixTimestamp64Nano(Ts))) AS times FROM member_events GROUP BY instance, Milestone)
       GROUP BY instance
     ),
     open_now AS (SELECT instance, endNs IS NULL AND NOT cancelled AS isOpen FROM facts),
     stage_instances AS (
       SELECT p.a AS a, p.b AS b, mapContains(t.byMilestone, p.a) AS hasA, mapContains(t.byMilestone, p.b) AS hasB,
              t.byMilestone[p.a][1] AS tA, t.byMilestone[p.b][1] AS firstB,
              -- First B at or after A, allowing B up to the skew tolerance before A.
              arrayFirstIndex(x -> x >= tA - {toleranceNs:Int64}, t.byMilestone[p.b]) AS iB,
              t.byMilestone[p.b][iB] AS tB, o.isOpen AS isOpen,
              arrayExists(n -> mapContains(t.byMilestone, n), p.nexts) AS leftA
       FROM times AS t INNER JOIN open_now AS o ON o.instance = t.instance CROSS JOIN stage_list AS p
       WHERE hasA OR hasB
     ),
     measured AS (
       SELECT a, b, hasA AND iB > 0 AND tB >= {windowFrom:Int64} AND tB < {windowTo:Int64} AS done,
              if(done, ${duration}, 0) AS durationNs, done AND tB < tA AS skewed,
              NOT hasA AND firstB >= {windowFrom:Int64} AND firstB < {windowTo:Int64} AS skipped,
              hasA AND hasB AND iB = 0 AND firstB >= {windowFrom:Int64} AND firstB < {windowTo:Int64} AS invalidOrder,
              hasA AND NOT leftA AND isOpen AND tA <= {now:Int64} AS inFlight,
              if(inFlight, ${clock.between('tA', '{now:Int64}')}, 0) AS ageNs
       FROM stage_instances
     )
     -- Output names differ from the flags': an alias would shadow its column in the other aggregates.
     SELECT a, b, countIf(done) AS count, avgIf(durationNs, done) / 1e9 AS mean,
            quantileExactInclusiveIf(0.5)(durationNs, done) / 1e9 AS p50, quantileExactInclusiveIf(0.95)(durationNs, done) / 1e9 AS p95,
            countIf(skipped) AS skippedCount, countIf(skewed) AS skewedCount, countIf(invalidOrder) AS invalidOrderCount,
            countIf(inFlight) AS inFlightCount, toString(maxIf(ageNs, inFlight)) AS oldestNs
     FROM measured
     GROUP BY a, b
     ORDER BY count DESC, a, b`,
    params,
  }
}

export async function stageDurations(store: StoreConnection, scope: StageDurationScope): Promise<StageDurations> {
  const { definition } = scope
  const clockName = scope.clock ?? 'wall'
  const { pairs, from: stagesFrom } = requestedStages(scope)
  const query = stageDurationsQuery(scope)
  if (query === undefined) return { clock: clockName, quantileMethod: 'exact', stagesFrom, stages: [] }
  const rows = await queryRows<StageRow>(store, query.sql, query.params, { tag: 'kpi.stage-durations' })
  const measuredStage = (row: StageRow | undefined, pair: StagePair): StageDuration => {
    const count = Number(row?.count ?? 0)
    const inFlight = Number(row?.inFlightCount ?? 0)
    const orNull = (v: number | null | undefined) => (count === 0 || v === null || v === undefined || Number.isNaN(v) ? null : v)
    return {
      from: pair.from,
      to: pair.to,
      count,
      meanSeconds: orNull(row?.mean),
      p50Seconds: orNull(row?.p50),
      p95Seconds: orNull(row?.p95),
      lowSample: count < definition.nMin,
      skipped: Number(row?.skippedCount ?? 0),
      skewed: Number(row?.skewedCount ?? 0),
      invalidOrder: Number(row?.invalidOrderCount ?? 0),
      inFlight,
      oldestInFlightSeconds: inFlight === 0 ? null : Number(row?.oldestNs ?? 0) / 1e9,
    }
  }
  const byPair = new Map(rows.map((r) => [JSON.stringify([r.a, r.b]), r]))
  // Listed stages keep the definition's (or the caller's) order, each present even with no data.
  const stages =
    stagesFrom === 'observed'
      ? rows.map((r) => measuredStage(r, { from: r.a, to: r.b }))
      : pairs.map((pair) => measuredStage(byPair.get(JSON.stringify([pair.from, pair.to])), pair))
  return { clock: clockName, quantileMethod: 'exact', stagesFrom, stages }
}
