// The DDL renderer as text: TTL only with a retention, the cluster variant (ON CLUSTER,
// Replicated engine paths, Distributed tables, the view on the local tables), and names that
// are refused before they reach SQL. That the plain variant runs is tested on chDB elsewhere.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../core/errors.ts'
import { SyncAttr } from '../../core/semconv.ts'
import {
  backfillSql,
  createDatabaseSql,
  createTableSql,
  createTraceIdTsViewSql,
  createViewSql,
  ddlTarget,
  sqlTemplate,
  type DdlTarget,
} from '../../store/ddl.ts'
import { migrations, migrationStatements } from '../../store/migrations.ts'

const single: DdlTarget = { database: 'tl', retention: { tracesDays: 30, logsDays: 7 } }
const cluster: DdlTarget = { database: 'tl', cluster: 'prod_cluster', retention: { tracesDays: 30, logsDays: 7 } }

describe('DDL templates', () => {
  it('use no placeholders beyond table names, ON CLUSTER, engine, TTL and a shared SELECT', () => {
    const allowed = new Set(['database', 'table', 'onCluster', 'engine', 'ttl', 'local', 'source', 'target', 'select'])
    const dir = new URL('../../store/sql/', import.meta.url)
    for (const file of readdirSync(dir)) {
      const used = [...readFileSync(new URL(file, dir), 'utf8').matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1])
      expect(
        used.filter((name) => name === undefined || !allowed.has(name)),
        file,
      ).toEqual([])
    }
  })
})

describe('TTL clause', () => {
  it('is rendered from the retention days of each table', () => {
    const [traces] = createTableSql('otel_traces', single)
    const [traceIdTs] = createTableSql('otel_traces_trace_id_ts', single)
    const [logs] = createTableSql('otel_logs', single)
    expect(traces).toContain('\nTTL toDateTime(Timestamp) + toIntervalDay(30)\n')
    expect(traceIdTs).toContain('\nTTL Start + toIntervalDay(30)\n')
    expect(logs).toContain('\nTTL TimestampTime + toIntervalDay(7)\n')
  })

  it('is absent when retention is 0 (keep forever), and the table has no empty line for it', () => {
    const forever: DdlTarget = { database: 'tl', retention: { tracesDays: 0, logsDays: 0 } }
    for (const table of ['otel_traces', 'otel_traces_trace_id_ts', 'otel_logs'] as const) {
      const [sql] = createTableSql(table, forever)
      expect(sql).not.toContain('TTL')
      expect(sql).toMatch(/ORDER BY [^\n]+\nSETTINGS /)
    }
  })

  it('is never on schema_migrations', () => {
    expect(createTableSql('schema_migrations', single).join('\n')).not.toContain('TTL')
  })
})

