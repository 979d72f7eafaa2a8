-- otel_traces_trace_id_ts: first and last span start per trace, so a lookup by TraceId
-- (Grafana's trace view) reads only the otel_traces partitions of that time range.
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (AggregatingMergeTree family), {{ttl}}.
-- Ordered by TraceId alone: ClickHouse refuses SimpleAggregateFunction columns in a key,
-- and merges then collapse each trace to one row per partition.
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    TraceId String CODEC(ZSTD(1)),
    Start SimpleAggregateFunction(min, DateTime) CODEC(Delta, ZSTD(1)),
    End SimpleAggregateFunction(max, DateTime) CODEC(Delta, ZSTD(1))
)
ENGINE = {{engine}}
PARTITION BY toDate(Start)
ORDER BY TraceId
{{ttl}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
