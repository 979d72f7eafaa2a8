// Migrations on embedded ClickHouse (chDB): what migration 1 creates, that running again
// applies nothing, that two migrators at once both succeed, that an edited migration is
// refused, that exporter-made tables are adopted, and that the cluster variant parses.
import { afterAll, describe, expect, it } from 'vitest'
import { ErrorCode, ThroughlineError } from '../../core/errors.ts'
import { createStoreClient, type StoreClient } from '../../store/client.ts'
import { ddlTarget } from '../../store/ddl.ts'
import { migrate, migrationChecksum, migrations, migrationStatements } from '../../store/migrations.ts'
import { command, queryRows } from '../../store/query.ts'
import { createTestDataDir, testConfig } from './embedded-store.ts'

const dir = createTestDataDir()
const opened: StoreClient[] = []

function open(database: string, retention: { tracesDays: number; logsDays: number } = { tracesDays: 30, logsDays: 30 }) {
  const config = testConfig(dir.dataDir, { clickhouse: { database }, retention })
  const store = createStoreClient(config)
  opened.push(store)
  return { store, config }
}

afterAll(async () => {
  for (const store of opened) await store.close()
  dir.remove()
})

describe('migrate on chDB', () => {
  it('creates every table and the materialized view, and records each migration with its checksum', async () => {
    const { store, config } = open('first_run')
    expect(await migrate(store, config)).toEqual({ applied: [1, 2, 3, 4, 5, 6], alreadyApplied: [] })

    const tables = await queryRows<{ name: string; engine: string }>(
      store,
      'SELECT name, engine FROM system.tables WHERE database = {database:String} ORDER BY name',
      { database: 'first_run' },
      { tag: 'test.tables' },
    )
    expect(tables).toEqual([
      { name: 'alert_actions', engine: 'MergeTree' },
      { name: 'alert_diagnostics', engine: 'MergeTree' },
      { name: 'alert_states', engine: 'ReplacingMergeTree' },
      { name: 'alert_transitions', engine: 'MergeTree' },
      { name: 'business_events', engine: 'ReplacingMergeTree' },
      { name: 'deriver_cursors', engine: 'ReplacingMergeTree' },
      { name: 'instance_facts', engine: 'ReplacingMergeTree' },
      { name: 'instance_keys', engine: 'ReplacingMergeTree' },
      { name: 'key_edges', engine: 'ReplacingMergeTree' },
      { name: 'notification_groups', engine: 'ReplacingMergeTree' },
      { name: 'notification_log', engine: 'ReplacingMergeTree' },
      { name: 'otel_logs', engine: 'MergeTree' },
      { name: 'otel_traces', engine: 'MergeTree' },
      { name: 'otel_traces_trace_id_ts', engine: 'AggregatingMergeTree' },
      { name: 'otel_traces_trace_id_ts_mv', engine: 'MaterializedView' },
      { name: 'schema_migrations', engine: 'ReplacingMergeTree' },
      { name: 'silences', engine: 'ReplacingMergeTree' },
      { name: 'sync_events', engine: 'MergeTree' },
      { name: 'sync_events_mv', engine: 'MaterializedView' },
    ])

    const recorded = await queryRows<{ version: number; name: string; checksum: string }>(
      store,
      'SELECT version, name, checksum FROM first_run.schema_migrations ORDER BY version',
      {},
      { tag: 'test.records' },
    )
    expect(recorded).toEqual([
      { version: 1, name: 'otel tables', checksum: migrationChecksum(migrations[0]!) },
      { version: 2, name: 'business events', checksum: migrationChecksum(migrations[1]!) },
      { version: 3, name: 'deriver and correlation', checksum: migrationChecksum(migrations[2]!) },
      { version: 4, name: 'alerts and notifications', checksum: migrationChecksum(migrations[3]!) },
      { version: 5, name: 'instance facts rollup and lookups by span', checksum: migrationChecksum(migrations[4]!) },
      { version: 6, name: 'sync events', checksum: migrationChecksum(migrations[5]!) },
    ])
    expect(migrationChecksum(migrations[0]!)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('applies nothing the second time, even with another retention (the checksum covers templates, not settings)', async () => {
    const first = open('second_run')
    await migrate(first.store, first.config)
    expect(await migrate(first.store, first.config)).toEqual({ applied: [], alreadyApplied: [1, 2, 3, 4, 5, 6] })
    const longer = open('second_run', { tracesDays: 90, logsDays: 0 })
    expect(await migrate(longer.store, longer.config)).toEqual({ applied: [], alreadyApplied: [1, 2, 3, 4, 5, 6] })
  })

  it('lets two migrators started at once both succeed, leaving one logical record', async () => {
    const a = open('concurrent')
    const b = open('concurrent')
    const results = await Promise.all([migrate(a.store, a.config), migrate(b.store, b.config)])
    for (const result of results) expect([...result.applied, ...result.alreadyApplied].sort()).toEqual([1, 2, 3, 4, 5, 6])
    const rows = await queryRows<{ version: number }>(
      a.store,
      'SELECT version FROM concurrent.schema_migrations FINAL ORDER BY version',
      {},
      { tag: 'test.final' },
    )
    expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }])
  })

  it('refuses to run when a recorded checksum differs from the code', async () => {
    const { store, config } = open('tampered')
    await migrate(store, config)
    await command(
      store,
      "INSERT INTO tampered.schema_migrations (version, name, checksum, applied_at) VALUES (1, 'otel tables', {checksum:String}, now64(3))",
      { checksum: 'f'.repeat(64) },
      { tag: 'test.tamper' },
    )
    const refusal = await migrate(store, config).then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(refusal).toBeInstanceOf(ThroughlineError)
    expect(refusal).toMatchObject({ code: ErrorCode.migration, message: expect.stringContaining(`checksum ${'f'.repeat(64)}`) })
  })
})

