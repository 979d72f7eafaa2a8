-- sync_events: one row per data-sync span (sync.side 'change' at the source, 'apply' at the
-- target) with the values the sync lag KPI (K7, processes/kpis/sync-lag.ts) reads, typed and
-- out of the attribute maps, so the KPI reads a few narrow columns instead of otel_traces' rows.
-- Filled by sync_events_mv on every insert into otel_traces (and once, by migration 6, from
-- the spans stored before). A projection of otel_traces, not a source: same TTL, and it can be
-- rebuilt from otel_traces (sync_events_backfill.sql). Rationale: docs/adr/0006-sync-events-table.md.
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (MergeTree family), {{ttl}}.
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    -- The span's start (the scan window of the KPI) and end (start + duration) in Unix ns.
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    EndNs Int64 CODEC(Delta, ZSTD(1)),
    Side LowCardinality(String),
    EntityType LowCardinality(String),
    EntityId String CODEC(ZSTD(1)),
    Version UInt64 CODEC(T64, ZSTD(1)),
    -- sync.source.change_time in Unix ns (digits, or a date-time parsed as UTC), else EndNs.
    ChangeNs Int64 CODEC(Delta, ZSTD(1)),
    -- otel_traces' integration columns of the span (span attribute, else resource).
    SourceSystem LowCardinality(String),
    TargetSystem LowCardinality(String),
    BusinessSystem LowCardinality(String),
    Tenant LowCardinality(String),
    -- The span, for the backfill's "not stored yet" and the sharding key (a span's row lives
    -- on its trace's shard, whether the view or the backfill wrote it).
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1))
)
ENGINE = {{engine}}
PARTITION BY toDate(Timestamp)
ORDER BY (Side, EntityType, Timestamp)
{{ttl}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
