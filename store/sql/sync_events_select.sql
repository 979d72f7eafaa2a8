-- sync_events_select: the sync spans of {{source}} as sync_events rows, the rows and values the
-- sync lag KPI read from otel_traces before: side 'change' or 'apply', an entity type and id,
-- a numeric version, the source change time parsed (unix ns or a date-time, else the span's
-- end). One SELECT for the view (sync_events_mv.sql) and the backfill (sync_events_backfill.sql).
-- The attribute keys are core/semconv.ts' SyncAttr (a test checks).
-- Placeholders: {{source}}.
SELECT
    Timestamp,
    toUnixTimestamp64Nano(Timestamp) + toInt64(Duration) AS EndNs,
    SpanAttributes['sync.side'] AS Side,
    SpanAttributes['sync.entity.type'] AS EntityType,
    SpanAttributes['sync.entity.id'] AS EntityId,
    toUInt64OrZero(SpanAttributes['sync.entity.version']) AS Version,
    coalesce(if(match(SpanAttributes['sync.source.change_time'], '^[0-9]{1,19}$'), toInt64OrNull(SpanAttributes['sync.source.change_time']),
                toUnixTimestamp64Nano(parseDateTime64BestEffortOrNull(SpanAttributes['sync.source.change_time'], 9, 'UTC'))), EndNs) AS ChangeNs,
    SourceSystem,
    TargetSystem,
    BusinessSystem,
    Tenant,
    TraceId,
    SpanId
FROM {{source}}
WHERE Side IN ('change', 'apply') AND EntityType != '' AND EntityId != '' AND toUInt64OrNull(SpanAttributes['sync.entity.version']) IS NOT NULL
