// One instance found by any of its business keys, with its timeline across systems: every
// business event of the instance in order, and behind each the span and log records it came
// from. Reads only what the instance touches (the KeyValues bloom filter, the trace-id
// index), so a lookup stays fast on a large store.
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { ProcessDefinition } from '../definitions/index.ts'
import { memberEventsCte } from './instance-events.ts'
import type { KpiQuery } from './kpi-query.ts'

export interface TimelineSpan {
  readonly name: string
  readonly service: string
  readonly kind: string
  readonly status: string
  readonly start: string
  readonly durationMs: number
}

export interface TimelineLog {
  readonly time: string
  readonly severity: string
  readonly body: string
}

export interface TimelineEvent {
  readonly eventId: string
  readonly time: string
  readonly observed: string
  readonly milestone: string
  readonly status: string
  readonly system: string
  readonly keys: Readonly<Record<string, string>>
  readonly traceId: string
  readonly spanId: string
  readonly source: string
  readonly span: TimelineSpan | null
  readonly logs: readonly TimelineLog[]
}

export interface InstanceTimeline {
  readonly instance: string
  readonly keys: readonly string[]
  readonly events: readonly TimelineEvent[]
}

/**
 * The instances whose events carry a key ('type=value', the root key or any other), one row
 * each with its first and last event, last milestone, event count and the traces behind it.
 * Membership is memberEventsCte's, so a key learnt through correlation finds its instance.
 */
export function instanceSearchQuery(definition: ProcessDefinition, node: string, window: { readonly fromNs: bigint; readonly toNs: bigint }): KpiQuery {
  const members = memberEventsCte({ process: definition.name, rootKey: definition.rootKey, fromNs: window.fromNs, toNs: window.toNs })
  return {
    sql: `WITH ${members.sql}
     SELECT instance, toString(min(Ts)) AS firstEvent, toString(max(Ts)) AS lastEvent, argMax(Milestone, (Ts, ObservedTs, EventId)) AS lastMilestone,
            count() AS events, arraySort(arrayFilter(t -> t != '', groupUniqArray(TraceId))) AS traceIds
     FROM member_events
     WHERE instance IN (SELECT instance FROM member_events WHERE has(arrayMap((k, v) -> concat(k, '=', v), mapKeys(Keys), mapValues(Keys)), {node:String}))
     GROUP BY instance
     ORDER BY firstEvent, instance`,
    params: { ...members.params, node },
  }
}

/** The instances a key ('type=value') belongs to: itself for a root key, else what correlation says. */
export async function instancesOfKey(store: StoreConnection, definition: ProcessDefinition, keyType: string, value: string): Promise<string[]> {
  if (keyType === definition.rootKey) {
    const rows = await queryRows<{ n: string }>(
      store,
      'SELECT count() AS n FROM business_events WHERE Process = {process:String} AND has(KeyValues, {node:String})',
      { process: definition.name, node: `${keyType}=${value}` },
      { tag: 'kpi.instance.root' },
    )
    return Number(rows[0]?.n ?? 0) > 0 ? [value] : []
  }
  const rows = await queryRows<{ Instances: string[] }>(
    store,
    'SELECT Instances FROM instance_keys FINAL WHERE Process = {process:String} AND Node = {node:String}',
    { process: definition.name, node: `${keyType}=${value}` },
    { tag: 'kpi.instance.lookup' },
  )
  return rows[0]?.Instances ?? []
}

interface EventRow {
  EventId: string
  time: string
  observed: string
  Milestone: string
  Status: string
  System: string
  Keys: Record<string, string>
  TraceId: string
  SpanId: string
  Source: string
}

const iso = (text: string): string => `${text.replace(' ', 'T')}Z`

/**
 * The business-time span of an instance's events from the facts rollup (a point read by its
 * sort key), so the event read below prunes the months it has no events in; undefined when
 * the rollup has no row for it (every month is read then). The deriver refreshes the row in the
 * pass that stores the instance's events, so only an event stored in that very pass, moments
 * before, can fall outside the span.
 */
async function eventSpanOf(
  store: StoreConnection,
  process: string,
  instance: string,
): Promise<{ readonly firstNs: string; readonly lastNs: string } | undefined> {
  const rows = await queryRows<{ firstNs: string; lastNs: string }>(
    store,
    `SELECT toString(FirstNs) AS firstNs, toString(LastNs) AS lastNs
     FROM instance_facts FINAL WHERE Process = {process:String} AND Instance = {instance:String} AND NOT Removed`,
    { process, instance },
    { tag: 'kpi.instance.span' },
  )
  return rows[0]
}

