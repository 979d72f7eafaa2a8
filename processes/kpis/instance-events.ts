// The one definition of "the events of an instance, in order" that the log KPIs share:
// business_events deduplicated (FINAL), grouped by the instance key, each instance's events
// ordered by (ts, observed_ts, event_id) as kpis.md says. Until key correlation lands (ADR
// 0004), an instance is one value of the root key type; events without it are left out.
import type { QueryParams } from '../../store/index.ts'

export interface LogScope {
  readonly process: string
  /** The key type that identifies an instance, e.g. `case_id` for an imported log. */
  readonly rootKey: string
  /** Half-open [from, to) on the events' business time; unset: all time. */
  readonly fromNs?: bigint
  readonly toNs?: bigint
}

/** The CTE `instances (instance, ordered)`; `ordered` is an array of (ts, observed_ts, event_id, milestone). */
export function instanceEventsCte(scope: LogScope): { readonly sql: string; readonly params: QueryParams } {
  return {
    sql: `instances AS (
      SELECT Keys[{rootKey:String}] AS instance,
             arraySort(e -> (e.1, e.2, e.3), groupArray((Ts, ObservedTs, EventId, Milestone))) AS ordered
      FROM business_events FINAL
      WHERE Process = {process:String} AND mapContains(Keys, {rootKey:String})
        AND toUnixTimestamp64Nano(Ts) >= {fromNs:Int64} AND toUnixTimestamp64Nano(Ts) < {toNs:Int64}
      GROUP BY instance
    )`,
    params: {
      process: scope.process,
      rootKey: scope.rootKey,
      // The whole Int64 range when no window is given.
      fromNs: (scope.fromNs ?? -9_223_372_036_854_775_808n).toString(),
      toNs: (scope.toNs ?? 9_223_372_036_854_775_807n).toString(),
    },
  }
}
