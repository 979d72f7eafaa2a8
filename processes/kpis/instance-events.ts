// The one definition of "the events of an instance" that every instance KPI shares (kpis.md,
// ADR 0004): business_events deduplicated on event id (FINAL), each event assigned to its
// instances, and ordered within an instance by (ts, observed_ts, event_id).
//
// An event belongs to the instances whose root key it carries (its Keys, or OCEL objects of
// the root type); an event without one (a delivery, an invoice, a batch span) belongs to the
// instances the correlator last computed for its keys and its span (instance_keys). Events of
// components with no root key yet belong to no instance until the root arrives.
import type { QueryParams } from '../../store/index.ts'

export interface LogScope {
  readonly process: string
  /** The key type that identifies an instance, e.g. `order_id` (or `case_id` for an imported log). */
  readonly rootKey: string
  /** Half-open [from, to) on the events' business time; unset: all time. */
  readonly fromNs?: bigint
  readonly toNs?: bigint
  /**
   * Only the events of these instances (their root key values): the facts rollup recomputes the
   * instances a derive pass touched. Events are kept when they name one of them or carry a
   * node instance_keys assigns to one of them.
   */
  readonly instances?: readonly string[]
  /**
   * Where `instances` (instanceEventsCte) come from: the events (default), or the traces the
   * facts rollup keeps per instance (ADR 0005), far cheaper. Only for a defined process whose
   * rollup the deriver keeps, with its definition's root key: the same instances, each with
   * its events of the window in the same order.
   */
  readonly source?: 'events' | 'rollup' | undefined
}

/** Columns of `member_events`, one row per (instance, event). */
export const MEMBER_EVENT_COLUMNS =
  'EventId, Ts, ObservedTs, Milestone, Status, System, Keys, Attrs, OperationId, Attempt, TraceId, SpanId, Source, ProcessVersion'

const INT64_MIN = -9_223_372_036_854_775_808n
const INT64_MAX = 9_223_372_036_854_775_807n

export function scopeParams(scope: LogScope): Record<string, string | readonly string[]> {
  return {
    process: scope.process,
    rootKey: scope.rootKey,
    // The whole Int64 range when no window is given.
    fromNs: (scope.fromNs ?? INT64_MIN).toString(),
    toNs: (scope.toNs ?? INT64_MAX).toString(),
    ...(scope.instances !== undefined ? { instances: scope.instances } : {}),
  }
}

/** The condition on scoped_events' `direct` and `nodes` that keeps only scope.instances. */
function instancesCondition(scope: LogScope): string {
  if (scope.instances === undefined) return ''
  return `
        AND (hasAny(direct, {instances:Array(String)})
             OR hasAny(nodes, (SELECT groupArray(Node) FROM instance_keys FINAL
                               WHERE Process = {process:String} AND hasAny(Instances, {instances:Array(String)}))))`
}

/**
 * The CTEs `scoped_events` and `member_events (instance, <MEMBER_EVENT_COLUMNS>)`. Two
 * branches: events that name their instance, and events resolved through instance_keys.
 */
export function memberEventsCte(scope: LogScope): { readonly sql: string; readonly params: QueryParams } {
  return {
    sql: `scoped_events AS (
      SELECT ${MEMBER_EVENT_COLUMNS},
             arrayDistinct(arrayConcat(if(mapContains(Keys, {rootKey:String}), [Keys[{rootKey:String}]], []),
                                       arrayMap(o -> o.id, arrayFilter(o -> o.type = {rootKey:String}, Objects)))) AS direct,
             arrayConcat(KeyValues, if(Source = 'span', [concat('span=', TraceId, '/', SpanId)], [])) AS nodes
      FROM business_events FINAL
      WHERE Process = {process:String}
        AND toUnixTimestamp64Nano(Ts) >= {fromNs:Int64} AND toUnixTimestamp64Nano(Ts) < {toNs:Int64}${instancesCondition(scope)}
      -- The versions of one event id share its business time, so they share a partition: FINAL
      -- within partitions dedupes them all and lets the window prune the other months.
      SETTINGS do_not_merge_across_partitions_select_final = 1
    ),
    member_events AS (
      SELECT arrayJoin(direct) AS instance, ${MEMBER_EVENT_COLUMNS} FROM scoped_events WHERE notEmpty(direct)
      UNION ALL
      SELECT arrayJoin(instances) AS instance, ${MEMBER_EVENT_COLUMNS}
      FROM (
        SELECT EventId, any(Ts) AS Ts, any(ObservedTs) AS ObservedTs, any(Milestone) AS Milestone, any(Status) AS Status,
               any(System) AS System, any(Keys) AS Keys, any(Attrs) AS Attrs, any(OperationId) AS OperationId,
               any(Attempt) AS Attempt, any(TraceId) AS TraceId, any(SpanId) AS SpanId, any(Source) AS Source, any(ProcessVersion) AS ProcessVersion,
               arrayDistinct(arrayFlatten(groupArray(resolved.Instances))) AS instances
        FROM (SELECT * FROM scoped_events WHERE empty(direct)) AS unresolved
        ARRAY JOIN unresolved.nodes AS node
        INNER JOIN (SELECT Node, Instances FROM instance_keys FINAL WHERE Process = {process:String}) AS resolved ON node = resolved.Node
        GROUP BY EventId
      )
    )`,
    params: scopeParams(scope),
  }
}

/** The CTEs above plus `instances (instance, ordered)`; `ordered` is an array of (ts, observed_ts, event_id, milestone). */
export function instanceEventsCte(scope: LogScope): { readonly sql: string; readonly params: QueryParams } {
  if (scope.source === 'rollup') return rollupTracesCte(scope)
  const members = memberEventsCte(scope)
  return {
    sql: `${members.sql},
    instances AS (
      SELECT instance, arraySort(e -> (e.1, e.2, e.3), groupArray((Ts, ObservedTs, EventId, Milestone))) AS ordered
      FROM member_events
      GROUP BY instance
    )`,
    params: members.params,
  }
}

/**
 * `instances` from the facts rollup: each instance's trace (its events in (ts, observed_ts,
 * event_id) order) cut to the window. The trace keeps no observed time or event id, so those
 * two fields are the event's time and ''; they only ordered the events, which the trace is.
 */
function rollupTracesCte(scope: LogScope): { readonly sql: string; readonly params: QueryParams } {
  return {
    sql: `instances AS (
      SELECT instance, arrayMap(e -> (fromUnixTimestamp64Nano(e.1), fromUnixTimestamp64Nano(e.1), '', e.2),
                                arrayFilter(e -> e.1 >= {fromNs:Int64} AND e.1 < {toNs:Int64}, trace)) AS ordered
      FROM (
        SELECT Instance AS instance, CAST(Trace, 'Array(Tuple(Int64, String))') AS trace
        FROM instance_facts FINAL
        WHERE Process = {process:String} AND NOT Removed AND LastNs >= {fromNs:Int64} AND FirstNs < {toNs:Int64}
      )
      WHERE notEmpty(ordered)
    )`,
    params: scopeParams(scope),
  }
}
