// What the store holds, for operators: row counts of the OpenTelemetry tables (the API's
// status route) and one ad-hoc read-only query in any ClickHouse output format (`throughline
// sql`). Read-only is enforced by ClickHouse (readonly = 2), not by parsing the statement.
import { text } from 'node:stream/consumers'
import { ErrorCode, ThroughlineError } from '../core/errors.ts'
import type { StoreClient } from './client.ts'
import { qualifiedName } from './ddl.ts'
import { queryRows } from './query.ts'
import type { SignalTable } from './rows.ts'

/** Rows in otel_traces and otel_logs (the Distributed tables in cluster mode: the whole cluster). */
export async function storedRowCounts(store: StoreClient): Promise<Record<SignalTable, number>> {
  const [row] = await queryRows<{ otel_traces: string; otel_logs: string }>(
    store,
    `SELECT (SELECT count() FROM ${qualifiedName('otel_traces', store)}) AS otel_traces, ` +
      `(SELECT count() FROM ${qualifiedName('otel_logs', store)}) AS otel_logs`,
    {},
    { tag: 'status.row-counts' },
  )
  return { otel_traces: Number(row?.otel_traces ?? 0), otel_logs: Number(row?.otel_logs ?? 0) }
}

const FORMAT_NAME = /^[A-Za-z][A-Za-z0-9]*$/

/**
 * Runs one operator-written statement with readonly = 2 (reads and settings only) and returns
 * its output in `format` (so the statement must not name its own FORMAT). It runs in an isolated
 * session: on chDB a SET readonly would otherwise stick to the store's session and refuse
 * every later insert.
 */
export async function runReadOnly(store: StoreClient, sql: string, format: string): Promise<string> {
  if (!FORMAT_NAME.test(format)) throw new ThroughlineError(ErrorCode.readOnlyQuery, `not a ClickHouse format name: ${JSON.stringify(format)}`, 400)
  const statement = sql.trim().replace(/;+\s*$/, '')
  return store.withIsolatedSession(async (client) => {
    const result = await client.exec({
      // A newline first, so a trailing `-- comment` in the statement does not swallow it.
      query: `${statement}\nFORMAT ${format}`,
      clickhouse_settings: { readonly: '2', log_comment: 'throughline:sql.read-only', output_format_json_quote_64bit_integers: 1 },
    })
    return text(result.stream)
  })
}
