// K7, data-sync lag (source -> target), from the spans that carry sync.* attributes (their
// narrow copy in sync_events, filled at insert time: docs/adr/0006-sync-events-table.md):
// each source change matches the earliest apply of the same entity at version >= its own at
// the target; lag, coalescing, pending (missing_sync) changes. Semantics: docs/kpis/sync-lag.md.
import { queryRows, type QueryParams, type StoreConnection } from '../../store/index.ts'
import type { KpiQuery } from './kpi-query.ts'

/** L_max: an unmatched change older than this is pending (kpis.md K7). */
export const DEFAULT_MAX_PENDING_AGE_MS = 15 * 60_000
/** How far before and after the window the spans of a sync are looked for; bounds the scan. */
export const DEFAULT_SYNC_HORIZON_MS = 24 * 3_600_000

export interface SyncLagScope {
  /** Half-open [from, to) on the change time t_s, in Unix nanoseconds. */
  readonly fromNs: bigint
  readonly toNs: bigint
  /** The "now" of ages, pending and freshness (default: the wall clock). */
  readonly nowNs?: bigint
  readonly maxPendingAgeMs?: number
  readonly horizonMs?: number
  readonly sourceSystem?: string
  readonly targetSystem?: string
  readonly entityType?: string
  /** Only sync spans of this tenant (tenant.id on the span, else its resource); unset: every tenant. */
  readonly tenant?: string
}

export interface SyncLagPair {
  readonly sourceSystem: string
  readonly targetSystem: string
  readonly entityType: string
  /** Changes in the window expected at the target; echoes are not among them. */
  readonly changes: number
  readonly matched: number
  /** Matched changes whose apply also applied another change. */
  readonly coalesced: number
  /** Unmatched and older than L_max (missing_sync). */
  readonly pending: number
  /** Unmatched but not older than L_max. changes = matched + pending + inFlight. */
  readonly inFlight: number
  /** Changes that echo back what the source itself applied; left out of every other figure. */
  readonly echoes: number
  /** Exact quantiles, interpolated between ranks; null without a matched change. */
  readonly lagSeconds: { readonly p50: number | null; readonly p95: number | null; readonly max: number | null }
  /** now - oldest unmatched change; null when none is unmatched. */
  readonly replicationLagSeconds: number | null
  /** now - newest matched change; null without a matched change. */
  readonly freshnessSeconds: number | null
}

export interface PendingSync {
  readonly sourceSystem: string
  readonly targetSystem: string
  readonly entityType: string
  readonly entityId: string
  readonly version: number
  /** t_s in nanoseconds, as text (beyond a double's precision). */
  readonly changeTimeNs: string
  readonly ageSeconds: number
}

export interface PendingSyncPage {
  readonly total: number
  readonly pending: readonly PendingSync[]
}

const NS_PER_MS = 1_000_000n

function syncParams(scope: SyncLagScope): Record<string, string | number> {
  const horizonNs = BigInt(scope.horizonMs ?? DEFAULT_SYNC_HORIZON_MS) * NS_PER_MS
  return {
    fromNs: scope.fromNs.toString(),
    toNs: scope.toNs.toString(),
    scanFromNs: (scope.fromNs - horizonNs).toString(),
    scanToNs: (scope.toNs + horizonNs).toString(),
    nowNs: (scope.nowNs ?? BigInt(Date.now()) * NS_PER_MS).toString(),
    maxPendingNs: (BigInt(scope.maxPendingAgeMs ?? DEFAULT_MAX_PENDING_AGE_MS) * NS_PER_MS).toString(),
    sourceSystem: scope.sourceSystem ?? '',
    targetSystem: scope.targetSystem ?? '',
    entityType: scope.entityType ?? '',
    tenant: scope.tenant ?? '',
  }
}

/**
 * CTEs ending in `per_change`: one row per (change, target it is expected at) with `echo`,
 * `matched`, `lag_seconds` and `sharing` (changes matched to the same apply).
 *
 * `sync_spans` reads sync_events, one row per sync span of otel_traces (sync.side 'change' or
 * 'apply', an entity type, id and a numeric version; store/sql/sync_events_mv.sql), its
 * change time already parsed (sync.source.change_time as unix ns or a date-time, else the
 * span's end). The systems are otel_traces' MATERIALIZED columns, copied: SourceSystem and
 * TargetSystem are integration.{source,target}.system (span, else resource); BusinessSystem is
 * business.system (span, else resource), else service.name. A change's source: SourceSystem,
 * else BusinessSystem; an apply's target: TargetSystem, else BusinessSystem.
 *
 * ClickHouse inlines a CTE at every reference, so each is referenced as few times as it can
 * be: `expected` once (a change's targets are its named ones, else those of the `routes`
 * applies of its entity type came by, as one array), and the match of each expected change
 * (the earliest apply at its target of a version at least its own, from its source or from an
 * unnamed one; echoes match nothing) is the same grouped LEFT JOIN that gives per_change its rows.
 */
