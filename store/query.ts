// The one way code talks to ClickHouse: every statement is tagged for the query log
// (log_comment), parameters are bound by ClickHouse as {name:Type} (never spliced), network
// failures are retried a bounded number of times and ClickHouse's own errors thrown as they came.
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { drainStream, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client'
import { inputColumnList, inputStructure } from './input-columns.ts'
import type { SignalTable } from './rows.ts'

/** What the helpers need of a StoreClient, so a short-lived bootstrap client can use them too. */
export interface StoreConnection {
  readonly client: ClickHouseClient
}

export interface QueryOptions {
  /** Names the statement in system.query_log (log_comment = `throughline:<tag>`), e.g. `kpi.cycle-time`. */
  readonly tag: string
}

export interface InsertOptions {
  /**
   * Idempotency token of the batch: a repeat with the same token is stored once. Without one,
   * ClickHouse still drops a block whose content repeats one of the last inserted blocks.
   */
  readonly dedupToken?: string
  readonly tag?: string
  /**
   * Inserting through a Distributed table (cluster mode): wait until the shards have the
   * rows, so "inserted" means stored, not queued on the node that took the insert.
   */
  readonly distributedForeground?: boolean
}

/**
 * Settings of the collector's batch inserts: no cap on partitions per insert (a batch of late
 * data may touch many days; refusing it would block the spool forever), and in cluster mode a
 * synchronous Distributed insert.
 */
function batchInsertSettings(table: string, options: InsertOptions): ClickHouseSettings {
  return {
    ...statementSettings(options.tag ?? `insert.${table}`, options.dedupToken ?? ''),
    max_partitions_per_insert_block: '0',
    ...(options.distributedForeground === true ? { distributed_foreground_insert: 1 } : {}),
  }
}

/** Values for the statement's `{name:Type}` placeholders. */
export type QueryParams = Readonly<Record<string, unknown>>

const NETWORK_RETRY_DELAYS_MS = [100, 500] as const
const TAG_PATTERN = /^[\w.:/-]{1,100}$/
const TABLE_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Sent with EVERY statement, each with its neutral value when unused: chDB applies settings
 * as session-level SET that persist for later statements, so one insert's dedup token would
 * otherwise silently drop the next insert, and one query's output format would leak into the
 * next. UInt64 values read back as strings on chDB and on a server alike.
 */
function statementSettings(tag: string, dedupToken = ''): ClickHouseSettings {
  if (!TAG_PATTERN.test(tag)) throw new Error(`query tag must match ${TAG_PATTERN}: ${JSON.stringify(tag)}`)
  return {
    log_comment: `throughline:${tag}`,
    insert_deduplication_token: dedupToken,
    output_format_json_quote_64bit_integers: 1,
  } satisfies ClickHouseSettings
}

/** Rows of a SELECT, parsed from JSONEachRow. The row type is the caller's word for the shape. */
export async function queryRows<T>(store: StoreConnection, sql: string, params: QueryParams, options: QueryOptions): Promise<T[]> {
  return withNetworkRetry(async () => {
    const result = await store.client.query({
      query: sql,
      format: 'JSONEachRow',
      query_params: params,
      clickhouse_settings: statementSettings(options.tag),
    })
    return result.json<T>()
  })
}

/** A statement without result rows: DDL, INSERT ... SELECT, INSERT ... VALUES with bound values. */
export async function command(store: StoreConnection, sql: string, params: QueryParams, options: QueryOptions): Promise<void> {
  await withNetworkRetry(() => store.client.command({ query: sql, query_params: params, clickhouse_settings: statementSettings(options.tag) }))
}

/**
 * Inserts a JSONEachRow body (as store/row-format.ts writes it) into `table` of the client's
 * database. The body is sent as-is, so the spool's bytes are the insert's bytes; a retry sends
 * the same bytes with the same token, which ClickHouse then stores once.
 */
export async function insertJsonEachRow(store: StoreConnection, table: string, body: string | Buffer, options: InsertOptions = {}): Promise<void> {
  if (!TABLE_PATTERN.test(table)) throw new Error(`not a plain table name: ${JSON.stringify(table)}`)
  if (body.length === 0) return // nothing to send; a server would answer "No data to insert"
  const settings = batchInsertSettings(table, options)
  await withNetworkRetry(async () => {
    const result = await store.client.exec({
      query: `INSERT INTO \`${table}\` FORMAT JSONEachRow`,
      values: Readable.from([body]),
      clickhouse_settings: settings,
    })
    await drainStream(result.stream) // frees the socket; the response body is empty
  })
}

/**
 * Inserts a JSONEachRow file from the local disk with `INSERT ... SELECT FROM file()`. Only
 * for the embedded engine, which shares our disk: ClickHouse reads and parses the file
 * itself, in parallel, so the rows never pass through JavaScript again (about twice the rate
 * of sending the same bytes as an insert body; docs/performance.md). Same token semantics.
 */
export async function insertJsonEachRowFile(store: StoreConnection, table: SignalTable, path: string, options: InsertOptions = {}): Promise<void> {
  const settings = batchInsertSettings(table, options)
  await store.client.command({
    query: `INSERT INTO \`${table}\` (${inputColumnList(table)}) SELECT * FROM file({path:String}, 'JSONEachRow', {structure:String})`,
    query_params: { path, structure: inputStructure(table) },
    clickhouse_settings: settings,
  })
}

async function withNetworkRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run()
    } catch (err) {
      const delay = NETWORK_RETRY_DELAYS_MS[attempt]
      if (delay === undefined || !isNetworkError(err)) throw err
      await sleep(delay)
    }
  }
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
])
const NETWORK_ERROR_MESSAGES = ['socket hang up', 'Timeout error', 'ECONNRESET', 'ECONNREFUSED']

