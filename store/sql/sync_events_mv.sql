-- sync_events_mv: fills sync_events on every insert into otel_traces with its sync spans, the
-- rows and values the sync lag KPI read from otel_traces before (in cluster mode it reads and
-- writes the shard-local tables). The attribute keys are core/semconv.ts' SyncAttr (a test
-- checks); the SELECT is the one of sync_events_backfill.sql.
-- Placeholders: {{table}} (the view), {{onCluster}}, {{source}}, {{target}}.
CREATE MATERIALIZED VIEW IF NOT EXISTS {{table}} {{onCluster}}
TO {{target}}
AS SELECT
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
