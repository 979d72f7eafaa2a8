// K1, end-to-end cycle time (kpis.md): start = first start milestone, end = first terminal
// milestone reached (completed outcome), CT = end - start on the wall clock or the business
// calendar. Completion cohort: instances that completed in the window, exact quantiles.
// Start cohort: instances that started in the window, with Kaplan-Meier percentiles so the
// ones still open count (right-censored at now - start); a percentile the curve never reaches
// is reported as ">= the longest age seen" with the censored count. Cancelled and failed
// instances, and those whose start was never seen (left-censored), are counted apart.
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { Clock, ProcessDefinition } from '../definitions/index.ts'
import { clockSql } from './business-time.ts'
import { instanceFactsCte, type FactsSource } from './instance-facts.ts'
import type { InstanceFilter } from './instance-filter.ts'
import type { KpiQuery } from './kpi-query.ts'

export interface KpiWindow {
  readonly fromNs: bigint
  readonly toNs: bigint
}

export interface CycleTimeScope {
  readonly definition: ProcessDefinition
  readonly window: KpiWindow
  readonly nowNs: bigint
  readonly clock?: Clock
  /** How far before the window events are read, so instances that started earlier are whole. */
  readonly lookbackNs?: bigint
  /** Instance facts from the events (default) or from the facts rollup (ADR 0005; "as of now" answers). */
  readonly facts?: FactsSource | undefined
  /** Only the instances that match (version, tenant, attributes). */
  readonly filter?: InstanceFilter | undefined
}

export interface DurationStats {
  readonly count: number
  readonly mean: number | null
  readonly p50: number | null
  readonly p90: number | null
  readonly p95: number | null
  readonly p99: number | null
}

export type KmPercentile =
  | { readonly reached: true; readonly seconds: number }
  /** The curve stays above 1 - p: the percentile is at least the longest time observed. */
  | { readonly reached: false; readonly atLeastSeconds: number }

export interface CycleTime {
  readonly completion: DurationStats & { readonly leftCensored: number; readonly cancelled: number; readonly failed: number }
  readonly start: {
    readonly started: number
    readonly completed: number
    readonly censored: number
    readonly cancelled: number
    readonly failed: number
    readonly percentiles: { readonly p50: KmPercentile | null; readonly p90: KmPercentile | null; readonly p95: KmPercentile | null }
  }
}

export const DEFAULT_LOOKBACK_NS = 90n * 86_400n * 1_000_000_000n
const NS_PER_S = 1e9

interface CompletionRow {
  count: string
  mean: number | null
  p50: number | null
  p90: number | null
  p95: number | null
  p99: number | null
  leftCensored: string
  cancelled: string
  failed: string
}

interface KmRow {
  started: string
  completed: string
  censored: string
  cancelled: string
  failed: string
  /** (duration ns, survival after it) at each completion time, ascending. */
  curve: Array<[string, number]>
  maxAgeNs: string
}

function kmPercentile(curve: ReadonlyArray<[string, number]>, p: number, maxAgeNs: number, started: number): KmPercentile | null {
  if (started === 0) return null
  // Tolerance for float products: 1 - S reaching 0.95 as 0.9499999999.
  const hit = curve.find(([, survival]) => 1 - survival >= p - 1e-9)
  return hit !== undefined ? { reached: true, seconds: Number(hit[0]) / NS_PER_S } : { reached: false, atLeastSeconds: maxAgeNs / NS_PER_S }
}

/** The facts, clock and parameters both cycle-time queries share. */
function cycleTimeParts(scope: CycleTimeScope) {
  const { definition, window } = scope
  const lookback = scope.lookbackNs ?? DEFAULT_LOOKBACK_NS
  const facts = instanceFactsCte({
    definition,
    source: scope.facts,
    filter: scope.filter,
    eventsFromNs: window.fromNs - lookback,
    eventsToNs: window.toNs > scope.nowNs ? window.toNs : scope.nowNs + 1n,
  })
  const clock = clockSql(
    scope.clock ?? 'wall',
    definition.calendar,
    Number((window.fromNs - lookback) / 1_000_000n),
    Number(scope.nowNs / 1_000_000n) + 86_400_000,
  )
  const params = { ...facts.params, ...clock.params, windowFrom: window.fromNs.toString(), windowTo: window.toNs.toString(), now: scope.nowNs.toString() }
  // Paused time does not count (kpis.md K1); on the business clock the whole paused span is
  // taken off, working or not (a documented approximation).
  const ct = `(${clock.between('startNs', 'endNs')} - pausedNs)`
  return { facts, clock, params, ct }
}

