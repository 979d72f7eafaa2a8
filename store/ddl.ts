// Renders the store's DDL from the .sql templates beside this file (store/sql/). The only
// placeholders are table names, the ON CLUSTER clause, the engine and the TTL clause; the
// database and cluster names come from the validated config, are checked again and quoted.
import { readFileSync } from 'node:fs'
import type { Config } from '../core/config.ts'
import { ConfigError } from '../core/errors.ts'

/** Where and how the DDL is rendered: one database, optionally one cluster. */
export interface DdlTarget {
  readonly database: string
  /** Set: every statement runs ON CLUSTER, with Replicated engines behind Distributed tables. */
  readonly cluster?: string
  readonly retention: { readonly tracesDays: number; readonly logsDays: number }
}

/** The tables the store creates, under the names readers use (the exporter's names). */
export type StoreTable =
  | 'otel_traces'
  | 'otel_traces_trace_id_ts'
  | 'otel_logs'
  | 'schema_migrations'
  | 'business_events'
  | 'key_edges'
  | 'instance_keys'
  | 'instance_facts'
  | 'deriver_cursors'
  | 'alert_states'
  | 'alert_transitions'
  | 'alert_actions'
  | 'silences'
  | 'notification_log'
  | 'notification_groups'
  | 'alert_diagnostics'
  | 'sync_events'

export const TRACE_ID_TS_VIEW = 'otel_traces_trace_id_ts_mv'

/** The materialized views the store creates after TRACE_ID_TS_VIEW (each from one table into another). */
export type StoreView = 'sync_events_mv'

interface TableSpec {
  readonly template: string
  readonly engine: 'MergeTree' | 'AggregatingMergeTree' | 'ReplacingMergeTree'
  /** The engine's own arguments, e.g. the version column of a ReplacingMergeTree. */
  readonly engineArguments?: string
  /** The DateTime expression rows expire by, and which retention setting applies. */
  readonly ttl?: { readonly expression: string; readonly days: 'tracesDays' | 'logsDays' }
  /**
   * The Distributed table's sharding key. Always a function of the row, never rand(): a
   * retried batch must split across shards exactly as the first try did, or each shard's
   * dedup token would drop different rows. Spans, the per-trace time range and logs with a
   * TraceId shard by it, so a trace lives on one shard; logs without one by time and body.
   */
  readonly shardingKey: string
}

const tableSpecs: Readonly<Record<StoreTable, TableSpec>> = {
  otel_traces: {
    template: 'otel_traces.sql',
    engine: 'MergeTree',
    ttl: { expression: 'toDateTime(Timestamp)', days: 'tracesDays' },
    shardingKey: 'cityHash64(TraceId)',
  },
  otel_traces_trace_id_ts: {
    template: 'otel_traces_trace_id_ts.sql',
    engine: 'AggregatingMergeTree',
    ttl: { expression: 'Start', days: 'tracesDays' },
    shardingKey: 'cityHash64(TraceId)',
  },
  otel_logs: {
    template: 'otel_logs.sql',
    engine: 'MergeTree',
    ttl: { expression: 'TimestampTime', days: 'logsDays' },
    shardingKey: "if(TraceId != '', cityHash64(TraceId), cityHash64(Timestamp, Body))",
  },
  schema_migrations: { template: 'schema_migrations.sql', engine: 'ReplacingMergeTree', shardingKey: 'version' },
  // No TTL: business history is what baselines are computed from; retention comes with the KPIs.
  business_events: { template: 'business_events.sql', engine: 'ReplacingMergeTree', shardingKey: 'cityHash64(Process, EventId)' },
  // The correlation graph and its result; sharded by process so a component lives on one shard.
  key_edges: { template: 'key_edges.sql', engine: 'ReplacingMergeTree', shardingKey: 'cityHash64(Process)' },
  instance_keys: { template: 'instance_keys.sql', engine: 'ReplacingMergeTree', engineArguments: 'Version', shardingKey: 'cityHash64(Process)' },
  // A rollup of business_events per instance, rewritten by the deriver (processes/kpis/facts-rollup.ts).
  instance_facts: { template: 'instance_facts.sql', engine: 'ReplacingMergeTree', engineArguments: 'Version', shardingKey: 'cityHash64(Process, Instance)' },
  deriver_cursors: { template: 'deriver_cursors.sql', engine: 'ReplacingMergeTree', engineArguments: 'UpdatedAt', shardingKey: 'cityHash64(Process)' },
  // Alerting (issue 4): small tables, sharded so one alert's rows live together.
  alert_states: { template: 'alert_states.sql', engine: 'ReplacingMergeTree', engineArguments: 'Version', shardingKey: 'cityHash64(Fingerprint)' },
  alert_transitions: { template: 'alert_transitions.sql', engine: 'MergeTree', shardingKey: 'cityHash64(Fingerprint)' },
  alert_actions: { template: 'alert_actions.sql', engine: 'MergeTree', shardingKey: 'cityHash64(Fingerprint)' },
  silences: { template: 'silences.sql', engine: 'ReplacingMergeTree', engineArguments: 'Version', shardingKey: 'cityHash64(SilenceId)' },
  notification_log: { template: 'notification_log.sql', engine: 'ReplacingMergeTree', engineArguments: 'Version', shardingKey: 'cityHash64(IdempotencyKey)' },
  notification_groups: {
    template: 'notification_groups.sql',
    engine: 'ReplacingMergeTree',
    engineArguments: 'Version',
    shardingKey: 'cityHash64(Receiver, GroupKey)',
  },
  alert_diagnostics: { template: 'alert_diagnostics.sql', engine: 'MergeTree', shardingKey: 'cityHash64(EpisodeId)' },
  // The sync spans of otel_traces, narrow and typed (ADR 0006): same TTL, same shard as the span
  // (the view writes the local table of the span's shard; the backfill goes by the same key).
  sync_events: {
    template: 'sync_events.sql',
    engine: 'MergeTree',
    ttl: { expression: 'toDateTime(Timestamp)', days: 'tracesDays' },
    shardingKey: 'cityHash64(TraceId)',
  },
}