// The exporter's own DDL (single node, as `create_schema: true` makes it), without our columns.
const EXPORTER_TABLES = [
  `CREATE TABLE adopted.otel_traces (
     Timestamp DateTime64(9), TraceId String, SpanId String, ParentSpanId String, TraceState String,
     SpanName LowCardinality(String), SpanKind LowCardinality(String), ServiceName LowCardinality(String),
     ResourceAttributes Map(LowCardinality(String), String), ScopeName String, ScopeVersion String,
     SpanAttributes Map(LowCardinality(String), String), Duration UInt64, StatusCode LowCardinality(String), StatusMessage String,
     Events Nested (Timestamp DateTime64(9), Name LowCardinality(String), Attributes Map(LowCardinality(String), String)),
     Links Nested (TraceId String, SpanId String, TraceState String, Attributes Map(LowCardinality(String), String))
   ) ENGINE = MergeTree PARTITION BY toDate(Timestamp) ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))`,
  `CREATE TABLE adopted.otel_logs (
     Timestamp DateTime64(9), TimestampTime DateTime DEFAULT toDateTime(Timestamp), TraceId String, SpanId String, TraceFlags UInt8,
     SeverityText LowCardinality(String), SeverityNumber UInt8, ServiceName LowCardinality(String), Body String,
     ResourceSchemaUrl LowCardinality(String), ResourceAttributes Map(LowCardinality(String), String),
     ScopeSchemaUrl LowCardinality(String), ScopeName String, ScopeVersion LowCardinality(String),
     ScopeAttributes Map(LowCardinality(String), String), LogAttributes Map(LowCardinality(String), String), EventName String
   ) ENGINE = MergeTree PARTITION BY toDate(TimestampTime) ORDER BY (ServiceName, TimestampTime, Timestamp)`,
]

