// One HTTP request in ClickHouse's terms: the statement (the `query` parameter, then the body
// on a new line, as the server joins them), the database, the default format, settings given as
// URL parameters, `param_<name>` values, and what the client asked of the response.
import { randomUUID } from 'node:crypto'
import { clickHouseError, NOT_IMPLEMENTED, READONLY, SYNTAX_ERROR } from './errors.ts'

export interface HttpQuery {
  readonly sql: string
  readonly database: string | undefined
  readonly defaultFormat: string
  /** Settings to apply before the statement, limits already capped. */
  readonly settings: Readonly<Record<string, string>>
  /** Raw `param_<name>` texts by name. */
  readonly params: ReadonlyMap<string, string>
  readonly queryId: string
  /** enable_http_compression=1: compress the response as Accept-Encoding allows. */
  readonly compressResponse: boolean
  /** The protocol revision the client reads Native with (0: plain Native). */
  readonly clientProtocolVersion: number
}

export interface QueryLimits {
  readonly maxExecutionTimeSeconds: number
  readonly maxMemoryUsageBytes: number
}

/** URL parameters that are not settings (ClickHouse's HTTPHandler reserves them). */
const NOT_SETTINGS = new Set([
  'query',
  'database',
  'default_format',
  'user',
  'password',
  'query_id',
  'quota_key',
  'session_id',
  'session_timeout',
  'session_check',
  'buffer_size',
  'wait_end_of_query',
  'client_protocol_version',
  'role',
  'enable_http_compression',
  'http_zlib_compression_level',
  'http_native_compression_disable_checksumming_on_decompress',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_response_buffer_size',
  'compress',
  'decompress',
  'stacktrace',
])
/** Settings that would lift the interface's limits; refused, as a readonly ClickHouse user's are. */
const PROTECTED = new Set(['readonly', 'allow_ddl', 'allow_introspection_functions', 'max_concurrent_queries_for_user', 'max_concurrent_queries_for_all_users'])

function capped(name: string, value: string, limit: number): string {
  const asked = Number(value)
  if (!Number.isFinite(asked))
    throw clickHouseError({ code: 27, type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' }, `setting ${name}: not a number: ${JSON.stringify(value)}`)
  return String(asked <= 0 || asked > limit ? limit : asked) // 0 means unlimited to ClickHouse
}

function settingsOf(params: URLSearchParams, limits: QueryLimits): Record<string, string> {
  const settings: Record<string, string> = {}
  for (const [name, value] of params) {
    if (NOT_SETTINGS.has(name) || name.startsWith('param_')) continue
    if (PROTECTED.has(name)) {
      if (name === 'readonly' && (value === '1' || value === '2')) continue // asks for what it gets
      throw clickHouseError(READONLY, `Cannot modify '${name}' setting in readonly mode`)
    }
    settings[name] = value
  }
  settings['max_execution_time'] = capped('max_execution_time', settings['max_execution_time'] ?? '0', limits.maxExecutionTimeSeconds)
  settings['max_memory_usage'] = capped('max_memory_usage', settings['max_memory_usage'] ?? '0', limits.maxMemoryUsageBytes)
  return settings
}

function header(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

export function parseHttpQuery(
  params: URLSearchParams,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: string,
  limits: QueryLimits,
): HttpQuery {
  if (params.get('compress') === '1' || params.get('decompress') === '1') {
    throw clickHouseError(NOT_IMPLEMENTED, "ClickHouse's own block compression (compress/decompress=1) is not supported here; use gzip, deflate, br or zstd")
  }
  const urlQuery = params.get('query') ?? ''
  const sql = urlQuery !== '' && body !== '' ? `${urlQuery}\n${body}` : urlQuery + body
  if (sql.trim() === '') throw clickHouseError(SYNTAX_ERROR, 'Empty query')
  const queryParams = new Map<string, string>()
  for (const [name, value] of params) if (name.startsWith('param_')) queryParams.set(name.slice('param_'.length), value)
  const revision = Number(params.get('client_protocol_version') ?? '0')
  return {
    sql,
    database: params.get('database') ?? header(headers, 'x-clickhouse-database') ?? undefined,
    defaultFormat: params.get('default_format') ?? header(headers, 'x-clickhouse-format') ?? 'TabSeparated',
    settings: settingsOf(params, limits),
    params: queryParams,
    queryId: params.get('query_id') ?? randomUUID(),
    compressResponse: params.get('enable_http_compression') === '1',
    clientProtocolVersion: Number.isSafeInteger(revision) && revision > 0 ? revision : 0,
  }
}
