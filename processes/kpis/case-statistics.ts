// Instance (case) statistics of a process's event log: how many instances and events, the
// start and end activities, and case durations (last event - first event) with exact
// quantiles. One SQL definition, run by the API, the CLI and (later) dashboards.
import { queryRows, type StoreConnection } from '../../store/index.ts'
import { instanceEventsCte, type LogScope } from './instance-events.ts'

export interface ActivityCount {
  readonly activity: string
  readonly count: number
}

export interface CaseStatistics {
  readonly cases: number
  readonly events: number
  readonly activities: number
  /** Seconds; null when there is no case. Quantiles exact, interpolated between ranks. */
  readonly durationSeconds: {
    readonly min: number | null
    readonly p50: number | null
    readonly p90: number | null
    readonly max: number | null
    readonly mean: number | null
  }
  readonly startActivities: readonly ActivityCount[]
  readonly endActivities: readonly ActivityCount[]
}

interface Totals {
  cases: string
  events: string
  activities: string
  min: number | null
  p50: number | null
  p90: number | null
  max: number | null
  mean: number | null
  /** sumMap results: (activities, counts) of first and last activities. */
  starts: [string[], string[]]
  ends: [string[], string[]]
}

const perInstance = `per_instance AS (
  SELECT instance, length(ordered) AS n, arrayMap(e -> e.4, ordered) AS activities,
         ordered[1].4 AS first_activity, ordered[-1].4 AS last_activity,
         (toUnixTimestamp64Nano(ordered[-1].1) - toUnixTimestamp64Nano(ordered[1].1)) / 1e9 AS duration
  FROM instances
)`

/** Most frequent first, then by name: the order every consumer shows them in. */
function activityCounts([activities, counts]: [string[], string[]]): ActivityCount[] {
  return activities
    .map((activity, i) => ({ activity, count: Number(counts[i]) }))
    .sort((a, b) => b.count - a.count || (a.activity < b.activity ? -1 : a.activity > b.activity ? 1 : 0))
}

// One pass over the instances: the CTE groups every event of the process, so it is
// evaluated once, not once per figure.
export async function caseStatistics(store: StoreConnection, scope: LogScope): Promise<CaseStatistics> {
  const cte = instanceEventsCte(scope)
  const [totals] = await queryRows<Totals>(
    store,
    `WITH ${cte.sql}, ${perInstance}
     SELECT count() AS cases, sum(n) AS events, uniqExactArray(activities) AS activities,
            if(count() = 0, NULL, min(duration)) AS min,
            if(count() = 0, NULL, quantileExactInclusive(0.5)(duration)) AS p50,
            if(count() = 0, NULL, quantileExactInclusive(0.9)(duration)) AS p90,
            if(count() = 0, NULL, max(duration)) AS max,
            if(count() = 0, NULL, avg(duration)) AS mean,
            sumMap([first_activity], [toUInt64(1)]) AS starts,
            sumMap([last_activity], [toUInt64(1)]) AS ends
     FROM per_instance`,
    cte.params,
    { tag: 'kpi.case-statistics' },
  )
  return {
    cases: Number(totals?.cases ?? 0),
    events: Number(totals?.events ?? 0),
    activities: Number(totals?.activities ?? 0),
    durationSeconds: { min: totals?.min ?? null, p50: totals?.p50 ?? null, p90: totals?.p90 ?? null, max: totals?.max ?? null, mean: totals?.mean ?? null },
    startActivities: activityCounts(totals?.starts ?? [[], []]),
    endActivities: activityCounts(totals?.ends ?? [[], []]),
  }
}
