// Versioned, additive, idempotent schema migrations, recorded in schema_migrations with a
// checksum of the SQL templates they render. Every DDL statement is IF NOT EXISTS and a
// backfill inserts only rows not there yet, so two processes starting at once both succeed
// and a migration interrupted before it was recorded can run again; a migration whose SQL
// changed after it ran is refused.
import { createHash } from 'node:crypto'
import type { Config } from '../core/config.ts'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import type { StoreClient } from './client.ts'
import {
  alterTableSql,
  backfillSql,
  createTableSql,
  createTraceIdTsViewSql,
  createViewSql,
  ddlTarget,
  qualifiedName,
  sqlTemplate,
  tableTemplates,
  TRACE_ID_TS_VIEW_TEMPLATE,
  viewTemplates,
  type DdlTarget,
  type StoreTable,
  type StoreView,
} from './ddl.ts'
import { clickHouseErrorCode, command, queryRows } from './query.ts'

/**
 * One change to the schema. A later migration that adds a column (say a new MATERIALIZED
 * integration column) is an `alterTable` step with its own template in store/sql/, e.g.
 * `ALTER TABLE {{table}} {{onCluster}} ADD COLUMN IF NOT EXISTS Region LowCardinality(String)
 * MATERIALIZED ...`; it is rendered for the local and, in cluster mode, the Distributed table.
 */
export type MigrationStep =
  | { readonly kind: 'createTable'; readonly table: StoreTable }
  | { readonly kind: 'createTraceIdTsView' }
  | { readonly kind: 'alterTable'; readonly table: StoreTable; readonly template: string }
  /** For what only the local (storage) table takes, such as a skip index. */
  | { readonly kind: 'alterLocalTable'; readonly table: StoreTable; readonly template: string }
  /** A materialized view of store/ddl.ts' views, after its source and target tables. */
  | { readonly kind: 'createView'; readonly view: StoreView }
  /**
   * A one-time INSERT ... SELECT from `source` into `table` (e.g. what a new view would have
   * written for the rows stored before it). Not IF NOT EXISTS, so its template must insert only
   * rows not in the table yet (the statement runs again if the migration is interrupted before
   * it is recorded), and the table's readers must not count a row twice (two processes
   * migrating at once may both insert it).
   */
  | { readonly kind: 'backfill'; readonly table: StoreTable; readonly source: StoreTable; readonly template: string; readonly select: string }

export interface Migration {
  readonly version: number
  readonly name: string
  readonly steps: readonly MigrationStep[]
}

/** In version order. Never edit one that has shipped: add the next version instead. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'otel tables',
    steps: [
      { kind: 'createTable', table: 'schema_migrations' },
      { kind: 'createTable', table: 'otel_traces' },
      // A no-op on the table just created; adds our columns to one a stock collector made first.
      { kind: 'alterTable', table: 'otel_traces', template: 'otel_traces_integration_columns.sql' },
      { kind: 'createTable', table: 'otel_traces_trace_id_ts' },
      // After both tables: the view reads the one and writes the other.
      { kind: 'createTraceIdTsView' },
      { kind: 'createTable', table: 'otel_logs' },
      { kind: 'alterTable', table: 'otel_logs', template: 'otel_logs_integration_columns.sql' },
    ],
  },
  {
    version: 2,
    name: 'business events',
    steps: [{ kind: 'createTable', table: 'business_events' }],
  },
  {
    version: 3,
    name: 'deriver and correlation',
    steps: [
      { kind: 'alterTable', table: 'otel_traces', template: 'otel_ingested_at_column.sql' },
      { kind: 'alterLocalTable', table: 'otel_traces', template: 'otel_ingested_at_index.sql' },
      { kind: 'alterTable', table: 'otel_logs', template: 'otel_ingested_at_column.sql' },
      { kind: 'alterLocalTable', table: 'otel_logs', template: 'otel_ingested_at_index.sql' },
      { kind: 'alterTable', table: 'business_events', template: 'business_events_links.sql' },
      { kind: 'createTable', table: 'key_edges' },
      { kind: 'createTable', table: 'instance_keys' },
      { kind: 'createTable', table: 'deriver_cursors' },
    ],
  },
  {
    version: 4,
    name: 'alerts and notifications',
    steps: [
      { kind: 'createTable', table: 'alert_states' },
      { kind: 'createTable', table: 'alert_transitions' },
      { kind: 'createTable', table: 'alert_actions' },
      { kind: 'createTable', table: 'silences' },
      { kind: 'createTable', table: 'notification_log' },
      { kind: 'createTable', table: 'notification_groups' },
      { kind: 'createTable', table: 'alert_diagnostics' },
    ],
  },
  {
    version: 5,
    name: 'instance facts rollup and lookups by span',
    steps: [
      { kind: 'alterLocalTable', table: 'business_events', template: 'business_events_trace_id_index.sql' },
      { kind: 'alterLocalTable', table: 'instance_keys', template: 'instance_keys_instances_index.sql' },
      { kind: 'createTable', table: 'instance_facts' },
    ],
  },
  {
    version: 6,
    name: 'sync events',
    steps: [
      { kind: 'createTable', table: 'sync_events' },
      // The view first, then the backfill: a span stored in between is in otel_traces when the
      // backfill reads it and in sync_events through the view, and the backfill skips it.
      { kind: 'createView', view: 'sync_events_mv' },
      { kind: 'backfill', table: 'sync_events', source: 'otel_traces', template: 'sync_events_backfill.sql', select: 'sync_events_select.sql' },
    ],
  },
]

export interface MigrationResult {
  readonly applied: number[]
  readonly alreadyApplied: number[]
}

function stepStatements(step: MigrationStep, target: DdlTarget): string[] {
  switch (step.kind) {
    case 'createTable':
      return createTableSql(step.table, target)
    case 'createTraceIdTsView':
      return [createTraceIdTsViewSql(target)]
    case 'alterTable':
      return alterTableSql(step.table, step.template, target)
    case 'alterLocalTable':
      return alterTableSql(step.table, step.template, target, 'local')
    case 'createView':
      return [createViewSql(step.view, target)]
    case 'backfill':
      return [backfillSql(step.table, step.source, step.template, step.select, target)]
  }
}

function stepTemplates(step: MigrationStep): readonly string[] {
  switch (step.kind) {
    case 'createTable':
      return tableTemplates(step.table)
    case 'createTraceIdTsView':
      return [TRACE_ID_TS_VIEW_TEMPLATE]
    case 'alterTable':
    case 'alterLocalTable':
      return [step.template]
    case 'backfill':
      return [step.template, step.select]
    case 'createView':
      return viewTemplates(step.view)
  }
}

/** The statements a migration runs against one target, in order. */
export function migrationStatements(migration: Migration, target: DdlTarget): string[] {
  return migration.steps.flatMap((step) => stepStatements(step, target))
}

