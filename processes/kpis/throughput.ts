// K3, throughput, arrivals and WIP (kpis.md): per bucket (hour, day or week in the process's
// calendar timezone, DST-correct: a local day may last 23 or 25 hours) the instances that
// arrived (start milestone), completed, were cancelled or failed, and the work in progress at
// the bucket's end. Every bucket of the window is present, zeros included.
import { ErrorCode, ThroughlineError } from '../../core/errors.ts'
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { ProcessDefinition } from '../definitions/index.ts'
import { DEFAULT_LOOKBACK_NS, type KpiWindow } from './cycle-time.ts'
import { instanceFactsCte, type FactsSource } from './instance-facts.ts'
import type { InstanceFilter } from './instance-filter.ts'
import type { KpiQuery } from './kpi-query.ts'

export const THROUGHPUT_BUCKETS = ['hour', 'day', 'week'] as const
export type ThroughputBucketSize = (typeof THROUGHPUT_BUCKETS)[number]

/** The most buckets one query returns (a year of hours is 8,784). */
export const MAX_THROUGHPUT_BUCKETS = 10_000

export interface ThroughputScope {
  readonly definition: ProcessDefinition
  readonly window: KpiWindow
  readonly nowNs: bigint
  readonly bucket: ThroughputBucketSize
  /** How far before the window events are read, so instances open at its start count in WIP. */
  readonly lookbackNs?: bigint
  /** Instance facts from the events (default) or from the facts rollup (ADR 0005; "as of now" answers). */
  readonly facts?: FactsSource | undefined
  /** Only the instances that match (version, tenant, attributes). */
  readonly filter?: InstanceFilter | undefined
}

export interface ThroughputBucket {
  /** The bucket's local start and end as UTC instants (ISO 8601). */
  readonly start: string
  readonly end: string
  /** Instances whose start milestone is in the bucket (and the window). */
  readonly arrivals: number
  /** Instances that reached a `completed` terminal in the bucket. */
  readonly completions: number
  readonly cancelled: number
  readonly failed: number
  /** Open instances at `wipAt`; null for a bucket that starts after now. */
  readonly wip: number | null
  /** The bucket's end, or now for the bucket now falls in; null with `wip`. */
  readonly wipAt: string | null
  /**
   * K1 per bucket: the cycle times (wall clock, paused time taken off) of the instances that
   * completed in it with their start seen; exact quantiles in seconds, null without any.
   */
  readonly cycleTime: { readonly count: number; readonly p50: number | null; readonly p95: number | null; readonly lowSample: boolean }
}

export interface Throughput {
  readonly bucket: ThroughputBucketSize
  readonly timeZone: string
  readonly buckets: readonly ThroughputBucket[]
  readonly totals: { readonly arrivals: number; readonly completions: number; readonly cancelled: number; readonly failed: number }
}

interface BucketRow {
  startS: string
  endS: string
  arrivals: string
  completions: string
  cancelled: string
  failed: string
  wip: string
  timed: string
  ctP50: number | null
  ctP95: number | null
}

const NS_PER_MS = 1_000_000n
const NOMINAL_MS: Record<ThroughputBucketSize, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 }

/** SQL: the local start (DateTime in the zone) of the bucket holding the Int64 ns instant `x`. */
function bucketOf(size: ThroughputBucketSize, x: string): string {
  const t = `toDateTime(intDiv(${x}, 1000000000), {timeZone:String})`
  if (size === 'hour') return `toStartOfHour(${t})`
  if (size === 'day') return `toStartOfDay(${t})`
  return `toDateTime(toMonday(${t}), {timeZone:String})`
}

/** SQL: the start of the bucket `n` buckets after the DateTime `start`, in local time. */
function bucketAfter(size: ThroughputBucketSize, start: string, n: string): string {
  if (size === 'hour') return `addHours(${start}, ${n})`
  if (size === 'day') return `addDays(${start}, ${n})`
  return `addWeeks(${start}, ${n})`
}

