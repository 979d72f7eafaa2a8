// Freshness of each source (kpis.md, integration KPIs): per system, the last record seen in
// otel_traces and otel_logs and `now - last seen`. A system is named three ways, each its own
// row: the emitting service, the business system of record, and an integration's source system.
import { BusinessAttr } from '../../core/semconv.ts'
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { KpiQuery } from './kpi-query.ts'

export const SYSTEM_KINDS = ['service', 'business_system', 'integration_source'] as const
/** service: service.name; business_system: business.system as set (no fallback); integration_source: integration.source.system. */
export type SystemKind = (typeof SYSTEM_KINDS)[number]

export interface FreshnessScope {
  /** The time ages are measured to. */
  readonly now: Date
  /** Only systems seen as this kind; unset: all kinds. */
  readonly kind?: SystemKind
}

export interface SourceFreshness {
  readonly kind: SystemKind
  readonly system: string
  /** Latest span end or log record time, RFC 3339 (milliseconds). */
  readonly lastSeen: string
  /** now - lastSeen in seconds; negative when the source's clock runs ahead of ours. */
  readonly ageSeconds: number
  /** When the latest-arriving record of the system reached the store. */
  readonly lastIngestedAt: string
}

interface FreshnessRow {
  kind: SystemKind
  system: string
  last_ns: string
  ingested_ms: string
}

// One scan per table: ARRAY JOIN turns each record into its (kind, system) names. business.system
// is read as set on the record, else its resource; the BusinessSystem column would fall back
// to the service name and repeat the service rows.
const namesOf = (attributes: 'SpanAttributes' | 'LogAttributes'): string => `
  [('service', toString(ServiceName)),
   ('business_system', if(${attributes}['${BusinessAttr.system}'] != '', ${attributes}['${BusinessAttr.system}'], ResourceAttributes['${BusinessAttr.system}'])),
   ('integration_source', toString(SourceSystem))] AS name`

const FRESHNESS_SQL = `
  SELECT kind, system, toString(max(last_ns)) AS last_ns, toString(max(ingested_ms)) AS ingested_ms
  FROM (
    SELECT name.1 AS kind, name.2 AS system, toUnixTimestamp64Nano(Timestamp) + toInt64(Duration) AS last_ns,
           toUnixTimestamp64Milli(IngestedAt) AS ingested_ms
    FROM otel_traces ARRAY JOIN ${namesOf('SpanAttributes')}
    WHERE name.2 != '' AND ({kind:String} = '' OR name.1 = {kind:String})
    UNION ALL
    SELECT name.1 AS kind, name.2 AS system, toUnixTimestamp64Nano(Timestamp) AS last_ns,
           toUnixTimestamp64Milli(IngestedAt) AS ingested_ms
    FROM otel_logs ARRAY JOIN ${namesOf('LogAttributes')}
    WHERE name.2 != '' AND ({kind:String} = '' OR name.1 = {kind:String})
  )
  GROUP BY kind, system
  ORDER BY kind, system`

const isoOfMs = (ms: bigint): string => new Date(Number(ms)).toISOString()

/** The SQL of sourceFreshness(): one row per (kind, system) with last_ns and ingested_ms (ages are taken in JS). */
export function sourceFreshnessQuery(kind?: SystemKind): KpiQuery {
  return { sql: FRESHNESS_SQL, params: { kind: kind ?? '' } }
}

/** One row per (kind, system) ever seen, ordered by kind, then system. */
export async function sourceFreshness(store: StoreConnection, scope: FreshnessScope): Promise<SourceFreshness[]> {
  const nowNs = BigInt(scope.now.getTime()) * 1_000_000n
  const query = sourceFreshnessQuery(scope.kind)
  const rows = await queryRows<FreshnessRow>(store, query.sql, query.params, { tag: 'kpi.source-freshness' })
  return rows.map((r) => {
    const lastNs = BigInt(r.last_ns)
    return {
      kind: r.kind,
      system: r.system,
      lastSeen: isoOfMs(lastNs / 1_000_000n),
      ageSeconds: Number(nowNs - lastNs) / 1e9,
      lastIngestedAt: isoOfMs(BigInt(r.ingested_ms)),
    }
  })
}
