// The store's public surface: open a client (embedded chDB or a ClickHouse server/cluster),
// run the migrations, query and insert through the one wrapper, and the row types and
// JSONEachRow serialisation the collector writes with.
export { createStoreClient, type StoreClient, type StoreMode } from './client.ts'
export {
  command,
  clickHouseErrorCode,
  insertJsonEachRow,
  insertJsonEachRowFile,
  isDataError,
  isNetworkError,
  isRetryableStoreError,
  queryRows,
  type InsertOptions,
  type QueryOptions,
  type QueryParams,
  type StoreConnection,
} from './query.ts'
export { FORMAT_NAME, namesOwnFormat, runReadOnly } from './read-only-query.ts'
export { storedRowCounts } from './row-counts.ts'
export { migrate, migrationChecksum, migrations, migrationStatements, type Migration, type MigrationResult, type MigrationStep } from './migrations.ts'
export {
  createDatabaseSql,
  createTableSql,
  createTraceIdTsViewSql,
  ddlTarget,
  localTableName,
  qualifiedName,
  TRACE_ID_TS_VIEW,
  type DdlTarget,
  type StoreTable,
} from './ddl.ts'
export type { AttributeMap, LogRow, SignalTable, SpanEventRow, SpanKindName, SpanLinkRow, SpanRow, StatusCodeName } from './rows.ts'
export { dateTime64Text, logRowJson, spanRowJson } from './row-format.ts'