describe('single-node DDL', () => {
  it('creates each table once, under its own name, with a plain MergeTree-family engine', () => {
    const [traces, ...rest] = createTableSql('otel_traces', single)
    expect(rest).toEqual([])
    expect(traces).toMatch(/^CREATE TABLE IF NOT EXISTS `tl`.`otel_traces`\n\(/)
    expect(traces).toContain('\nENGINE = MergeTree\n')
    expect(traces).not.toContain('ON CLUSTER')
    expect(createTableSql('otel_traces_trace_id_ts', single)[0]).toContain('\nENGINE = AggregatingMergeTree\n')
    expect(createTableSql('schema_migrations', single)[0]).toContain('\nENGINE = ReplacingMergeTree\n')
  })

  it('points the materialized view from otel_traces into otel_traces_trace_id_ts', () => {
    const view = createTraceIdTsViewSql(single)
    expect(view).toContain('CREATE MATERIALIZED VIEW IF NOT EXISTS `tl`.`otel_traces_trace_id_ts_mv`\nTO `tl`.`otel_traces_trace_id_ts`\n')
    expect(view).toContain('FROM `tl`.`otel_traces`\n')
  })
})

describe('cluster DDL', () => {
  it('creates the database ON CLUSTER', () => {
    expect(createDatabaseSql(cluster)).toBe("CREATE DATABASE IF NOT EXISTS `tl` ON CLUSTER 'prod_cluster'")
  })

  it('creates a replicated _local table and a Distributed table under the exporter name, both ON CLUSTER', () => {
    const [local, distributed, ...rest] = createTableSql('otel_traces', cluster)
    expect(rest).toEqual([])
    expect(local).toMatch(/^CREATE TABLE IF NOT EXISTS `tl`.`otel_traces_local` ON CLUSTER 'prod_cluster'\n\(/)
    expect(local).toContain("\nENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/otel_traces_local', '{replica}')\n")
    expect(distributed).toBe(
      "CREATE TABLE IF NOT EXISTS `tl`.`otel_traces` ON CLUSTER 'prod_cluster'\n" +
        'AS `tl`.`otel_traces_local`\n' +
        "ENGINE = Distributed('prod_cluster', 'tl', 'otel_traces_local', cityHash64(TraceId))",
    )
  })

  it('uses the Replicated variant of each engine and shards logs by a function of the row', () => {
    expect(createTableSql('otel_traces_trace_id_ts', cluster)[0]).toContain(
      "ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/otel_traces_trace_id_ts_local', '{replica}')",
    )
    expect(createTableSql('schema_migrations', cluster)[0]).toContain(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/schema_migrations_local', '{replica}')",
    )
    expect(createTableSql('otel_logs', cluster)[1]).toContain(
      "ENGINE = Distributed('prod_cluster', 'tl', 'otel_logs_local', if(TraceId != '', cityHash64(TraceId), cityHash64(Timestamp, Body)))",
    )
  })

  it('reads the view from the local span table and writes the local trace range table', () => {
    expect(createTraceIdTsViewSql(cluster)).toBe(
      "CREATE MATERIALIZED VIEW IF NOT EXISTS `tl`.`otel_traces_trace_id_ts_mv` ON CLUSTER 'prod_cluster'\n" +
        'TO `tl`.`otel_traces_trace_id_ts_local`\n' +
        'AS SELECT\n' +
        '    TraceId,\n' +
        '    min(toDateTime(Timestamp)) AS Start,\n' +
        '    max(toDateTime(Timestamp)) AS End\n' +
        'FROM `tl`.`otel_traces_local`\n' +
        "WHERE TraceId != ''\n" +
        'GROUP BY TraceId',
    )
  })

  it('puts every DDL statement of every migration ON CLUSTER, and runs a backfill once through the Distributed tables', () => {
    const statements = migrations.flatMap((m) => migrationStatements(m, cluster))
    // Migration 1: 4 tables x (local + Distributed) + the view + 2 column adoptions x (local +
    // Distributed); migration 2: business_events, local + Distributed; migration 3: IngestedAt
    // on 2 tables x 2, its index on the 2 local tables only, Links x 2, 3 tables x 2;
    // migration 4: 7 alerting tables x 2; migration 5: an index each on the local business_events
    // and instance_keys, instance_facts x 2; migration 6: sync_events x 2, its view, its backfill.
    expect(statements).toHaveLength(51)
    const [ddl, inserts] = [statements.filter((sql) => !sql.startsWith('INSERT')), statements.filter((sql) => sql.startsWith('INSERT'))]
    for (const sql of ddl) expect(sql.split('\n')[0]).toContain(" ON CLUSTER 'prod_cluster'")
    expect(inserts).toHaveLength(1)
    expect(inserts[0]?.split('\n')[0]).toMatch(/^INSERT INTO `tl`.`sync_events` \(/)
    expect(inserts[0]).toContain('\nFROM `tl`.`otel_traces`\n')
    expect(inserts[0]).toContain('GLOBAL NOT IN (SELECT TraceId, SpanId FROM `tl`.`sync_events`)')
  })

  it('fills sync_events from the local span table on each shard, and shards it as the spans are', () => {
    const [local, distributed] = createTableSql('sync_events', cluster)
    expect(local).toContain("\nENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/sync_events_local', '{replica}')\n")
    expect(local).toContain('\nTTL toDateTime(Timestamp) + toIntervalDay(30)\n')
    expect(distributed).toContain("ENGINE = Distributed('prod_cluster', 'tl', 'sync_events_local', cityHash64(TraceId))")
    const view = createViewSql('sync_events_mv', cluster)
    expect(view.split('\n').slice(0, 2)).toEqual([
      "CREATE MATERIALIZED VIEW IF NOT EXISTS `tl`.`sync_events_mv` ON CLUSTER 'prod_cluster'",
      'TO `tl`.`sync_events_local`',
    ])
    expect(view).toContain('\nFROM `tl`.`otel_traces_local`\n')
  })

  it('adds skip indexes to local tables only and gives versioned tables their version column', () => {
    const statements = migrationStatements(migrations[2]!, cluster)
    const indexes = statements.filter((sql) => sql.includes('ADD INDEX'))
    expect(indexes.map((sql) => sql.split('\n')[0])).toEqual([
      "ALTER TABLE `tl`.`otel_traces_local` ON CLUSTER 'prod_cluster'",
      "ALTER TABLE `tl`.`otel_logs_local` ON CLUSTER 'prod_cluster'",
    ])
    expect(statements.find((sql) => sql.includes('`instance_keys_local`'))).toContain(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/instance_keys_local', '{replica}', Version)",
    )
  })
})

describe('sync_events', () => {
  it('gets the same rows and values from the view and from the backfill (one SELECT template)', () => {
    // From SELECT to the end of the WHERE clause, without the backfill's index hint and "not stored yet".
    const select = (sql: string): string => sql.slice(sql.indexOf('SELECT\n')).split("\n    AND mapContains(SpanAttributes, 'sync.side')")[0] ?? ''
    const view = createViewSql('sync_events_mv', single)
    const backfill = backfillSql('sync_events', 'otel_traces', 'sync_events_backfill.sql', 'sync_events_select.sql', single)
    expect(select(view)).toContain("\nWHERE Side IN ('change', 'apply') AND EntityType != ''")
    expect(select(backfill).trim()).toBe(select(view).trim())
  })

  it('reads the sync.* attributes of the semantic conventions', () => {
    const template = sqlTemplate('sync_events_select.sql')
    for (const key of Object.values(SyncAttr)) expect(template).toContain(`SpanAttributes['${key}']`)
  })
})

describe('ddlTarget', () => {
  const base = { user: 'default', password: '', requestTimeoutMs: 1000 }
  const retention = { tracesDays: 1, logsDays: 1 }

  it('keeps a valid database and cluster name', () => {
    expect(ddlTarget({ clickhouse: { ...base, database: 'obs_1', cluster: 'c1.eu-west' }, retention })).toEqual({
      database: 'obs_1',
      cluster: 'c1.eu-west',
      retention,
    })
  })

  it('refuses names that would need escaping, even if config validation was bypassed', () => {
    expect(() => ddlTarget({ clickhouse: { ...base, database: 'x`; DROP TABLE y' }, retention })).toThrow(ConfigError)
    expect(() => ddlTarget({ clickhouse: { ...base, database: 'ok', cluster: "c' OR 1" }, retention })).toThrow(ConfigError)
    expect(() => ddlTarget({ clickhouse: { ...base, database: 'ok' }, retention: { tracesDays: 1.5, logsDays: 1 } })).toThrow(ConfigError)
  })
})