const INTEGRATION_COLUMNS = [
  'Tenant',
  'Integration',
  'SourceSystem',
  'TargetSystem',
  'BusinessProcess',
  'Milestone',
  'BusinessObject',
  'BusinessSystem',
  'BusinessKeys',
  'MessageId',
  'OperationId',
  'Attempt',
]

describe('tables a stock OpenTelemetry Collector created first', () => {
  it('get the integration columns, defined exactly as on tables throughline creates, computed for old rows too', async () => {
    const { store, config } = open('adopted')
    await command(store, 'CREATE DATABASE adopted', {}, { tag: 'test.adopt' })
    for (const sql of EXPORTER_TABLES) await command(store, sql, {}, { tag: 'test.adopt' })
    await command(
      store,
      "INSERT INTO adopted.otel_traces (Timestamp, TraceId, SpanId, ServiceName, SpanAttributes) VALUES (now64(9), 't1', 's1', 'svc', {'integration.name': 'crm-to-erp', 'business.key.order_id': 'O1'})",
      {},
      { tag: 'test.adopt' },
    )
    expect(await migrate(store, config)).toEqual({ applied: [1, 2, 3, 4, 5, 6], alreadyApplied: [] })

    const reference = open('reference')
    await migrate(reference.store, reference.config)
    const materialized = (database: string, table: string) =>
      queryRows<Record<string, string>>(
        store,
        `SELECT name, type, default_expression, compression_codec FROM system.columns
         WHERE database = {database:String} AND table = {table:String} AND default_kind = 'MATERIALIZED' ORDER BY position`,
        { database, table },
        { tag: 'test.columns' },
      )
    for (const table of ['otel_traces', 'otel_logs']) {
      const ours = await materialized('reference', table)
      // IngestedAt (migration 3) last: the deriver's cursor, not an integration column.
      expect(ours.map((c) => c.name)).toEqual([...INTEGRATION_COLUMNS, 'IngestedAt'])
      expect(await materialized('adopted', table)).toEqual(ours)
    }
    const rows = await queryRows(store, 'SELECT Integration, BusinessKeys FROM adopted.otel_traces', {}, { tag: 'test.adopt' })
    expect(rows).toEqual([{ Integration: 'crm-to-erp', BusinessKeys: ['order_id=O1'] }])
  })
})