function errorField(err: unknown, field: 'code' | 'type' | 'message'): string | undefined {
  if (typeof err !== 'object' || err === null || !(field in err)) return undefined
  const value: unknown = Reflect.get(err, field)
  return typeof value === 'string' ? value : undefined
}

/** A failure to reach ClickHouse or to hear back from it: the statement may be tried again. */
export function isNetworkError(err: unknown): boolean {
  for (let cause: unknown = err, depth = 0; cause !== undefined && depth < 5; depth++) {
    const code = errorField(cause, 'code')
    if (code !== undefined && NETWORK_ERROR_CODES.has(code)) return true
    const message = errorField(cause, 'message')
    if (message !== undefined && NETWORK_ERROR_MESSAGES.some((m) => message.includes(m)) && clickHouseErrorCode(cause) === undefined) {
      return true
    }
    cause = typeof cause === 'object' && cause !== null && 'cause' in cause ? cause.cause : undefined
  }
  return false
}

/**
 * The numeric code of an error ClickHouse raised, from a server or chDB. Duck-typed: the
 * client and chDB each bundle their own ClickHouseError class, so instanceof cannot tell.
 */
export function clickHouseErrorCode(err: unknown): number | undefined {
  const code = errorField(err, 'code')
  return code !== undefined && /^\d+$/.test(code) && errorField(err, 'type') !== undefined ? Number(code) : undefined
}

/**
 * ClickHouse errors that say the rows themselves are bad (unparseable text, wrong types,
 * values out of range): sending them again fails the same way. Unknown tables or columns
 * are left out on purpose: a migration that has not run yet makes them, and it will run.
 */
const DATA_ERROR_CODES: ReadonlySet<number> = new Set([
  6, // CANNOT_PARSE_TEXT
  7, // INCORRECT_NUMBER_OF_COLUMNS
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  33, // CANNOT_READ_ALL_DATA
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  128, // TOO_LARGE_ARRAY_SIZE
  130, // CANNOT_READ_ARRAY_FROM_TEXT
  131, // TOO_LARGE_STRING_SIZE
  190, // SIZES_OF_ARRAYS_DONT_MATCH
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  366, // SIZES_OF_NESTED_COLUMNS_ARE_INCONSISTENT
  376, // CANNOT_PARSE_UUID
  407, // DECIMAL_OVERFLOW
  441, // CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING
  467, // CANNOT_PARSE_BOOL
  563, // CANNOT_READ_MAP_FROM_TEXT
  675, // CANNOT_PARSE_IPV4
  676, // CANNOT_PARSE_IPV6
])

/** The rows are bad: retrying the same batch cannot succeed (the writer sets it aside). */
export function isDataError(err: unknown): boolean {
  const code = clickHouseErrorCode(err)
  if (code === undefined) return false
  return DATA_ERROR_CODES.has(code) || (errorField(err, 'type') ?? '').startsWith('CANNOT_PARSE_')
}

/**
 * For the writer: everything but bad data is worth another try later, since network
 * failures, a missing table, too many parts, memory limits and timeouts all pass.
 */
export function isRetryableStoreError(err: unknown): boolean {
  return !isDataError(err)
}
