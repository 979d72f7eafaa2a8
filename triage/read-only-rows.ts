// Runs one step's SELECT read-only (ClickHouse readonly = 2, enforced by the engine, not by
// reading the SQL), with its parameters bound, a time limit and a row limit, and says
// whether more rows existed. Every setting is sent with every statement: on chDB they persist
// in the session, and a step must never inherit another's limits.
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client'
import { trimStatement } from './sql-text.ts'

export interface ReadOnlyLimits {
  readonly timeoutMs: number
  /** Undefined: no row limit (EXPLAIN). */
  readonly maxRows?: number
  /** Names the statement in system.query_log: log_comment = throughline:<tag>. */
  readonly tag: string
}

export interface ReadOnlyRows {
  readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly truncated: boolean
}

function settings(limits: ReadOnlyLimits): ClickHouseSettings {
  return {
    readonly: '2',
    max_execution_time: limits.timeoutMs / 1000,
    timeout_overflow_mode: 'throw',
    // One row more than kept, to tell "exactly max_rows" from "more were there".
    limit: String(limits.maxRows === undefined ? 0 : limits.maxRows + 1),
    offset: '0',
    log_comment: `throughline:${limits.tag.replace(/[^\w.:/-]/g, '_').slice(0, 100)}`,
    insert_deduplication_token: '',
    output_format_json_quote_64bit_integers: 1,
  }
}

export async function selectReadOnly(
  client: ClickHouseClient,
  sql: string,
  params: Readonly<Record<string, string>>,
  limits: ReadOnlyLimits,
): Promise<ReadOnlyRows> {
  const result = await client.query({ query: trimStatement(sql), format: 'JSONEachRow', query_params: params, clickhouse_settings: settings(limits) })
  const rows = await result.json<Record<string, unknown>>()
  // `limit` applies to each SELECT of a UNION, so the result may still hold more.
  if (limits.maxRows === undefined || rows.length <= limits.maxRows) return { rows, truncated: false }
  return { rows: rows.slice(0, limits.maxRows), truncated: true }
}

function field(error: unknown, name: 'type' | 'message'): string | undefined {
  if (typeof error !== 'object' || error === null || !(name in error)) return undefined
  const value: unknown = Reflect.get(error, name)
  return typeof value === 'string' ? value : undefined
}

/** ClickHouse's error as one line: `TIMEOUT_EXCEEDED: Timeout exceeded: elapsed ...`. */
export function errorText(error: unknown): string {
  const message = (field(error, 'message') ?? String(error)).trim().split('\n')[0]!.trim()
  const type = field(error, 'type')
  return type === undefined || message.startsWith(type) ? message : `${type}: ${message}`
}