/** The SQL of throughput(): one row per bucket (startS, endS, arrivals, completions, cancelled, failed, wip, timed, ctP50, ctP95). */
export function throughputQuery(scope: ThroughputScope): KpiQuery {
  const { definition, window, nowNs, bucket } = scope
  if (window.toNs <= window.fromNs) throw new ThroughlineError(ErrorCode.badRequest, 'throughput: the window is empty (to must be after from)', 400)
  // Upper bound on the buckets: a local day or week may be an hour short; one more for a
  // window that does not start on a bucket boundary.
  const spanMs = Number((window.toNs - window.fromNs) / NS_PER_MS)
  const maxBuckets = Math.ceil(spanMs / (NOMINAL_MS[bucket] - (bucket === 'hour' ? 0 : 3_600_000))) + 1
  if (Math.ceil(spanMs / NOMINAL_MS[bucket]) > MAX_THROUGHPUT_BUCKETS) {
    throw new ThroughlineError(
      ErrorCode.badRequest,
      `throughput: more than ${MAX_THROUGHPUT_BUCKETS} ${bucket} buckets in the window; use a larger bucket`,
      400,
    )
  }
  const lookback = scope.lookbackNs ?? DEFAULT_LOOKBACK_NS
  const facts = instanceFactsCte({
    definition,
    source: scope.facts,
    filter: scope.filter,
    eventsFromNs: window.fromNs - lookback,
    eventsToNs: window.toNs > nowNs ? window.toNs : nowNs + 1n,
  })
  const params = {
    ...facts.params,
    timeZone: definition.calendar.timeZone,
    windowFrom: window.fromNs.toString(),
    windowTo: window.toNs.toString(),
    now: nowNs.toString(),
    maxBuckets,
  }
  return {
    sql: `WITH ${facts.sql},
     -- WIP from the start milestone (else the first event seen: an instance whose start was
     -- not seen is still in progress) to the end: the terminal reached, or for an instance
     -- cancelled by status without a cancelling milestone, its last event.
     spans AS (
       SELECT startNs, coalesce(startNs, firstNs) AS wipFromNs,
              if(endNs IS NOT NULL, endNs, if(cancelled, lastNs, NULL)) AS closedNs,
              if(endNs IS NOT NULL, outcome, if(cancelled, 'cancelled', '')) AS closedAs,
              closedAs = 'completed' AND startNs IS NOT NULL AS timed,
              if(timed, assumeNotNull(closedNs) - assumeNotNull(startNs) - pausedNs, 0) AS cycleNs
       FROM facts
     ),
     series AS (
       SELECT ${bucketAfter(bucket, bucketOf(bucket, '{windowFrom:Int64}'), 'number')} AS bucketStart,
              ${bucketAfter(bucket, bucketOf(bucket, '{windowFrom:Int64}'), 'number + 1')} AS bucketEnd
       FROM numbers({maxBuckets:UInt32})
       WHERE toInt64(toUnixTimestamp(bucketStart)) * 1000000000 < {windowTo:Int64}
     ),
     arrivals AS (
       SELECT ${bucketOf(bucket, 'startNs')} AS b, count() AS n FROM spans
       WHERE startNs >= {windowFrom:Int64} AND startNs < {windowTo:Int64} GROUP BY b
     ),
     closures AS (
       SELECT ${bucketOf(bucket, 'closedNs')} AS b, countIf(closedAs = 'completed') AS completions,
              countIf(closedAs = 'cancelled') AS cancelled, countIf(closedAs = 'failed') AS failed,
              countIf(timed) AS timedCount, quantileExactInclusiveIf(0.5)(cycleNs, timed) / 1e9 AS ctP50,
              quantileExactInclusiveIf(0.95)(cycleNs, timed) / 1e9 AS ctP95
       FROM spans WHERE closedNs >= {windowFrom:Int64} AND closedNs < {windowTo:Int64} GROUP BY b
     ),
     -- WIP at instant e = #(wipFrom < e) - #(close < e); a close before its start (skew) counts
     -- at the start. Moves are bounded by now: the WIP of the bucket now falls in is the WIP now.
     moves AS (
       SELECT wipFromNs AS t, 1 AS d FROM spans WHERE wipFromNs < {now:Int64}
       UNION ALL
       SELECT greatest(assumeNotNull(closedNs), wipFromNs) AS t, -1 AS d FROM spans
       WHERE closedNs IS NOT NULL AND greatest(assumeNotNull(closedNs), wipFromNs) < {now:Int64}
     ),
     first_bucket AS (SELECT min(bucketStart) AS s FROM series),
     wip_before AS (SELECT sum(d) AS n FROM moves WHERE t < toInt64(toUnixTimestamp((SELECT s FROM first_bucket))) * 1000000000),
     wip_moves AS (
       SELECT ${bucketOf(bucket, 't')} AS b, sum(d) AS n FROM moves
       WHERE t >= toInt64(toUnixTimestamp((SELECT s FROM first_bucket))) * 1000000000 GROUP BY b
     )
     SELECT toString(toUnixTimestamp(s.bucketStart)) AS startS, toString(toUnixTimestamp(s.bucketEnd)) AS endS,
            ifNull(a.n, 0) AS arrivals, ifNull(c.completions, 0) AS completions, ifNull(c.cancelled, 0) AS cancelled, ifNull(c.failed, 0) AS failed,
            ifNull(c.timedCount, 0) AS timed, if(ifNull(c.timedCount, 0) = 0, NULL, c.ctP50) AS ctP50, if(ifNull(c.timedCount, 0) = 0, NULL, c.ctP95) AS ctP95,
            toString((SELECT ifNull(n, 0) FROM wip_before) + sum(ifNull(m.n, 0)) OVER (ORDER BY s.bucketStart ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS wip
     FROM series AS s
     LEFT JOIN arrivals AS a ON a.b = s.bucketStart
     LEFT JOIN closures AS c ON c.b = s.bucketStart
     LEFT JOIN wip_moves AS m ON m.b = s.bucketStart
     ORDER BY s.bucketStart`,
    params,
  }
}

export async function throughput(store: StoreConnection, scope: ThroughputScope): Promise<Throughput> {
  const { definition, nowNs, bucket } = scope
  const query = throughputQuery(scope)
  const rows = await queryRows<BucketRow>(store, query.sql, query.params, { tag: 'kpi.throughput' })
  const nowMs = Number(nowNs / NS_PER_MS)
  const buckets = rows.map((r): ThroughputBucket => {
    const [startMs, endMs] = [Number(r.startS) * 1000, Number(r.endS) * 1000]
    const started = startMs <= nowMs
    return {
      start: new Date(startMs).toISOString(),
      end: new Date(endMs).toISOString(),
      arrivals: Number(r.arrivals),
      completions: Number(r.completions),
      cancelled: Number(r.cancelled),
      failed: Number(r.failed),
      wip: started ? Number(r.wip) : null,
      wipAt: started ? new Date(Math.min(endMs, nowMs)).toISOString() : null,
      cycleTime: { count: Number(r.timed), p50: r.ctP50, p95: r.ctP95, lowSample: Number(r.timed) < definition.nMin },
    }
  })
  const sum = (pick: (b: ThroughputBucket) => number) => buckets.reduce((n, b) => n + pick(b), 0)
  return {
    bucket,
    timeZone: definition.calendar.timeZone,
    buckets,
    totals: { arrivals: sum((b) => b.arrivals), completions: sum((b) => b.completions), cancelled: sum((b) => b.cancelled), failed: sum((b) => b.failed) },
  }
}
