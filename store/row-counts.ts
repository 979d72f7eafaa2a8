// Row counts of the OpenTelemetry tables, for the API's status route.
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
