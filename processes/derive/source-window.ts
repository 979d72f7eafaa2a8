// Which raw rows one derivation pass reads: rows that reached ClickHouse in an ingest window
// (the live deriver, by IngestedAt), or rows whose own time lies in a window (backfill, by
// Timestamp, which also reaches rows stored before IngestedAt existed).
export type SourceWindow =
  /** Half-open [fromMs, toMs) on IngestedAt, milliseconds since the epoch. */
  | { readonly by: 'ingested'; readonly fromMs: number; readonly toMs: number }
  /** Half-open [fromNs, toNs) on the record's Timestamp (a span's start). */
  | { readonly by: 'time'; readonly fromNs: bigint; readonly toNs: bigint }

export type SourceTable = 'otel_traces' | 'otel_logs'

export const SOURCE_TABLES: readonly SourceTable[] = ['otel_traces', 'otel_logs']

/** The WHERE clause of a window and its parameters (bound, never spliced). */
export function windowCondition(window: SourceWindow): { readonly sql: string; readonly params: Record<string, string> } {
  if (window.by === 'ingested') {
    return {
      sql: 'IngestedAt >= fromUnixTimestamp64Milli({windowFrom:Int64}) AND IngestedAt < fromUnixTimestamp64Milli({windowTo:Int64})',
      params: { windowFrom: String(window.fromMs), windowTo: String(window.toMs) },
    }
  }
  return {
    sql: 'Timestamp >= fromUnixTimestamp64Nano({windowFrom:Int64}) AND Timestamp < fromUnixTimestamp64Nano({windowTo:Int64})',
    params: { windowFrom: window.fromNs.toString(), windowTo: window.toNs.toString() },
  }
}
