// Queue backlog from messaging spans: per broker destination, the messages sent (a producer
// span with messaging.message.id) that no consumer has received or processed yet, and how long
// the oldest has waited. It reads the spans the integration code emits anyway (OTel messaging
// conventions), so a stopped consumer shows as a growing backlog without a broker probe; a
// message sent before the window or consumed without its id is not seen (kpis.md: queue depth
// and consumer lag "where a probe reports them" would be exact).
import { OtelAttr } from '../../core/semconv.ts'
import { queryRows, type StoreConnection } from '../../store/index.ts'
import type { KpiQuery } from './kpi-query.ts'

export interface QueueScope {
  /** Messages sent from here on count (default: 24 h before now). */
  readonly fromNs: bigint
  /** The backlog as of this instant: sent before it, not consumed by it. */
  readonly nowNs: bigint
  readonly system?: string | undefined
  readonly destination?: string | undefined
}

export interface QueueBacklog {
  readonly system: string
  readonly destination: string
  /** Messages sent in the window. */
  readonly sent: number
  /** Of those, received or processed by now. */
  readonly consumed: number
  /** Of those, not consumed by now. */
  readonly backlog: number
  /** Age of the oldest message not consumed; null without backlog. */
  readonly oldestWaitingSeconds: number | null
}

interface Row {
  system: string
  destination: string
  sent: string
  consumed: string
  backlog: string
  oldest: number | null
}

const SENDING = ['send', 'publish', 'create']
const CONSUMING = ['receive', 'process', 'deliver', 'settle']

/** The SQL of queueBacklog(): one row per (messaging system, destination) with a message sent in the window. */
export function queueBacklogQuery(scope: QueueScope): KpiQuery {
  return {
    sql: `WITH messages AS (
       SELECT SpanAttributes[{systemKey:String}] AS system, SpanAttributes[{destinationKey:String}] AS destination,
              SpanAttributes[{idKey:String}] AS message_id,
              if(SpanAttributes[{opKey:String}] != '', SpanAttributes[{opKey:String}], SpanAttributes[{legacyOpKey:String}]) AS op,
              -- Without an operation, the span kind says which side it is.
              op IN {sending:Array(String)} OR (op = '' AND SpanKind = 'Producer') AS is_send,
              op IN {consuming:Array(String)} OR (op = '' AND SpanKind = 'Consumer') AS is_consume,
              toUnixTimestamp64Nano(Timestamp) AS ts_ns
       FROM otel_traces
       WHERE Timestamp >= fromUnixTimestamp64Nano({fromNs:Int64}) AND Timestamp <= fromUnixTimestamp64Nano({nowNs:Int64})
         AND message_id != '' AND destination != ''
         AND ({system:String} = '' OR system = {system:String}) AND ({destination:String} = '' OR destination = {destination:String})
     ),
     per_message AS (
       SELECT system, destination, message_id, minIf(ts_ns, is_send) AS sent_ns, countIf(is_send) > 0 AS was_sent, countIf(is_consume) > 0 AS was_consumed
       FROM messages GROUP BY system, destination, message_id
     )
     SELECT system, destination, countIf(was_sent) AS sent, countIf(was_sent AND was_consumed) AS consumed,
            countIf(was_sent AND NOT was_consumed) AS backlog,
            if(backlog = 0, NULL, ({nowNs:Int64} - minIf(sent_ns, was_sent AND NOT was_consumed)) / 1e9) AS oldest
     FROM per_message
     GROUP BY system, destination
     HAVING sent > 0
     ORDER BY system, destination`,
    params: {
      systemKey: OtelAttr.messagingSystem,
      destinationKey: OtelAttr.messagingDestination,
      idKey: OtelAttr.messageId,
      opKey: OtelAttr.messagingOperationType,
      legacyOpKey: OtelAttr.messagingOperationLegacy,
      sending: SENDING,
      consuming: CONSUMING,
      fromNs: scope.fromNs.toString(),
      nowNs: scope.nowNs.toString(),
      system: scope.system ?? '',
      destination: scope.destination ?? '',
    },
  }
}

export async function queueBacklog(store: StoreConnection, scope: QueueScope): Promise<QueueBacklog[]> {
  const query = queueBacklogQuery(scope)
  const rows = await queryRows<Row>(store, query.sql, query.params, { tag: 'kpi.queue-backlog' })
  return rows.map((r) => ({
    system: r.system,
    destination: r.destination,
    sent: Number(r.sent),
    consumed: Number(r.consumed),
    backlog: Number(r.backlog),
    oldestWaitingSeconds: r.oldest,
  }))
}