/** The SQL of the completion cohort: one row (count, mean, p50, p90, p95, p99 in seconds, leftCensored, cancelled, failed). */
export function cycleTimeCompletionQuery(scope: CycleTimeScope): KpiQuery {
  const { facts, params, ct } = cycleTimeParts(scope)
  return {
    sql: `WITH ${facts.sql},
     ended AS (SELECT * FROM facts WHERE endNs >= {windowFrom:Int64} AND endNs < {windowTo:Int64})
     SELECT countIf(outcome = 'completed' AND startNs IS NOT NULL) AS count,
            avgIf(${ct}, outcome = 'completed' AND startNs IS NOT NULL) / 1e9 AS mean,
            quantileExactInclusiveIf(0.5)(${ct}, outcome = 'completed' AND startNs IS NOT NULL) / 1e9 AS p50,
            quantileExactInclusiveIf(0.9)(${ct}, outcome = 'completed' AND startNs IS NOT NULL) / 1e9 AS p90,
            quantileExactInclusiveIf(0.95)(${ct}, outcome = 'completed' AND startNs IS NOT NULL) / 1e9 AS p95,
            quantileExactInclusiveIf(0.99)(${ct}, outcome = 'completed' AND startNs IS NOT NULL) / 1e9 AS p99,
            countIf(outcome = 'completed' AND startNs IS NULL) AS leftCensored,
            countIf(outcome = 'cancelled') AS cancelled,
            countIf(outcome = 'failed') AS failed
     FROM ended`,
    params,
  }
}

export async function cycleTime(store: StoreConnection, scope: CycleTimeScope): Promise<CycleTime> {
  const { facts, clock, params, ct } = cycleTimeParts(scope)
  const completionQuery = cycleTimeCompletionQuery(scope)
  const [completion] = await queryRows<CompletionRow>(store, completionQuery.sql, completionQuery.params, { tag: 'kpi.cycle-time.completion' })
  const n = Number(completion?.count ?? 0)
  const orNull = (v: number | null | undefined) => (n === 0 || v === null || v === undefined || Number.isNaN(v) ? null : v)

  // Kaplan-Meier over the start cohort, reading the facts once: the observed instances sorted
  // by duration, completions before censorings at the same duration (those are still at risk
  // then). The i-th of n is at risk with n - i + 1 others; a completion multiplies S by
  // 1 - 1 / at risk. Completions tied at one duration, taken one after another, give the same
  // product as 1 - d / n for the group, so each completion's (duration, S) is a curve point.
  const [km] = await queryRows<KmRow>(
    store,
    `WITH ${facts.sql},
     cohort AS (
       SELECT outcome = 'completed' AND endNs <= {now:Int64} AS done,
              if(done, ${ct}, ${clock.between('startNs', '{now:Int64}')} - pausedNs - if(pausedSinceNs IS NULL, 0, {now:Int64} - pausedSinceNs)) AS duration, outcome
       FROM facts WHERE startNs >= {windowFrom:Int64} AND startNs < {windowTo:Int64}
     ),
     counted AS (
       SELECT count() AS started, countIf(outcome = 'cancelled') AS cancelled, countIf(outcome = 'failed') AS failed,
              -- (duration, censored): false sorts first, so completions come before censorings.
              arraySort(groupArrayIf((assumeNotNull(duration), NOT done), outcome NOT IN ('cancelled', 'failed'))) AS observed
       FROM cohort
     ),
     survival AS (
       SELECT *, length(observed) AS n,
              arrayMap(x -> exp(x), arrayCumSum(arrayMap((o, i) -> if(o.2, 0, log(1 - 1 / (n - i + 1))), observed, arrayEnumerate(observed)))) AS s
       FROM counted
     )
     SELECT started, cancelled, failed, arrayCount(o -> NOT o.2, observed) AS completed, arrayCount(o -> o.2, observed) AS censored,
            arrayMap(x -> (x.1, x.2), arrayFilter(x -> x.3, arrayMap((o, v) -> (toString(o.1), v, NOT o.2), observed, s))) AS curve,
            toString(if(n = 0, 0, observed[n].1)) AS maxAgeNs
     FROM survival`,
    params,
    { tag: 'kpi.cycle-time.start-cohort' },
  )
  const started = Number(km?.started ?? 0) - Number(km?.cancelled ?? 0) - Number(km?.failed ?? 0)
  const curve = (km?.curve ?? []).map(([d, s]): [string, number] => [d, s])
  const maxAge = Number(km?.maxAgeNs ?? 0)
  return {
    completion: {
      count: n,
      mean: orNull(completion?.mean),
      p50: orNull(completion?.p50),
      p90: orNull(completion?.p90),
      p95: orNull(completion?.p95),
      p99: orNull(completion?.p99),
      leftCensored: Number(completion?.leftCensored ?? 0),
      cancelled: Number(completion?.cancelled ?? 0),
      failed: Number(completion?.failed ?? 0),
    },
    start: {
      started: Number(km?.started ?? 0),
      completed: Number(km?.completed ?? 0),
      censored: Number(km?.censored ?? 0),
      cancelled: Number(km?.cancelled ?? 0),
      failed: Number(km?.failed ?? 0),
      percentiles: {
        p50: kmPercentile(curve, 0.5, maxAge, started),
        p90: kmPercentile(curve, 0.9, maxAge, started),
        p95: kmPercentile(curve, 0.95, maxAge, started),
      },
    },
  }
}