interface ViewSpec {
  readonly template: string
  /** The SELECT template the view runs over its source ({{source}}), shared with its backfill. */
  readonly select: string
  readonly source: StoreTable
  readonly target: StoreTable
}

const viewSpecs: Readonly<Record<StoreView, ViewSpec>> = {
  sync_events_mv: { template: 'sync_events_mv.sql', select: 'sync_events_select.sql', source: 'otel_traces', target: 'sync_events' },
}

export const DISTRIBUTED_TEMPLATE = 'distributed.sql'
export const DATABASE_TEMPLATE = 'database.sql'
export const TRACE_ID_TS_VIEW_TEMPLATE = 'otel_traces_trace_id_ts_mv.sql'

// The same patterns as the config schema; checked again because these names are spliced.
const DATABASE_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/
const CLUSTER_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/
const TABLE_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/
const TEMPLATE_NAME_PATTERN = /^[a-z0-9_]+\.sql$/

export function ddlTarget(config: Pick<Config, 'clickhouse' | 'retention'>): DdlTarget {
  const { database, cluster } = config.clickhouse
  if (!DATABASE_PATTERN.test(database)) throw new ConfigError(`clickhouse.database: not a plain identifier: ${JSON.stringify(database)}`)
  if (cluster !== undefined && !CLUSTER_PATTERN.test(cluster)) {
    throw new ConfigError(`clickhouse.cluster: not a plain cluster name: ${JSON.stringify(cluster)}`)
  }
  for (const [key, days] of Object.entries(config.retention)) {
    if (!Number.isSafeInteger(days) || days < 0) throw new ConfigError(`retention.${key}: must be a whole number of days >= 0`)
  }
  const retention = { tracesDays: config.retention.tracesDays, logsDays: config.retention.logsDays }
  return cluster === undefined ? { database, retention } : { database, cluster, retention }
}

const templateCache = new Map<string, string>()

/** The raw text of a template in store/sql/, as checked in (migrations checksum it). */
export function sqlTemplate(name: string): string {
  if (!TEMPLATE_NAME_PATTERN.test(name)) throw new Error(`not a store/sql template name: ${name}`)
  let text = templateCache.get(name)
  if (text === undefined) {
    text = readFileSync(new URL(`./sql/${name}`, import.meta.url), 'utf8')
    templateCache.set(name, text)
  }
  return text
}

/** The templates one table's creation reads (for checksums: independent of the target). */
export function tableTemplates(table: StoreTable): readonly string[] {
  return [tableSpecs[table].template, DISTRIBUTED_TEMPLATE]
}

/**
 * Fills `{{name}}` placeholders. Comment lines are dropped and so are lines left empty by an
 * empty placeholder (no TTL), so the rendered statement reads like hand-written SQL. A
 * placeholder without a value is a bug in the caller, so it throws.
 */
export function renderSql(template: string, values: Readonly<Record<string, string>>): string {
  const lines: string[] = []
  for (const line of template.split('\n')) {
    if (line.trimStart().startsWith('--')) continue
    // An empty value takes the space before it along: no double spaces where ON CLUSTER was.
    const rendered = line
      .replace(/( ?)\{\{(\w+)\}\}/g, (_match, space: string, name: string) => {
        const value = values[name]
        if (value === undefined) throw new Error(`no value for placeholder {{${name}}}`)
        return value === '' ? '' : `${space}${value}`
      })
      .trimEnd()
    if (rendered.trim() !== '') lines.push(rendered)
  }
  return lines.join('\n')
}