const MATCHES = "a.found = 1 AND NOT e.echo AND a.version >= e.version AND (a.apply_source = e.source OR a.apply_source = '')"

const PER_CHANGE_CTE = `
sync_spans AS (
  SELECT Side AS side, EntityType AS entity_type, EntityId AS entity_id, Version AS version, ChangeNs AS change_ns,
         EndNs AS end_ns, SourceSystem, TargetSystem, BusinessSystem
  FROM sync_events
  WHERE Timestamp >= fromUnixTimestamp64Nano({scanFromNs:Int64}) AND Timestamp < fromUnixTimestamp64Nano({scanToNs:Int64})
    AND ({entityType:String} = '' OR entity_type = {entityType:String})
    AND ({tenant:String} = '' OR Tenant = {tenant:String})
),
applies AS (
  SELECT if(TargetSystem != '', TargetSystem, BusinessSystem) AS target, SourceSystem AS apply_source,
         entity_type, entity_id, version, min(end_ns) AS applied_ns
  FROM sync_spans WHERE side = 'apply'
  GROUP BY target, apply_source, entity_type, entity_id, version
),
routes AS (SELECT DISTINCT (apply_source, target, entity_type) AS route FROM applies),
changes AS (
  SELECT source, entity_type, entity_id, version, min(change_ns) AS ts_ns,
         arrayFilter(t -> t != '' AND t != source, groupUniqArray(named_target)) AS named_targets,
         (source, entity_type, entity_id, version) IN (SELECT target, entity_type, entity_id, version FROM applies) AS echo
  FROM (
    SELECT if(SourceSystem != '', SourceSystem, BusinessSystem) AS source, TargetSystem AS named_target,
           entity_type, entity_id, version, change_ns
    FROM sync_spans WHERE side = 'change'
  )
  WHERE {sourceSystem:String} = '' OR source = {sourceSystem:String}
  GROUP BY source, entity_type, entity_id, version
  HAVING ts_ns >= {fromNs:Int64} AND ts_ns < {toNs:Int64}
),
expected AS (
  SELECT source, target, entity_type, entity_id, version, ts_ns, echo
  FROM changes
  ARRAY JOIN if(empty(named_targets),
                arrayDistinct(arrayMap(r -> r.2, arrayFilter(r -> r.3 = entity_type AND (r.1 = source OR r.1 = '') AND r.2 != source, (SELECT groupArray(route) FROM routes)))),
                named_targets) AS target
  WHERE {targetSystem:String} = '' OR target = {targetSystem:String}
),
per_change AS (
  SELECT source, target, entity_type, entity_id, version, ts_ns, echo, matched,
         greatest(0, apply.1 - ts_ns) / 1e9 AS lag_seconds,
         if(matched, count() OVER (PARTITION BY matched, target, entity_type, entity_id, apply), 0) AS sharing
  FROM (
    SELECT e.source AS source, e.target AS target, e.entity_type AS entity_type, e.entity_id AS entity_id, e.version AS version,
           any(e.ts_ns) AS ts_ns, any(e.echo) AS echo, countIf(${MATCHES}) > 0 AS matched,
           minIf((a.applied_ns, a.version, a.apply_source), ${MATCHES}) AS apply
    FROM expected AS e
    LEFT JOIN (SELECT *, 1 AS found FROM applies) AS a ON a.target = e.target AND a.entity_type = e.entity_type AND a.entity_id = e.entity_id
    GROUP BY e.source, e.target, e.entity_type, e.entity_id, e.version
  )
)`

interface PairRow {
  source: string
  target: string
  entity_type: string
  changes: string
  matched_count: string
  coalesced: string
  pending: string
  in_flight: string
  echoes: string
  p50: number | null
  p95: number | null
  max: number | null
  replication_lag: number | null
  freshness: number | null
}

const UNMATCHED = 'NOT echo AND NOT matched'
const PENDING = `${UNMATCHED} AND {nowNs:Int64} - ts_ns > {maxPendingNs:Int64}`