/**
 * sha256 over the migration's steps and the templates they read, not over the rendered SQL:
 * a new retention, database or cluster renders different text without changing the migration.
 */
export function migrationChecksum(migration: Migration): string {
  const hash = createHash('sha256')
  hash.update(JSON.stringify({ version: migration.version, name: migration.name, steps: migration.steps }))
  for (const step of migration.steps) for (const template of stepTemplates(step)) hash.update(`\0${template}\0${sqlTemplate(template)}`)
  return hash.digest('hex')
}

interface RecordedMigration {
  readonly version: number
  readonly name: string
  readonly checksum: string
}

// Another process creating the same object between our IF NOT EXISTS check and the create.
const ALREADY_EXISTS_CODES: ReadonlySet<number> = new Set([57, 82]) // TABLE_ALREADY_EXISTS, DATABASE_ALREADY_EXISTS

async function runIdempotent(store: StoreClient, sql: string, tag: string): Promise<void> {
  try {
    await command(store, sql, {}, { tag })
  } catch (err) {
    const code = clickHouseErrorCode(err)
    if (code === undefined || !ALREADY_EXISTS_CODES.has(code)) throw err
  }
}

/**
 * Brings the schema up to the code's latest migration. Safe when two processes run it at
 * once: statements are idempotent and a double record collapses in the ReplacingMergeTree.
 * Versions recorded by a newer release are left alone; migrations are additive, so this
 * release still reads and writes the tables.
 */
export async function migrate(store: StoreClient, config: Pick<Config, 'clickhouse' | 'retention'>): Promise<MigrationResult> {
  const target = ddlTarget(config)
  await store.ensureDatabase()
  for (const sql of createTableSql('schema_migrations', target)) await runIdempotent(store, sql, 'migrate.bootstrap')

  const table = qualifiedName('schema_migrations', target)
  const recorded = await queryRows<RecordedMigration>(store, `SELECT version, name, checksum FROM ${table} FINAL ORDER BY version`, {}, { tag: 'migrate.read' })
  const recordedByVersion = new Map(recorded.map((row) => [Number(row.version), row]))
  for (const migration of migrations) {
    const row = recordedByVersion.get(migration.version)
    const checksum = migrationChecksum(migration)
    if (row !== undefined && row.checksum !== checksum) {
      throw new ThroughlineError(
        ErrorCode.migration,
        `migration ${migration.version} (${migration.name}) was applied with checksum ${row.checksum}, but this release has ${checksum}: ` +
          'its SQL changed after it ran; restore it and put the change in a new migration',
      )
    }
  }

  const applied: number[] = []
  const alreadyApplied: number[] = []
  for (const migration of migrations) {
    if (recordedByVersion.has(migration.version)) {
      alreadyApplied.push(migration.version)
      continue
    }
    for (const sql of migrationStatements(migration, target)) await runIdempotent(store, sql, `migrate.${migration.version}`)
    // Query-level SETTINGS (not session ones): in cluster mode the record goes through the
    // Distributed table and must be visible before the next process reads it.
    await command(
      store,
      `INSERT INTO ${table} (version, name, checksum, applied_at) SETTINGS distributed_foreground_insert = 1 ` +
        'VALUES ({version:UInt32}, {name:String}, {checksum:String}, now64(3))',
      { version: migration.version, name: migration.name, checksum: migrationChecksum(migration) },
      { tag: `migrate.${migration.version}.record` },
    )
    applied.push(migration.version)
  }
  return { applied, alreadyApplied }
}