const quoteIdentifier = (name: string): string => `\`${name}\``
const quoteString = (text: string): string => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`

/** Where rows physically live: `<table>_local` in cluster mode, the table itself otherwise. */
export function localTableName(table: StoreTable, target: DdlTarget): string {
  return target.cluster === undefined ? table : `${table}_local`
}

export function qualifiedName(table: string, target: Pick<DdlTarget, 'database'>): string {
  if (!TABLE_PATTERN.test(table)) throw new Error(`not a plain table name: ${JSON.stringify(table)}`)
  return `${quoteIdentifier(target.database)}.${quoteIdentifier(table)}`
}

export function onClusterClause(target: DdlTarget): string {
  return target.cluster === undefined ? '' : `ON CLUSTER ${quoteString(target.cluster)}`
}

function engineClause(table: StoreTable, target: DdlTarget): string {
  const { engine, engineArguments } = tableSpecs[table]
  if (target.cluster === undefined) return engineArguments === undefined ? engine : `${engine}(${engineArguments})`
  // {shard}, {replica} are server macros; {database} is expanded by ClickHouse itself.
  const path = `/clickhouse/tables/{shard}/{database}/${localTableName(table, target)}`
  const extra = engineArguments === undefined ? '' : `, ${engineArguments}`
  return `Replicated${engine}(${quoteString(path)}, '{replica}'${extra})`
}

function ttlClause(table: StoreTable, target: DdlTarget): string {
  const { ttl } = tableSpecs[table]
  if (ttl === undefined) return ''
  const days = target.retention[ttl.days]
  return days > 0 ? `TTL ${ttl.expression} + toIntervalDay(${days})` : ''
}

export function createDatabaseSql(target: DdlTarget): string {
  return renderSql(sqlTemplate(DATABASE_TEMPLATE), {
    database: quoteIdentifier(target.database),
    onCluster: onClusterClause(target),
  })
}

/** CREATE TABLE for one table: the table itself, or in cluster mode its local table and then the Distributed table. */
export function createTableSql(table: StoreTable, target: DdlTarget): string[] {
  const spec = tableSpecs[table]
  const local = qualifiedName(localTableName(table, target), target)
  const statements = [
    renderSql(sqlTemplate(spec.template), {
      table: local,
      onCluster: onClusterClause(target),
      engine: engineClause(table, target),
      ttl: ttlClause(table, target),
    }),
  ]
  if (target.cluster !== undefined) {
    const engine = `Distributed(${[target.cluster, target.database, localTableName(table, target)].map(quoteString).join(', ')}, ${spec.shardingKey})`
    statements.push(
      renderSql(sqlTemplate(DISTRIBUTED_TEMPLATE), {
        table: qualifiedName(table, target),
        onCluster: onClusterClause(target),
        local,
        engine,
      }),
    )
  }
  return statements
}

/** The exporter's materialized view from otel_traces into otel_traces_trace_id_ts (shard-local in cluster mode). */
export function createTraceIdTsViewSql(target: DdlTarget): string {
  return renderSql(sqlTemplate(TRACE_ID_TS_VIEW_TEMPLATE), {
    table: qualifiedName(TRACE_ID_TS_VIEW, target),
    onCluster: onClusterClause(target),
    source: qualifiedName(localTableName('otel_traces', target), target),
    target: qualifiedName(localTableName('otel_traces_trace_id_ts', target), target),
  })
}

/** The templates one view's creation reads (for checksums). */
export function viewTemplates(view: StoreView): readonly string[] {
  return [viewSpecs[view].template, viewSpecs[view].select]
}

/** CREATE MATERIALIZED VIEW for one view: from the local source table into the local target table in cluster mode, so each shard's view sees the rows its shard stores. */
export function createViewSql(view: StoreView, target: DdlTarget): string {
  const spec = viewSpecs[view]
  return renderSql(sqlTemplate(spec.template), {
    table: qualifiedName(view, target),
    onCluster: onClusterClause(target),
    target: qualifiedName(localTableName(spec.target, target), target),
    select: renderSql(sqlTemplate(spec.select), { source: qualifiedName(localTableName(spec.source, target), target) }),
  })
}

/**
 * A one-time INSERT ... SELECT template (placeholders {{table}}, {{select}}: the `select`
 * template over {{source}}): from the source table into the table, both under the names
 * readers use (the Distributed tables in cluster mode, so the rows go to the shards by the
 * table's sharding key). Not ON CLUSTER: it runs once.
 */
export function backfillSql(table: StoreTable, source: StoreTable, template: string, select: string, target: DdlTarget): string {
  return renderSql(sqlTemplate(template), {
    table: qualifiedName(table, target),
    select: renderSql(sqlTemplate(select), { source: qualifiedName(source, target) }),
  })
}

/**
 * A later migration's ALTER TABLE template (placeholders {{table}}, {{onCluster}}), rendered
 * for the local table and, in cluster mode, for the Distributed table as well, so both see
 * a new column (`ADD COLUMN IF NOT EXISTS` keeps it idempotent).
 */
export function alterTableSql(table: StoreTable, template: string, target: DdlTarget, only: 'local' | 'all' = 'all'): string[] {
  const names = target.cluster === undefined || only === 'local' ? [localTableName(table, target)] : [localTableName(table, target), table]
  return names.map((name) => renderSql(sqlTemplate(template), { table: qualifiedName(name, target), onCluster: onClusterClause(target) }))
}