/** The SQL of syncLag(): one row per (source, target, entity_type). */
export function syncLagQuery(scope: SyncLagScope): KpiQuery {
  return {
    sql: `WITH ${PER_CHANGE_CTE}
     SELECT source, target, entity_type,
            countIf(NOT echo) AS changes, countIf(matched) AS matched_count, countIf(matched AND sharing > 1) AS coalesced,
            countIf(${PENDING}) AS pending, countIf(${UNMATCHED}) - pending AS in_flight, countIf(echo) AS echoes,
            if(matched_count = 0, NULL, quantileExactInclusiveIf(0.5)(lag_seconds, matched)) AS p50,
            if(matched_count = 0, NULL, quantileExactInclusiveIf(0.95)(lag_seconds, matched)) AS p95,
            if(matched_count = 0, NULL, maxIf(lag_seconds, matched)) AS max,
            if(countIf(${UNMATCHED}) = 0, NULL, ({nowNs:Int64} - minIf(ts_ns, ${UNMATCHED})) / 1e9) AS replication_lag,
            if(matched_count = 0, NULL, ({nowNs:Int64} - maxIf(ts_ns, matched)) / 1e9) AS freshness
     FROM per_change
     GROUP BY source, target, entity_type
     ORDER BY source, target, entity_type`,
    params: syncParams(scope),
  }
}

/** K7 per (source system, target system, entity type) over the changes of the window. */
export async function syncLag(store: StoreConnection, scope: SyncLagScope): Promise<SyncLagPair[]> {
  const query = syncLagQuery(scope)
  const rows = await queryRows<PairRow>(store, query.sql, query.params, { tag: 'kpi.sync-lag' })
  return rows.map((r) => ({
    sourceSystem: r.source,
    targetSystem: r.target,
    entityType: r.entity_type,
    changes: Number(r.changes),
    matched: Number(r.matched_count),
    coalesced: Number(r.coalesced),
    pending: Number(r.pending),
    inFlight: Number(r.in_flight),
    echoes: Number(r.echoes),
    lagSeconds: { p50: r.p50, p95: r.p95, max: r.max },
    replicationLagSeconds: r.replication_lag,
    freshnessSeconds: r.freshness,
  }))
}

interface PendingRow {
  source: string
  target: string
  entity_type: string
  entity_id: string
  version: string
  ts_ns: string
  age_seconds: number
  total: string
}

export interface PendingPageRequest {
  readonly limit: number
  readonly offset: number
}

const PENDING_ROWS = `per_change WHERE ${PENDING}`

/** The SQL of one page of pendingSyncs(): the pending changes oldest first, each row with the total. */
export function pendingSyncsQuery(scope: SyncLagScope, page: PendingPageRequest): KpiQuery {
  return {
    sql: `WITH ${PER_CHANGE_CTE}
     SELECT source, target, entity_type, entity_id, version, ts_ns, ({nowNs:Int64} - ts_ns) / 1e9 AS age_seconds, count() OVER () AS total
     FROM ${PENDING_ROWS}
     ORDER BY ts_ns, source, target, entity_type, entity_id, version
     LIMIT {limit:UInt32} OFFSET {offset:UInt64}`,
    params: { ...syncParams(scope), limit: page.limit, offset: page.offset },
  }
}

/** The pending (missing_sync) changes of the window, oldest first, one page of them. */
export async function pendingSyncs(store: StoreConnection, scope: SyncLagScope, page: PendingPageRequest): Promise<PendingSyncPage> {
  const query = pendingSyncsQuery(scope, page)
  const params: QueryParams = query.params
  const rows = await queryRows<PendingRow>(store, query.sql, params, { tag: 'kpi.sync-pending' })
  let total = Number(rows[0]?.total ?? 0)
  // A page past the end has no row to carry the total: count alone.
  if (rows.length === 0 && page.offset > 0) {
    const [count] = await queryRows<{ total: string }>(store, `WITH ${PER_CHANGE_CTE} SELECT count() AS total FROM ${PENDING_ROWS}`, params, {
      tag: 'kpi.sync-pending-count',
    })
    total = Number(count?.total ?? 0)
  }
  return {
    total,
    pending: rows.map((r) => ({
      sourceSystem: r.source,
      targetSystem: r.target,
      entityType: r.entity_type,
      entityId: r.entity_id,
      version: Number(r.version),
      changeTimeNs: r.ts_ns,
      ageSeconds: r.age_seconds,
    })),
  }
}