export async function instanceTimeline(store: StoreConnection, definition: ProcessDefinition, instance: string): Promise<InstanceTimeline> {
  const process = definition.name
  const span = await eventSpanOf(store, process, instance)
  const inSpan = span === undefined ? '' : ' AND Ts >= fromUnixTimestamp64Nano({firstNs:Int64}) AND Ts <= fromUnixTimestamp64Nano({lastNs:Int64})'
  const nodes = await queryRows<{ Node: string }>(
    store,
    // Candidates through the Instances bloom filter (any version), then the latest version of
    // each by its sort key: skip indexes cannot be trusted under FINAL (a newer version that
    // lost the instance would be skipped and the older one kept).
    `SELECT Node FROM instance_keys FINAL
     WHERE Process = {process:String}
       AND Node IN (SELECT Node FROM instance_keys WHERE Process = {process:String} AND has(Instances, {instance:String}))
       AND has(Instances, {instance:String})`,
    { process, instance },
    { tag: 'kpi.instance.nodes' },
  )
  const keyNodes = [`${definition.rootKey}=${instance}`, ...nodes.map((n) => n.Node).filter((n) => !n.startsWith('span='))]
  const spanNodes = nodes.map((n) => n.Node).filter((n) => n.startsWith('span='))
  const spanTraceIds = [...new Set(spanNodes.map((n) => n.slice('span='.length).split('/')[0] ?? ''))]
  const belongs = `(hasAny(KeyValues, {keyNodes:Array(String)})
       OR (Source = 'span' AND concat('span=', TraceId, '/', SpanId) IN {spanNodes:Array(String)})
       OR (notEmpty(Objects) AND arrayExists(o -> o.type = {rootKey:String} AND o.id = {instance:String}, Objects)))`
  // FINAL over the whole table would merge every part: first find the candidate event ids
  // through the skip indexes (the KeyValues bloom filter; the TraceId one for span nodes), then
  // FINAL reads only their granules (EventId is in the sort key) and the condition is applied
  // again to the latest version of each.
  const events = await queryRows<EventRow>(
    store,
    `SELECT EventId, toString(Ts) AS time, toString(ObservedTs) AS observed, Milestone, Status, System, Keys, TraceId, SpanId, Source
     FROM business_events FINAL
     WHERE Process = {process:String}${inSpan}
       AND EventId IN (
         SELECT EventId FROM business_events WHERE Process = {process:String}${inSpan} AND hasAny(KeyValues, {keyNodes:Array(String)})
         UNION ALL
         SELECT EventId FROM business_events
         WHERE Process = {process:String}${inSpan} AND TraceId IN {spanTraceIds:Array(String)} AND concat('span=', TraceId, '/', SpanId) IN {spanNodes:Array(String)}
         UNION ALL
         SELECT EventId FROM business_events
         WHERE Process = {process:String}${inSpan} AND notEmpty(Objects) AND arrayExists(o -> o.type = {rootKey:String} AND o.id = {instance:String}, Objects))
       AND ${belongs}
     ORDER BY Ts, ObservedTs, EventId
     -- FINAL within partitions (versions of an event id share its business time, so its
     -- partition): across them, FINAL reads every partition whatever the id set.
     SETTINGS do_not_merge_across_partitions_select_final = 1`,
    { process, keyNodes, spanNodes, spanTraceIds, rootKey: definition.rootKey, instance, ...(span ?? {}) },
    { tag: 'kpi.instance.events' },
  )
  const spanIds = events.filter((e) => e.SpanId !== '').map((e) => `${e.TraceId}/${e.SpanId}`)
  const traceIds = [...new Set(events.filter((e) => e.TraceId !== '').map((e) => e.TraceId))]
  const spans = new Map<string, TimelineSpan>()
  const logs = new Map<string, TimelineLog[]>()
  if (traceIds.length > 0) {
    // otel_traces_trace_id_ts bounds each trace in time, so the span read skips other parts.
    const spanRows = await queryRows<{
      id: string
      SpanName: string
      ServiceName: string
      SpanKind: string
      StatusCode: string
      start: string
      durationMs: number
    }>(
      store,
      `WITH bounds AS (SELECT min(Start) AS lo, max(End) AS hi FROM otel_traces_trace_id_ts WHERE TraceId IN {traceIds:Array(String)})
       SELECT concat(TraceId, '/', SpanId) AS id, SpanName, ServiceName, SpanKind, StatusCode, toString(Timestamp) AS start, Duration / 1e6 AS durationMs
       FROM otel_traces
       WHERE TraceId IN {traceIds:Array(String)} AND concat(TraceId, '/', SpanId) IN {spanIds:Array(String)}
         AND Timestamp >= (SELECT lo FROM bounds) AND Timestamp <= (SELECT hi FROM bounds) + INTERVAL 1 SECOND
       LIMIT 1 BY TraceId, SpanId`,
      { traceIds, spanIds },
      { tag: 'kpi.instance.spans' },
    )
    for (const r of spanRows)
      spans.set(r.id, { name: r.SpanName, service: r.ServiceName, kind: r.SpanKind, status: r.StatusCode, start: iso(r.start), durationMs: r.durationMs })
    const logRows = await queryRows<{ id: string; time: string; SeverityText: string; Body: string }>(
      store,
      `SELECT concat(TraceId, '/', SpanId) AS id, toString(Timestamp) AS time, SeverityText, Body FROM otel_logs
       WHERE TraceId IN {traceIds:Array(String)} AND concat(TraceId, '/', SpanId) IN {spanIds:Array(String)} ORDER BY Timestamp`,
      { traceIds, spanIds },
      { tag: 'kpi.instance.logs' },
    )
    for (const r of logRows) logs.set(r.id, [...(logs.get(r.id) ?? []), { time: iso(r.time), severity: r.SeverityText, body: r.Body }])
  }
  const allKeys = new Set<string>()
  for (const e of events) for (const [type, value] of Object.entries(e.Keys)) allKeys.add(`${type}=${value}`)
  return {
    instance,
    keys: [...allKeys].sort(),
    events: events.map((e) => {
      const id = `${e.TraceId}/${e.SpanId}`
      return {
        eventId: e.EventId,
        time: iso(e.time),
        observed: iso(e.observed),
        milestone: e.Milestone,
        status: e.Status,
        system: e.System,
        keys: e.Keys,
        traceId: e.TraceId,
        spanId: e.SpanId,
        source: e.Source,
        span: e.SpanId === '' ? null : (spans.get(id) ?? null),
        logs: e.SpanId === '' ? [] : (logs.get(id) ?? []),
      }
    }),
  }
}