describe('migration 6: sync_events', () => {
  // Three sync spans (a change with a date-time change time, an apply, a change without one)
  // and two spans that are not sync spans (no version; a side that is neither). No TTL: the
  // spans keep their fixed dates.
  const SPANS = `INSERT INTO sync.otel_traces (Timestamp, TraceId, SpanId, ServiceName, SpanAttributes, ResourceAttributes, Duration) VALUES
    ('2026-11-02 10:00:00.000000000', 't1', 's1', 'crm', {'sync.side': 'change', 'sync.entity.type': 'customer', 'sync.entity.id': 'C1', 'sync.entity.version': '3', 'sync.source.change_time': '2026-11-02T09:59:58Z', 'integration.target.system': 'ERP'}, {'tenant.id': 'acme'}, 1000),
    ('2026-11-02 10:00:05.000000000', 't1', 's2', 'erp', {'sync.side': 'apply', 'sync.entity.type': 'customer', 'sync.entity.id': 'C1', 'sync.entity.version': '3', 'integration.source.system': 'CRM'}, {}, 2000000),
    ('2026-11-02 10:01:00.000000000', 't2', 's3', 'crm', {'sync.side': 'change', 'sync.entity.type': 'customer', 'sync.entity.id': 'C2', 'sync.entity.version': '1'}, {}, 0),
    ('2026-11-02 10:02:00.000000000', 't3', 's4', 'crm', {'sync.side': 'change', 'sync.entity.type': 'customer', 'sync.entity.id': 'C3', 'sync.entity.version': 'x'}, {}, 0),
    ('2026-11-02 10:03:00.000000000', 't4', 's5', 'crm', {'sync.side': 'other', 'sync.entity.type': 'customer', 'sync.entity.id': 'C4', 'sync.entity.version': '1'}, {}, 0)`
  const ROWS = 'SELECT * FROM sync.sync_events ORDER BY TraceId, SpanId'
  const EXPECTED = [
    {
      Timestamp: '2026-11-02 10:00:00.000000000',
      EndNs: '1793613600000001000',
      Side: 'change',
      EntityType: 'customer',
      EntityId: 'C1',
      Version: '3',
      ChangeNs: '1793613598000000000',
      SourceSystem: '',
      TargetSystem: 'ERP',
      BusinessSystem: 'crm',
      Tenant: 'acme',
      TraceId: 't1',
      SpanId: 's1',
    },
    {
      Timestamp: '2026-11-02 10:00:05.000000000',
      EndNs: '1793613605002000000',
      Side: 'apply',
      EntityType: 'customer',
      EntityId: 'C1',
      Version: '3',
      ChangeNs: '1793613605002000000',
      SourceSystem: 'CRM',
      TargetSystem: '',
      BusinessSystem: 'erp',
      Tenant: '',
      TraceId: 't1',
      SpanId: 's2',
    },
    {
      Timestamp: '2026-11-02 10:01:00.000000000',
      EndNs: '1793613660000000000',
      Side: 'change',
      EntityType: 'customer',
      EntityId: 'C2',
      Version: '1',
      ChangeNs: '1793613660000000000',
      SourceSystem: '',
      TargetSystem: '',
      BusinessSystem: 'crm',
      Tenant: '',
      TraceId: 't2',
      SpanId: 's3',
    },
  ]

  it('fills sync_events from every insert into otel_traces, with the sync spans only', async () => {
    const { store, config } = open('sync', { tracesDays: 0, logsDays: 0 })
    await migrate(store, config)
    await command(store, SPANS, {}, { tag: 'test.sync' })
    expect(await queryRows(store, ROWS, {}, { tag: 'test.sync' })).toEqual(EXPECTED)
  })

  it('backfills the sync spans stored before it ran, once: a rerun inserts nothing', async () => {
    const { store, config } = open('sync', { tracesDays: 0, logsDays: 0 })
    // As if the spans had been stored before migration 6: its table empty, its record gone.
    await command(store, 'TRUNCATE TABLE sync.sync_events', {}, { tag: 'test.sync' })
    await command(store, 'DELETE FROM sync.schema_migrations WHERE version = 6', {}, { tag: 'test.sync' })
    expect(await migrate(store, config)).toEqual({ applied: [6], alreadyApplied: [1, 2, 3, 4, 5] })
    expect(await queryRows(store, ROWS, {}, { tag: 'test.sync' })).toEqual(EXPECTED)
    // Interrupted before the record: the migration runs again, the backfill finds every span stored.
    for (const sql of migrationStatements(migrations[5]!, ddlTarget(config))) await command(store, sql, {}, { tag: 'test.sync' })
    expect(await queryRows(store, ROWS, {}, { tag: 'test.sync' })).toEqual(EXPECTED)
  })
})

describe('cluster DDL', () => {
  it('parses: ClickHouse formats every rendered statement of every migration', async () => {
    const { store } = open('parse_only')
    const target = ddlTarget(testConfig(dir.dataDir, { clickhouse: { database: 'tl', cluster: 'prod' } }))
    const statements = migrations.flatMap((m) => migrationStatements(m, target))
    for (const sql of statements) {
      const [row] = await queryRows<{ formatted: string }>(store, 'SELECT formatQuery({sql:String}) AS formatted', { sql }, { tag: 'test.parse' })
      // A backfill runs once, through the Distributed tables: not ON CLUSTER.
      if (sql.startsWith('INSERT')) expect(row?.formatted).toMatch(/^INSERT INTO tl.sync_events /)
      else expect(row?.formatted).toContain('ON CLUSTER prod')
    }
  })
})
